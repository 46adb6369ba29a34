/**
 * One process per keyvalue SQLite file: the process serving it publishes Watch changes from
 * its own writes, so a second writer's changes would never reach its watchers. The lock is
 * `<file>.lock` beside the database (the gateway's data-dir-lock.ts), as the registry takes.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { acquireLock } from '../../src/operations/data-dir-lock.js';
import { sqliteStoreFile, StoreConfigError, type StoreBackend } from './create-store.js';

/**
 * Locks the SQLite file a backend opens; nothing for other types or `:memory:`. Returns the release.
 * @throws LockedError naming the process that serves the file; StoreConfigError when its folder cannot be made.
 */
export function lockStoreFile(backend: StoreBackend, dataDir: string): (() => void) | undefined {
  const file = sqliteStoreFile(backend, dataDir);
  if (file === undefined || file === ':memory:') return undefined;
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (err) {
    throw new StoreConfigError(`cannot lock SQLite file ${file}: cannot create its folder: ${(err as Error).message}`);
  }
  return acquireLock(`${file}.lock`, `SQLite file ${file}`);
}
