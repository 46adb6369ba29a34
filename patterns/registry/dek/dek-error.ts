/**
 * The DEK registry's errors: Confluent's `DekRegistryErrors` (confluent-data-contracts.md
 * §2.1) as reasons in the registry's ErrorInfo domain, each with its gRPC code and Confluent's
 * numeric code, and one constructor per message text so every text exists once.
 *
 * Version selectors, store failures and timeouts keep the registry's own reasons
 * (INVALID_VERSION, STORE_ERROR, OPERATION_TIMEOUT): they are RegistryErrors.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';

export type DekRegistryErrorReason =
  | 'KEY_NOT_FOUND'
  | 'KEY_NOT_SOFT_DELETED'
  | 'KEY_SOFT_DELETED'
  | 'KEY_ALREADY_EXISTS'
  | 'TOO_MANY_KEYS'
  | 'INVALID_KEY'
  | 'KEY_REFERENCE_EXISTS'
  | 'DEK_GENERATION_FAILED'
  /** Prism's own: an algorithm other than AES128_GCM, AES256_GCM and AES256_SIV. */
  | 'INVALID_ALGORITHM';

/** Reason → gRPC code and Confluent's error_code. */
export const dekReasonTable: Readonly<Record<DekRegistryErrorReason, { code: GrpcStatus; errorCode: number }>> = {
  KEY_NOT_FOUND: { code: GrpcStatus.NOT_FOUND, errorCode: 40470 },
  KEY_NOT_SOFT_DELETED: { code: GrpcStatus.FAILED_PRECONDITION, errorCode: 40471 },
  KEY_SOFT_DELETED: { code: GrpcStatus.FAILED_PRECONDITION, errorCode: 40472 },
  KEY_ALREADY_EXISTS: { code: GrpcStatus.ALREADY_EXISTS, errorCode: 40971 },
  TOO_MANY_KEYS: { code: GrpcStatus.RESOURCE_EXHAUSTED, errorCode: 40972 },
  INVALID_KEY: { code: GrpcStatus.INVALID_ARGUMENT, errorCode: 42271 },
  KEY_REFERENCE_EXISTS: { code: GrpcStatus.FAILED_PRECONDITION, errorCode: 42272 },
  DEK_GENERATION_FAILED: { code: GrpcStatus.INTERNAL, errorCode: 50070 },
  // Confluent's JAX-RS refuses an unknown enum value before any check; the code is the status.
  INVALID_ALGORITHM: { code: GrpcStatus.INVALID_ARGUMENT, errorCode: 400 },
};

export class DekRegistryError extends Error {
  override readonly name = 'DekRegistryError';
  constructor(
    readonly reason: DekRegistryErrorReason,
    message: string,
    /** Values the message names, sent as ErrorInfo metadata. */
    readonly metadata: Readonly<Record<string, string>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `key` is the KEK name, or the DEK subject once the KEK is known to exist (Confluent's use). */
export const keyNotFound = (key: string) => new DekRegistryError('KEY_NOT_FOUND', `Key '${key}' not found`, { key });

export const keyNotSoftDeleted = (key: string) =>
  new DekRegistryError('KEY_NOT_SOFT_DELETED', `Key '${key}' was not deleted first before being permanently deleted`, { key });

/** Always names the KEK: its DEKs cannot be undeleted while it is deleted. */
export const keySoftDeleted = (kekName: string) => new DekRegistryError('KEY_SOFT_DELETED', `Key '${kekName}' must be undeleted first`, { key: kekName });

export const keyAlreadyExists = (key: string) =>
  new DekRegistryError('KEY_ALREADY_EXISTS', `Key '${key}' already exists; use a different value`, { key });

export const tooManyKeys = (max: number) => new DekRegistryError('TOO_MANY_KEYS', `A maximum of ${max} keys already exist`, { max: String(max) });

/** `field` ∈ name, subject, kmsKeyId, kmsType, encryptedKeyMaterial, shared (Confluent's names). */
export const invalidKey = (field: string) => new DekRegistryError('INVALID_KEY', `Invalid or missing value for field '${field}' of key`, { field });

export const keyReferenceExists = (kekName: string) =>
  new DekRegistryError('KEY_REFERENCE_EXISTS', `One or more references exist to the key '${kekName}'`, { key: kekName });

/** `what` is `encrypted` (encrypting a new DEK) or `raw` (decrypting a stored one). */
export const dekGenerationFailed = (what: 'encrypted' | 'raw', subject: string, cause: unknown) =>
  new DekRegistryError('DEK_GENERATION_FAILED', `Could not generate ${what} dek for ${subject}: ${(cause as Error)?.message ?? String(cause)}`, { subject }, { cause });

export const invalidAlgorithm = (algorithm: string) =>
  new DekRegistryError('INVALID_ALGORITHM', `Invalid algorithm '${algorithm}'. Valid values are AES128_GCM, AES256_GCM and AES256_SIV`, { algorithm });
