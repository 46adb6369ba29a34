/**
 * Turns failures of a storage backend into the registry's store errors, in one place:
 * a lock that could not be obtained in time is OPERATION_TIMEOUT (Confluent 50002),
 * anything else STORE_ERROR (50001). StorageConflictError passes through: it is a
 * precondition the registry reports itself.
 */
import { operationTimeout, storeError } from '../registry-error.js';
import { StorageConflictError, type RegistryStorage } from './registry-storage.js';

const METHODS = [
  'getSchema',
  'findSchemaIds',
  'listVersions',
  'listAllVersions',
  'listVersionsOfSchema',
  'listReferrers',
  'maxId',
  'getSetting',
  'insertVersion',
  'softDeleteVersions',
  'hardDeleteVersions',
  'putSetting',
  'putSettings',
  'changesAfter',
  'subscribeChanges',
  'close',
] as const satisfies readonly (keyof RegistryStorage)[];
const WRITES = new Set<string>(['insertVersion', 'softDeleteVersions', 'hardDeleteVersions', 'putSetting', 'putSettings']);

function isTimeout(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || code === 'ETIMEDOUT';
}

/** Wraps every method of `inner` so its failures become RegistryErrors. */
export function createGuardedStorage(inner: RegistryStorage): RegistryStorage {
  const guarded: Record<string, unknown> = {};
  for (const key of METHODS) {
    const method = inner[key] as (...args: unknown[]) => Promise<unknown>;
    const write = WRITES.has(key);
    guarded[key] = async (...args: unknown[]) => {
      try {
        return await method.apply(inner, args);
      } catch (err) {
        if (err instanceof StorageConflictError) throw err;
        if (isTimeout(err)) throw operationTimeout(write ? 'Write' : 'Read', err);
        throw storeError(write ? 'Write operation failed while writing to the store' : 'Read operation failed while reading from the store', err);
      }
    };
  }
  return guarded as unknown as RegistryStorage;
}
