/**
 * The stores of a process's embedded keyvalue patterns, kept with their backend rather than
 * with one pattern instance. When the gateway re-binds a slot (an admin UPDATE_BACKEND), it
 * starts a second pattern before the first closes; a MEMSTORE or SQLITE backend that still
 * names the same store must hand that store over rather than lose it (MEMSTORE: its entries,
 * which live nowhere else) or refuse it (SQLITE: the file's lock, already held by this process).
 *
 * - MEMSTORE: one store per backend name and data dir, shared by every instance that holds it,
 *   whatever its config says (no MEMSTORE setting changes what the store holds): a re-bind of a
 *   MEMSTORE backend to another MEMSTORE config keeps its entries. It is gone once the last
 *   instance closes (the gateway stopped, or the slot re-bound to another type).
 * - SQLITE: the file's lock is held once per backend name, data dir and file; an instance with
 *   the same config shares the open store, one with another config (say `synchronous`) opens
 *   its own connection to the same file under the same lock.
 * - POSTGRES and REDIS are shared servers: each instance opens its own connections.
 */
import { sqliteStoreFile, createStore, type StoreBackend } from './create-store.js';
import { lockStoreFile } from './lock-store-file.js';
import type { KeyValueStore } from './store/keyvalue-store.js';

export interface NamedStoreBackend extends StoreBackend {
  readonly name: string;
}

interface Shared {
  readonly store: KeyValueStore;
  users: number;
}

interface Holding {
  /** Instances holding anything under this key. */
  users: number;
  readonly unlock?: () => void;
  /** Open stores by their config (MEMSTORE: one, under ''). */
  readonly stores: Map<string, Shared>;
}

const holdings = new Map<string, Holding>();

/**
 * Opens (or shares) the store a backend names for a pattern instance; the returned store's
 * `close` releases this instance's hold, and closes the store once no instance holds it.
 * @throws StoreConfigError for a bad config; LockedError when another process (or another
 *   backend in this one) serves the SQLite file.
 */
export function holdStore(backend: NamedStoreBackend, dataDir: string): KeyValueStore {
  const type = backend.type.toUpperCase();
  if (type !== 'MEMSTORE' && type !== 'SQLITE') return createStore(backend, dataDir);
  const file = sqliteStoreFile(backend, dataDir) ?? '';
  const key = JSON.stringify([type, dataDir, backend.name, file]);
  let holding = holdings.get(key);
  if (!holding) {
    holding = { users: 0, unlock: lockStoreFile(backend, dataDir), stores: new Map() };
    holdings.set(key, holding);
  }
  const configKey = type === 'MEMSTORE' ? '' : canonicalJson(backend.config ?? {});
  let shared = holding.stores.get(configKey);
  if (!shared) {
    try {
      shared = { store: createStore(backend, dataDir), users: 0 };
    } catch (err) {
      if (holding.users === 0) release(key, holding);
      throw err;
    }
    holding.stores.set(configKey, shared);
  }
  holding.users += 1;
  shared.users += 1;
  const held = holding;
  const own = shared;
  let released: Promise<void> | undefined;
  const handle: KeyValueStore = Object.create(own.store, {
    close: {
      value: () =>
        (released ??= (async () => {
          own.users -= 1;
          held.users -= 1;
          try {
            if (own.users === 0) {
              held.stores.delete(configKey);
              await own.store.close();
            }
          } finally {
            if (held.users === 0) release(key, held);
          }
        })()),
    },
  });
  return handle;
}

function release(key: string, holding: Holding): void {
  if (holdings.get(key) === holding) holdings.delete(key);
  holding.unlock?.();
}

/** JSON with object keys sorted, so that equal configs give equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : v,
  );
}
