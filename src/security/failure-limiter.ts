/**
 * Failed basic-auth attempts per client address (its addressKey), as a token bucket: each address may fail
 * `burst` times in a row, then one more time every `refillMs`. An address whose bucket is
 * empty is refused before any password hash runs (429 / RESOURCE_EXHAUSTED with
 * Retry-After, RFC 6585 §4), so guessing passwords costs the gateway almost nothing and
 * gains the guesser about ten tries a minute.
 *
 * Only failures take tokens: a user who authenticates keeps working, and a correct password
 * that is already cached is never refused (the cache is checked first). The map of
 * addresses is bounded (lru-cache); the least recently failing address is forgotten first.
 * The count is the byte bound too: an entry is an address key and two numbers.
 */
import { LRUCache } from 'lru-cache';

export interface FailureLimiter {
  /** 0 when `address` may try now, else how long until it may (ms). */
  retryAfterMs(address: string): number;
  /** Records a failed attempt from `address`. */
  fail(address: string): void;
  /** Addresses currently tracked. */
  readonly size: number;
}

export interface FailureLimiterOptions {
  /** Failures allowed in a row (default 10). */
  burst?: number;
  /** One more failure is allowed every this long (default 6 s: ten a minute). */
  refillMs?: number;
  /** Most addresses tracked (default 10,000). */
  maxAddresses?: number;
  now?: () => number;
}

export const FAILURE_LIMITER_DEFAULTS = { burst: 10, refillMs: 6_000, maxAddresses: 10_000 } as const;

export function createFailureLimiter(options: FailureLimiterOptions = {}): FailureLimiter {
  const burst = options.burst ?? FAILURE_LIMITER_DEFAULTS.burst;
  const refillMs = options.refillMs ?? FAILURE_LIMITER_DEFAULTS.refillMs;
  const maxAddresses = options.maxAddresses ?? FAILURE_LIMITER_DEFAULTS.maxAddresses;
  const now = options.now ?? Date.now;
  // lru-cache allocates its index for `max` entries up front: a million addresses at most.
  const buckets = new LRUCache<string, { tokens: number; at: number }>({ max: Math.min(maxAddresses, 1 << 20) });

  /** The bucket's tokens now; an address that has refilled completely is dropped. */
  const tokensOf = (address: string, t: number): number => {
    // peek: asking does not make an address recent, only failing does.
    const bucket = buckets.peek(address);
    if (!bucket) return burst;
    const tokens = Math.min(burst, bucket.tokens + (t - bucket.at) / refillMs);
    if (tokens >= burst) buckets.delete(address);
    return tokens;
  };

  return {
    retryAfterMs(address) {
      const t = now();
      const tokens = tokensOf(address, t);
      return tokens >= 1 ? 0 : Math.ceil((1 - tokens) * refillMs);
    },
    fail(address) {
      const t = now();
      const tokens = Math.max(0, tokensOf(address, t) - 1);
      buckets.set(address, { tokens, at: t });
    },
    get size() {
      return buckets.size;
    },
  };
}

