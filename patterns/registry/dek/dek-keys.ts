/**
 * Confluent's checks and normalisations of key names, subjects, algorithms and KMS types
 * (DekRegistryResource `checkName`/`checkSubject`, DekRegistry `normalizeKmsType`,
 * CreateKekRequest `validate`; confluent-data-contracts.md §3.11).
 */
import { invalidAlgorithm } from './dek-error.js';

/** Confluent's `DekFormat` values. */
export const DEK_ALGORITHMS = ['AES128_GCM', 'AES256_GCM', 'AES256_SIV'] as const;
export type DekAlgorithm = (typeof DEK_ALGORITHMS)[number];
export const DEFAULT_ALGORITHM: DekAlgorithm = 'AES256_GCM';

const NAME_MAX_LENGTH = 256;
// Java's Character.isLetter / isLetterOrDigit: any Unicode letter, decimal digits.
const NAME = /^[\p{L}_][\p{L}\p{Nd}_-]*$/u;

/** A KEK name: non-empty, ≤ 256 UTF-16 units, a letter or `_`, then letters, digits, `_`, `-`. */
export function isValidKekName(name: string): boolean {
  return name.length > 0 && name.length <= NAME_MAX_LENGTH && NAME.test(name);
}

/** A DEK subject: non-empty, without ISO control characters (U+0000–U+001F, U+007F–U+009F). */
export function isValidDekSubject(subject: string): boolean {
  // eslint-disable-next-line no-control-regex
  return subject.length > 0 && !/[\u0000-\u001f\u007f-\u009f]/.test(subject);
}

/**
 * The algorithm a request names; empty means AES256_GCM.
 * @throws DekRegistryError INVALID_ALGORITHM for any other value (case-sensitive, as a Java enum).
 */
export function parseAlgorithm(text: string): DekAlgorithm {
  if (text === '') return DEFAULT_ALGORITHM;
  if ((DEK_ALGORITHMS as readonly string[]).includes(text)) return text as DekAlgorithm;
  throw invalidAlgorithm(text);
}

/** `aws…` → aws-kms, `azure…` → azure-kms, `gcp…` → gcp-kms (any case); others verbatim. */
export function normalizeKmsType(kmsType: string): string {
  const lower = kmsType.toLowerCase();
  if (lower.startsWith('aws')) return 'aws-kms';
  if (lower.startsWith('azure')) return 'azure-kms';
  if (lower.startsWith('gcp')) return 'gcp-kms';
  return kmsType;
}

/**
 * Whether a key id fits the KMS type the request named (before normalisation, as Confluent
 * checks it): AWS ids are ARNs, Azure ids https URLs, GCP ids resource names, Vault ids URLs.
 */
export function kmsKeyIdFits(kmsType: string, kmsKeyId: string): boolean {
  switch (kmsType) {
    case 'aws-kms':
      return kmsKeyId.startsWith('arn:aws:kms:');
    case 'azure-kms':
      return kmsKeyId.startsWith('https://');
    case 'gcp-kms':
      return kmsKeyId.startsWith('projects/');
    case 'hcvault':
      return kmsKeyId.startsWith('http://') || kmsKeyId.startsWith('https://');
    default:
      return true;
  }
}
