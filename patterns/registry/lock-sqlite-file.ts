/**
 * One process per SQLite file (issue 13, item 12): `prism-registry serve` and the embedded
 * registry of a gateway take the lock `<file>.lock` beside the database file before opening it,
 * so that two processes never keep diverging caches over one file. The file is the one
 * `createStorage` opens (`sqliteFile`); the lock itself is the gateway's (data-dir-lock.ts).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../../src/config/gateway-config.js';
import { acquireLock } from '../../src/operations/data-dir-lock.js';
import { sqliteFile, type StorageBackend } from './create-storage.js';

/**
 * Locks the SQLite file a backend opens; nothing for other backends or `:memory:`. Relative
 * paths resolve against `dataDir`, as the storage does. Returns the release.
 * @throws LockedError naming the process that serves the file.
 * @throws StorageConfigError for a bad `config.path` (as `createStorage` would).
 * @throws ConfigError when the file's folder or the lock cannot be created.
 */
export function lockSqliteFile(backend: StorageBackend, dataDir: string): (() => void) | undefined {
  const file = sqliteFile(backend, dataDir);
  if (file === undefined || file === ':memory:') return undefined;
  // The storage creates the file's folder when missing; the lock beside it comes first.
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (err) {
    throw new ConfigError(`cannot lock SQLite file ${file}: cannot create its folder: ${(err as Error).message}`);
  }
  return acquireLock(`${file}.lock`, `SQLite file ${file}`);
}
