/**
 * The one KMS the registry can reach by itself: Confluent's local KMS (`local-kms`), used for
 * shared KEKs (the registry generates and unwraps their DEKs). Byte-compatible with the
 * clients' LocalKmsClient (confluent-data-contracts.md §3.11): the KEK is AES-128-GCM with
 * the key HKDF-SHA256(secret, no salt, no info, 16 bytes); ciphertexts are Tink's raw AEAD
 * form, IV (12 bytes) ‖ ciphertext ‖ tag (16 bytes). A DEK's key material is Tink's key proto
 * (AesGcmKey: field 3 = the key; AesSivKey: field 2) with version 0, as the clients make it.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { DekAlgorithm } from './dek-keys.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface Kms {
  encrypt(plaintext: Buffer): Buffer;
  /** @throws Error when the ciphertext was not made with this key (or is damaged). */
  decrypt(ciphertext: Buffer): Buffer;
}

/**
 * The KMS a shared KEK names.
 * @throws Error when it is not a local KEK or no secret is known (the caller reports 50070).
 */
export function kmsForKek(kek: { kmsType: string; kmsProps: Readonly<Record<string, string>> }, env: NodeJS.ProcessEnv = process.env): Kms {
  if (kek.kmsType !== 'local-kms') throw new Error(`the registry cannot reach the ${kek.kmsType} KMS`);
  // The KEK's own property first, then the registry's environment, as Confluent's driver reads them.
  const secret = kek.kmsProps.secret ?? env.LOCAL_SECRET;
  if (!secret) throw new Error('no secret for the local KMS (kmsProps.secret or LOCAL_SECRET)');
  return localKms(secret);
}

export function localKms(secret: string): Kms {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), Buffer.alloc(0), 16));
  return {
    encrypt(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-128-gcm', key, iv);
      return Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    },
    decrypt(ciphertext) {
      if (ciphertext.length < IV_BYTES + TAG_BYTES) throw new Error('ciphertext too short');
      const decipher = createDecipheriv('aes-128-gcm', key, ciphertext.subarray(0, IV_BYTES));
      decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES));
      return Buffer.concat([decipher.update(ciphertext.subarray(IV_BYTES, ciphertext.length - TAG_BYTES)), decipher.final()]);
    },
  };
}

/** A new random DEK in the clients' key-material form. */
export function generateKeyMaterial(algorithm: DekAlgorithm): Buffer {
  const size = algorithm === 'AES128_GCM' ? 16 : algorithm === 'AES256_GCM' ? 32 : 64;
  const field = algorithm === 'AES256_SIV' ? 0x12 : 0x1a;
  return Buffer.concat([Buffer.from([field, size]), randomBytes(size)]);
}
