/**
 * In-process fan-out of a store's changes to its watchers. The memory and SQLite stores publish
 * after each write (they are the only writer of their data); the PostgreSQL and Redis stores
 * publish what their one change reader reads from the database. Publishing is synchronous and
 * in call order, so every watcher sees changes in the order they were published.
 */
import { hasPrefix, type StoreChange, type WatchListener, type WatchSubscription } from './keyvalue-store.js';

export interface WatchHub {
  /** Delivers `change` to every watcher whose prefix it falls under. */
  publish(change: StoreChange): void;
  subscribe(prefix: Buffer, listener: WatchListener): WatchSubscription;
  /** Tells every watcher the watch cannot go on, and forgets them. */
  failAll(err: unknown): void;
  readonly size: number;
}

export function createWatchHub(): WatchHub {
  const watchers = new Set<{ prefix: Buffer; listener: WatchListener }>();
  return {
    publish(change) {
      for (const watcher of watchers) {
        if (!hasPrefix(change.key, watcher.prefix)) continue;
        try {
          watcher.listener.change(change);
        } catch {
          // A watcher's failure is its own; the others still get the change.
        }
      }
    },
    subscribe(prefix, listener) {
      const watcher = { prefix: Buffer.from(prefix), listener };
      watchers.add(watcher);
      return { close: () => void watchers.delete(watcher) };
    },
    failAll(err) {
      const all = [...watchers];
      watchers.clear();
      for (const watcher of all) watcher.listener.failed(err);
    },
    get size() {
      return watchers.size;
    },
  };
}
