/**
 * Scan's page token: the last key of the page, base64url. Opaque to callers; a token is valid
 * only with the prefix it was issued for, since it names a key under that prefix.
 */
import { hasPrefix } from './store/keyvalue-store.js';
import { invalidArgument } from './keyvalue-error.js';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function encodePageToken(lastKey: Buffer): string {
  return lastKey.toString('base64url');
}

/**
 * The key a page token continues after; undefined for "" (the first page).
 * @throws KeyValueError INVALID_ARGUMENT for a token that is not one this server issued for `prefix`.
 */
export function decodePageToken(token: string, prefix: Buffer): Buffer | undefined {
  if (token === '') return undefined;
  const key = BASE64URL.test(token) ? Buffer.from(token, 'base64url') : undefined;
  if (!key || key.length === 0 || key.toString('base64url') !== token || !hasPrefix(key, prefix)) {
    throw invalidArgument('page_token', 'not a page token of a scan with this prefix');
  }
  return key;
}
