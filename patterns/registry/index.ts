/**
 * The registry pattern as an embedded pattern module (src/upstream/pattern-module.ts):
 * the gateway calls `startPattern` and then reaches the registry over real gRPC (on a private
 * Unix socket by default, or the configured `listen` address), as it would reach a remote one.
 */
import type { PatternStartOptions, RunningPattern, SlotDeclaration } from '../../src/upstream/pattern-module.js';
import { createStorage, StorageConfigError } from './create-storage.js';
import { startRegistryServer } from './registry-server.js';
import { lockSqliteFile } from './lock-sqlite-file.js';
import { createDekStorage } from './dek/create-dek-storage.js';

/**
 * Starts the registry with its `storage` slot bound to a SQLITE (default) or MEMSTORE backend.
 * @throws StorageConfigError for an unsupported backend; Error when `listen` cannot be bound;
 *   LockedError when another process serves the SQLite file.
 */
export async function startPattern(options: PatternStartOptions): Promise<RunningPattern> {
  const backend = options.slots.storage ?? { name: 'default', type: 'SQLITE', config: {} };
  if (!backend.type) throw new StorageConfigError('the storage slot names no backend type');
  // The same lock as `prism-registry serve` takes: a SQLite file outside the data dir (an
  // absolute path) is not served by a standalone registry and a gateway at once.
  const unlock = lockSqliteFile(backend, options.dataDir);
  let storage;
  let dekStorage;
  try {
    storage = createStorage(backend, options.dataDir);
    dekStorage = createDekStorage(backend, options.dataDir);
    const log = options.log;
    const server = await startRegistryServer({ listen: options.listen, storage, dekStorage, logError: log && ((message, err) => log.error({ err }, message)) });
    // A Unix socket's address is the one asked for (the server reports host:port addresses).
    const address = options.listen.startsWith('unix:') ? options.listen : server.address;
    return {
      address,
      protoFiles: server.protoFiles,
      // A read that reaches the store itself (the cache passes maxId through): PostgreSQL
      // connects lazily, so a re-bind to an unreachable database must fail here, before the swap.
      ready: async () => {
        await storage!.maxId();
      },
      close: async () => {
        try {
          await server.close();
        } finally {
          unlock?.();
        }
      },
    };
  } catch (err) {
    await storage?.close();
    await dekStorage?.close();
    unlock?.();
    throw err;
  }
}

export { REGISTRY_SERVICE_NAME, registryProtoFile, startRegistryServer } from './registry-server.js';
export { createStorage, parseBackendUri } from './create-storage.js';

/** The registry's one slot: where schemas, versions, configs and the change feed are kept. */
export const patternName = 'registry';
export const slots: readonly SlotDeclaration[] = [{ name: 'storage', required: ['registry_store'], optional: [], implementations: ['SQLITE', 'POSTGRES', 'MEMSTORE'] }];
