/**
 * Verified basic credentials, remembered for a short while so that an authenticated client
 * pays for scrypt once per TTL instead of once per request (scrypt is ~40–50 ms of CPU by
 * design: it is what makes a stolen users file expensive to crack, and it must not be what
 * every request costs).
 *
 * Entries are keyed by HMAC-SHA256 of the presented `user:password` under a key made at
 * start and never written anywhere: the cache holds no password and nothing a memory dump
 * could test guesses against without that key. Bounded (least recently used out first, by
 * lru-cache) and short-lived; the authenticator clears it whenever the users file changes.
 * The entry count is the byte bound too: a key is a 44-character digest and a value one
 * principal, so 10,000 entries stay within a few megabytes.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';

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
  /** Most entries kept (default 10,000; 0 keeps none). */
  maxEntries?: number;
  /** How long a verified secret is trusted (default 60 s; 0 trusts none). */
  ttlMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

export const CREDENTIAL_CACHE_DEFAULTS = { maxEntries: 10_000, ttlMs: 60_000 } as const;
/**
 * lru-cache allocates its index for `max` entries up front. Only verified credentials are
 * kept, at most one per user, so no users file needs more than this.
 */
const MOST_ENTRIES = 1 << 20;

export function createCredentialCache<T extends {}>(options: CredentialCacheOptions = {}): CredentialCache<T> {
  const maxEntries = options.maxEntries ?? CREDENTIAL_CACHE_DEFAULTS.maxEntries;
  const ttlMs = options.ttlMs ?? CREDENTIAL_CACHE_DEFAULTS.ttlMs;
  const now = options.now ?? Date.now;
  // One key per process: a restart (or another worker) has its own, so nothing carries over.
  const key = randomBytes(32);
  const digest = (secret: string) => createHmac('sha256', key).update(secret).digest('base64');
  // lru-cache reads 0 as "unbounded" and "no expiry"; here they mean "remember nothing".
  const entries =
    maxEntries > 0 && ttlMs > 0
      ? new LRUCache<string, T>({
          max: Math.min(maxEntries, MOST_ENTRIES),
          ttl: ttlMs,
          // The given clock, read on every check (no cached reading on a timer); shifted by one
          // because lru-cache takes a start time of 0 for "no start" (never stale).
          perf: { now: () => now() + 1 },
          ttlResolution: 0,
        })
      : undefined;

  return {
    key: digest,
    get: (id) => entries?.get(id),
    set(id, value) {
      // A new verification restarts the entry's time.
      entries?.set(id, value);
    },
    clear() {
      entries?.clear();
    },
    get size() {
      return entries?.size ?? 0;
    },
  };
}
