/**
 * Verified basic credentials, remembered for a short while so that an authenticated client
 * pays for scrypt once per TTL instead of once per request (scrypt is ~40–50 ms of CPU by
 * design: it is what makes a stolen users file expensive to crack, and it must not be what
 * every request costs).
 *
 * Entries are keyed by HMAC-SHA256 of the presented `user:password` under a key made at
 * start and never written anywhere: the cache holds no password and nothing a memory dump
 * could test guesses against without that key. Bounded (least recently used out first) and
 * short-lived; the authenticator clears it whenever the users file changes.
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface CredentialCache<T> {
  /**
   * The key of a secret: its HMAC under this cache's key. Computed once per request and used
   * for get, set, and by the authenticator to merge identical verifications in flight.
   */
  key(secret: string): string;
  /** The value stored for exactly this key, unless it expired. */
  get(key: string): T | undefined;
  set(key: string, value: T): void;
  /** Forgets every entry (the users file changed). */
  clear(): void;
  readonly size: number;
}

export interface CredentialCacheOptions {
  /** Most entries kept (default 10,000). */
  maxEntries?: number;
  /** How long a verified secret is trusted (default 60 s). */
  ttlMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

export const CREDENTIAL_CACHE_DEFAULTS = { maxEntries: 10_000, ttlMs: 60_000 } as const;

export function createCredentialCache<T>(options: CredentialCacheOptions = {}): CredentialCache<T> {
  const maxEntries = options.maxEntries ?? CREDENTIAL_CACHE_DEFAULTS.maxEntries;
  const ttlMs = options.ttlMs ?? CREDENTIAL_CACHE_DEFAULTS.ttlMs;
  const now = options.now ?? Date.now;
  // One key per process: a restart (or another worker) has its own, so nothing carries over.
  const key = randomBytes(32);
  const digest = (secret: string) => createHmac('sha256', key).update(secret).digest('base64');
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, { value: T; expires: number }>();

  return {
    key: digest,
    get(id) {
      const entry = entries.get(id);
      if (!entry) return undefined;
      entries.delete(id);
      if (entry.expires <= now()) return undefined;
      entries.set(id, entry);
      return entry.value;
    },
    set(id, value) {
      entries.delete(id);
      entries.set(id, { value, expires: now() + ttlMs });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
    clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
