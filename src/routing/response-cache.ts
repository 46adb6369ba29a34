/**
 * A frontend's cache of rendered replies for routes that declare `cache`: reads whose answer
 * does not change (a schema id always names the same schema) skip the upstream hop. Entries
 * are keyed by route, negotiated type and the encoded request, bounded per route in number
 * (`maxEntries`) and in bytes (least recently used out first), and optionally in age. Any
 * successful write through the same frontend drops every entry, so a client never reads past
 * its own change; `ttlMs` bounds how long a change made elsewhere can stay unseen.
 */
import { LRUCache } from 'lru-cache';
import type { HttpReply } from '../core/http-types.js';

export interface CachePolicy {
  /** Longest an entry is served; absent: until evicted or invalidated. */
  readonly ttlMs?: number;
  /** Entries kept for the route (default 10,000). */
  readonly maxEntries?: number;
}

export interface ResponseCache {
  get(route: string, key: string): HttpReply | undefined;
  /** Counts clears: a read stores its reply only if no write finished while it was out. */
  readonly generation: number;
  set(route: string, key: string, reply: HttpReply, policy: CachePolicy, generationAtStart: number): void;
  /** Drops everything: a write went through this frontend. */
  clear(): void;
}

const DEFAULT_MAX_ENTRIES = 10_000;
/**
 * Bytes of replies kept per cached route (default 64 MiB): the entry count alone would let
 * large replies (schemas of hundreds of kilobytes) take gigabytes. A reply larger than the
 * whole budget is not cached.
 */
export const RESPONSE_CACHE_MAX_BYTES = 64 * 1024 * 1024;
/** What an entry costs beside its strings: the reply object, the cache's own bookkeeping. */
const ENTRY_OVERHEAD_BYTES = 128;

/** Roughly what an entry holds in memory: key, body (text as UTF-8, or bytes) and headers, plus overhead. */
function entryBytes(reply: HttpReply, key: string): number {
  let bytes = ENTRY_OVERHEAD_BYTES + Buffer.byteLength(key) + Buffer.byteLength(reply.body) + (reply.bytes?.length ?? 0);
  for (const name in reply.headers) bytes += name.length + [reply.headers[name]].flat().reduce((sum, v) => sum + Buffer.byteLength(v), 0);
  return bytes;
}

// Date.now rather than lru-cache's default performance.now, so that a mocked clock ages
// entries; ttlResolution 0 reads the clock on every check instead of caching it on a timer.
// lru-cache takes a start time of 0 for "no start" (never stale), and a mocked Date starts at
// 0: readings are shifted by one, which no difference between them notices.
const clock = { now: () => Date.now() + 1 };

/** @param maxBytes Byte budget per route (RESPONSE_CACHE_MAX_BYTES). */
export function createResponseCache(maxBytes = RESPONSE_CACHE_MAX_BYTES): ResponseCache {
  const byRoute = new Map<string, LRUCache<string, HttpReply>>();
  let generation = 0;
  return {
    get generation() {
      return generation;
    },
    // Hot path: one map lookup and one LRU lookup (which refreshes recency and drops an
    // expired entry).
    get(route, key) {
      return byRoute.get(route)?.get(key);
    },
    set(route, key, reply, policy, generationAtStart) {
      if (generationAtStart !== generation) return;
      let entries = byRoute.get(route);
      if (!entries) {
        entries = new LRUCache<string, HttpReply>({
          // lru-cache allocates its index for `max` entries up front; no more than the byte
          // budget's worth of the smallest entries can ever be held.
          max: Math.min(policy.maxEntries ?? DEFAULT_MAX_ENTRIES, Math.floor(maxBytes / ENTRY_OVERHEAD_BYTES)),
          maxSize: maxBytes,
          sizeCalculation: entryBytes,
          perf: clock,
          ttlResolution: 0,
        });
        byRoute.set(route, entries);
      }
      // Bytes may be a view into the whole decoded reply: the entry keeps a copy of its own,
      // so it holds (and is counted for) only them.
      const entry = reply.bytes ? { ...reply, bytes: Buffer.from(reply.bytes) } : reply;
      entries.set(key, entry, policy.ttlMs === undefined ? undefined : { ttl: policy.ttlMs });
    },
    clear() {
      generation++;
      byRoute.clear();
    },
  };
}
