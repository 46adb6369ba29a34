/**
 * Opens the DEK store in the registry's own store (DESIGN.md §8: one namespace, one store):
 * the same SQLite file or PostgreSQL database as the registry's storage slot, own tables; a
 * MEMSTORE registry keeps its keys in memory too.
 */
import { sqliteFile, postgresConfig, StorageConfigError, type StorageBackend } from '../create-storage.js';
import type { DekStorage } from './storage/dek-storage.js';
import { createMemoryDekStorage } from './storage/memory-dek-storage.js';
import { createPostgresDekStorage } from './storage/postgres-dek-storage.js';
import { createSqliteDekStorage } from './storage/sqlite-dek-storage.js';

/**
 * The DEK store beside the registry storage `backend` describes (config already checked by
 * createStorage, which runs first).
 * @throws StorageConfigError for an unknown backend type, or a SQLite file that cannot be opened.
 */
export function createDekStorage(backend: StorageBackend, dataDir: string): DekStorage {
  switch (backend.type.toUpperCase()) {
    case 'MEMSTORE':
      return createMemoryDekStorage();
    case 'SQLITE': {
      const file = sqliteFile(backend, dataDir)!;
      const synchronous = backend.config?.synchronous === 'FULL' ? 'FULL' : 'NORMAL';
      try {
        return createSqliteDekStorage({ path: file, synchronous });
      } catch (err) {
        throw new StorageConfigError(`cannot open the SQLite database ${file}: ${(err as Error).message}`, { cause: err });
      }
    }
    case 'POSTGRES':
    case 'POSTGRESQL': {
      const { url, statementTimeoutMs, ssl } = postgresConfig(backend.config ?? {});
      return createPostgresDekStorage({ url, statementTimeoutMs, ssl });
    }
    default:
      throw new StorageConfigError(`the registry's storage slot accepts SQLITE, POSTGRES or MEMSTORE backends, not ${backend.type}`);
  }
}
