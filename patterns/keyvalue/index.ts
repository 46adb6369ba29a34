/**
 * The keyvalue pattern as an embedded pattern module (src/upstream/pattern-module.ts): the
 * gateway calls `startPattern` and reaches the service over real gRPC, as it would a remote one.
 */
import type { PatternStartOptions, RunningPattern, SlotDeclaration } from '../../src/upstream/pattern-module.js';
import { STORE_TYPES, StoreConfigError } from './create-store.js';
import { holdStore } from './held-stores.js';
import { startKeyValueServer } from './keyvalue-server.js';
import { KEYVALUE_INTERFACES, type KeyValueInterface, type KeyValueStore } from './store/keyvalue-store.js';

export const patternName = 'keyvalue';

/** The pattern's slots for the binder (RFC-039): one store, which must at least get and set. */
export const slots: readonly SlotDeclaration[] = [
  { name: 'store', required: ['keyvalue_basic'], optional: ['keyvalue_ttl', 'keyvalue_scan', 'keyvalue_watch'], implementations: Object.keys(STORE_TYPES) },
];

/**
 * The interfaces the binder found on the store slot's backend (`slotInterfaces.store`), when it
 * says; otherwise every interface the store implements. A call needing one the backend lacks is
 * refused (Watch: WATCH_UNSUPPORTED).
 */
function boundInterfaces(options: PatternStartOptions): readonly KeyValueInterface[] | undefined {
  const named = options.slotInterfaces?.store;
  return named?.filter((name): name is KeyValueInterface => (KEYVALUE_INTERFACES as readonly string[]).includes(name));
}

/**
 * Starts the keyvalue service with its `store` slot bound to a MEMSTORE (default), SQLITE,
 * POSTGRES or REDIS backend. The store is pinged before the service listens, so a backend that
 * cannot be reached fails the start. A MEMSTORE or SQLITE store already open in this process for
 * the same backend (the instance a re-bind replaces) is shared, not opened again.
 * @throws StoreConfigError for an unsupported type or bad config, or a store that does not answer;
 *   LockedError when another process serves the SQLite file; Error when `listen` cannot be bound.
 */
export async function startPattern(options: PatternStartOptions): Promise<RunningPattern> {
  const backend = options.slots.store ?? { name: 'default', type: 'MEMSTORE', config: {} };
  let store: KeyValueStore | undefined;
  try {
    // Held with the backend, so a re-bind that keeps the store keeps its data (held-stores.ts).
    const opened = holdStore(backend, options.dataDir);
    store = opened;
    try {
      await opened.ping();
    } catch (err) {
      throw new StoreConfigError(`the keyvalue store slot's backend ${backend.name} (${backend.type}) does not answer: ${(err as Error).message}`, { cause: err });
    }
    const log = options.log;
    const server = await startKeyValueServer({
      listen: options.listen,
      store: opened,
      interfaces: boundInterfaces(options),
      logError: log && ((message, err) => log.error({ err }, message)),
    });
    return {
      address: server.address,
      protoFiles: server.protoFiles,
      ready: () => opened.ping(),
      close: () => server.close(),
    };
  } catch (err) {
    await store?.close().catch(() => {});
    throw err;
  }
}

export { KEYVALUE_SERVICE_NAME, keyValueProtoFile, startKeyValueServer } from './keyvalue-server.js';
export { createStore, parseStoreUri, STORE_TYPES } from './create-store.js';
