/**
 * Password hashes for the basic-auth users file: scrypt (node:crypto) with a random salt,
 * written as `scrypt$N$r$p$<salt base64>$<hash base64>`, compared in constant time.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCallback(password, salt, length, options, (err, key) => (err ? reject(err) : resolve(key))));

const DEFAULTS = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { ...DEFAULTS, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${DEFAULTS.N}$${DEFAULTS.r}$${DEFAULTS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** @throws Error when `encoded` is not a hash this module wrote. */
export function parsePasswordHash(encoded: string): { N: number; r: number; p: number; salt: Buffer; key: Buffer } {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') throw new Error("a password hash looks like 'scrypt$N$r$p$salt$hash' (prism-gateway hash-password makes one)");
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) throw new Error('scrypt parameters must be positive integers');
  return { N, r, p, salt: Buffer.from(parts[4], 'base64'), key: Buffer.from(parts[5], 'base64') };
}

/** Constant-time comparison of a password against a parsed hash. */
export async function verifyPassword(password: string, hash: ReturnType<typeof parsePasswordHash>): Promise<boolean> {
  const key = await scrypt(password, hash.salt, hash.key.length, { N: hash.N, r: hash.r, p: hash.p, maxmem: 256 * hash.N * hash.r + 1024 * 1024 });
  return key.length === hash.key.length && timingSafeEqual(key, hash.key);
}
