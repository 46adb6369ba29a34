/**
 * Binds the registry's `storage` slot to a backend (RFC-039 flat backend registry):
 * `SQLITE` {path, relative to the data dir; default `registry.db`} or `MEMSTORE`. Every
 * backend gets the coherent read cache in front of it.
 */
import { isAbsolute, resolve } from 'node:path';
import { createCachedStorage } from './storage/cached-storage.js';
import { createMemoryStorage } from './storage/memory-storage.js';
import type { RegistryStorage } from './storage/registry-storage.js';
import { createSqliteStorage } from './storage/sqlite-storage.js';

export interface StorageBackend {
  readonly type: string;
  readonly config?: Readonly<Record<string, unknown>>;
}

export class StorageConfigError extends Error {
  override readonly name = 'StorageConfigError';
}

/**
 * Opens the storage a backend describes.
 * @throws StorageConfigError for an unknown backend type or a bad config value;
 *   the SQLite driver's error when the file cannot be opened.
 */
export function createStorage(backend: StorageBackend, dataDir: string): RegistryStorage {
  switch (backend.type.toUpperCase()) {
    case 'MEMSTORE':
      return createCachedStorage(createMemoryStorage());
    case 'SQLITE': {
      const path = backend.config?.path ?? 'registry.db';
      if (typeof path !== 'string' || path === '') throw new StorageConfigError('SQLITE backend: config.path must be a non-empty string');
      const synchronous = backend.config?.synchronous ?? 'NORMAL';
      if (synchronous !== 'NORMAL' && synchronous !== 'FULL') throw new StorageConfigError('SQLITE backend: config.synchronous must be NORMAL or FULL');
      const file = path === ':memory:' || isAbsolute(path) ? path : resolve(dataDir, path);
      return createCachedStorage(createSqliteStorage({ path: file, synchronous }));
    }
    default:
      throw new StorageConfigError(`the registry's storage slot accepts SQLITE or MEMSTORE backends, not ${backend.type}`);
  }
}

/**
 * Parses the CLI form `sqlite:<path>` or `memstore:`.
 * @throws StorageConfigError for anything else.
 */
export function parseBackendUri(uri: string): StorageBackend {
  const colon = uri.indexOf(':');
  const scheme = colon < 0 ? uri : uri.slice(0, colon);
  const rest = colon < 0 ? '' : uri.slice(colon + 1);
  if (scheme.toLowerCase() === 'memstore') return { type: 'MEMSTORE' };
  if (scheme.toLowerCase() === 'sqlite') return { type: 'SQLITE', config: rest ? { path: rest } : {} };
  throw new StorageConfigError(`unknown backend '${uri}': expected sqlite:<path> or memstore:`);
}
