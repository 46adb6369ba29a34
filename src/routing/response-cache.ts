/**
 * A frontend's cache of rendered replies for routes that declare `cache`: reads whose answer
 * does not change (a schema id always names the same schema) skip the upstream hop. Entries
 * are keyed by route, negotiated type and the encoded request, bounded in number (least
 * recently used out first) and optionally in age. Any successful write through the same
 * frontend drops every entry, so a client never reads past its own change; `ttlMs` bounds how
 * long a change made elsewhere can stay unseen.
 */
import type { HttpReply } from '../core/http-types.js';

export interface CachePolicy {
  /** Longest an entry is served; absent: until evicted or invalidated. */
  readonly ttlMs?: number;
  /** Entries kept for the route (default 10,000). */
  readonly maxEntries?: number;
}

interface Entry {
  readonly reply: HttpReply;
  readonly expires: number;
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

export function createResponseCache(): ResponseCache {
  const byRoute = new Map<string, Map<string, Entry>>();
  let generation = 0;
  return {
    get generation() {
      return generation;
    },
    get(route, key) {
      const entries = byRoute.get(route);
      const entry = entries?.get(key);
      if (!entry || !entries) return undefined;
      if (entry.expires <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      // Refresh recency: Map iteration order is insertion order.
      entries.delete(key);
      entries.set(key, entry);
      return entry.reply;
    },
    set(route, key, reply, policy, generationAtStart) {
      if (generationAtStart !== generation) return;
      let entries = byRoute.get(route);
      if (!entries) byRoute.set(route, (entries = new Map()));
      entries.set(key, { reply, expires: policy.ttlMs === undefined ? Infinity : Date.now() + policy.ttlMs });
      const max = policy.maxEntries ?? DEFAULT_MAX_ENTRIES;
      while (entries.size > max) entries.delete(entries.keys().next().value!);
    },
    clear() {
      generation++;
      byRoute.clear();
    },
  };
}
