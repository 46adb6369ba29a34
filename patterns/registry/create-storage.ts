/**
 * Binds the registry's `storage` slot to a backend (RFC-039 flat backend registry):
 * `SQLITE` {path, relative to the data dir; default `registry.db`}, `MEMSTORE`, or
 * `POSTGRES` {url, poolSize, statementTimeoutMs, ssl} for several replicas on one database;
 * every backend also takes `changeRetention` (the change feed's, default 100,000).
 * Every backend gets the coherent read cache in front of it (for POSTGRES kept coherent with
 * the other replicas' writes through LISTEN/NOTIFY).
 */
import { isAbsolute, resolve } from 'node:path';
import { redactUrl } from '../../src/observability/redact-url.js';
import { createCachedStorage } from './storage/cached-storage.js';
import { createMemoryStorage } from './storage/memory-storage.js';
import { createPostgresStorage } from './storage/postgres-storage.js';
import type { RegistryStorage } from './storage/registry-storage.js';
import { createSqliteStorage } from './storage/sqlite-storage.js';
// Sensitive metadata values encrypted at rest when the backend config has metadataEncoderSecret.
import { withConfiguredMetadataEncoding } from './dek/metadata-encoder.js';

export interface StorageBackend {
  readonly type: string;
  readonly config?: Readonly<Record<string, unknown>>;
}

export class StorageConfigError extends Error {
  override readonly name = 'StorageConfigError';
}

/**
 * Opens the storage a backend describes.
 * @throws StorageConfigError for an unknown backend type, a bad config value, or a SQLite
 *   file that cannot be opened (naming the file, with the driver's error as the cause).
 */
export function createStorage(backend: StorageBackend, dataDir: string): RegistryStorage {
  const changeRetention = changeRetentionOf(backend);
  switch (backend.type.toUpperCase()) {
    case 'MEMSTORE':
      return createCachedStorage(createMemoryStorage({ changeRetention }));
    case 'SQLITE': {
      const file = sqlitePath(backend, dataDir);
      const synchronous = backend.config?.synchronous ?? 'NORMAL';
      if (synchronous !== 'NORMAL' && synchronous !== 'FULL') throw new StorageConfigError('SQLITE backend: config.synchronous must be NORMAL or FULL');
      try {
        return createCachedStorage(withConfiguredMetadataEncoding(createSqliteStorage({ path: file, synchronous, changeRetention }), backend.config));
      } catch (err) {
        // SQLite's own words ("unable to open database file") do not say which file.
        throw new StorageConfigError(`cannot open the SQLite database ${file}: ${(err as Error).message}`, { cause: err });
      }
    }
    case 'POSTGRES':
    case 'POSTGRESQL':
      return createCachedStorage(withConfiguredMetadataEncoding(createPostgresStorage({ ...postgresConfig(backend.config ?? {}), changeRetention }), backend.config));
    default:
      throw new StorageConfigError(`the registry's storage slot accepts SQLITE, POSTGRES or MEMSTORE backends, not ${backend.type}`);
  }
}

/**
 * `config.changeRetention` of any backend: how many of the newest changes the change feed
 * keeps (default 100,000, registry-change.ts).
 * @throws StorageConfigError unless it is absent or an integer ≥ 1.
 */
function changeRetentionOf(backend: StorageBackend): number | undefined {
  const value = backend.config?.changeRetention;
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new StorageConfigError(`${backend.type.toUpperCase()} backend: config.changeRetention must be an integer ≥ 1`);
  }
  return value;
}

/**
 * The database file a SQLITE backend opens: `config.path` (default `registry.db`) resolved
 * against `dataDir`, or `:memory:`; undefined for other backends. The one place that reads the
 * path, so that the storage and its lock (lock-sqlite-file.ts) always name the same file.
 * @throws StorageConfigError when `config.path` is not a non-empty string.
 */
export function sqliteFile(backend: StorageBackend, dataDir: string): string | undefined {
  return backend.type.toUpperCase() === 'SQLITE' ? sqlitePath(backend, dataDir) : undefined;
}

function sqlitePath(backend: StorageBackend, dataDir: string): string {
  const path = backend.config?.path ?? 'registry.db';
  if (typeof path !== 'string' || path === '') throw new StorageConfigError('SQLITE backend: config.path must be a non-empty string');
  return path === ':memory:' || isAbsolute(path) ? path : resolve(dataDir, path);
}

/** Checks a POSTGRES backend's config: {url, poolSize?, statementTimeoutMs?, ssl?}. */
export function postgresConfig(config: Readonly<Record<string, unknown>>) {
  const { url, poolSize, statementTimeoutMs, ssl, locking } = config;
  if (typeof url !== 'string' || !/^postgres(ql)?:\/\//i.test(url)) {
    throw new StorageConfigError('POSTGRES backend: config.url must be a postgres:// URL');
  }
  const positiveInt = (value: unknown, name: string, min: number) => {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new StorageConfigError(`POSTGRES backend: config.${name} must be an integer ≥ ${min}`);
    return value;
  };
  if (ssl !== undefined && typeof ssl !== 'boolean' && (typeof ssl !== 'object' || ssl === null)) {
    throw new StorageConfigError('POSTGRES backend: config.ssl must be true, false or TLS options {rejectUnauthorized, ca, cert, key}');
  }
  if (locking !== undefined && locking !== 'global' && locking !== 'subject') throw new StorageConfigError('POSTGRES backend: config.locking must be global or subject');
  return {
    url,
    poolSize: positiveInt(poolSize, 'poolSize', 1),
    statementTimeoutMs: positiveInt(statementTimeoutMs, 'statementTimeoutMs', 0),
    ssl: ssl as boolean | { rejectUnauthorized?: boolean; ca?: string; cert?: string; key?: string } | undefined,
    locking: locking as 'global' | 'subject' | undefined,
  };
}

/**
 * Parses the CLI form `sqlite:<path>`, `memstore:` or `postgres://…` (also `postgresql://…`).
 * @throws StorageConfigError for anything else.
 */
export function parseBackendUri(uri: string): StorageBackend {
  const colon = uri.indexOf(':');
  const scheme = colon < 0 ? uri : uri.slice(0, colon);
  const rest = colon < 0 ? '' : uri.slice(colon + 1);
  if (scheme.toLowerCase() === 'memstore') return { type: 'MEMSTORE' };
  if (scheme.toLowerCase() === 'sqlite') return { type: 'SQLITE', config: rest ? { path: rest } : {} };
  if ((scheme.toLowerCase() === 'postgres' || scheme.toLowerCase() === 'postgresql') && rest.startsWith('//')) return { type: 'POSTGRES', config: { url: uri } };
  // The URI may be a connection string with a password in it (issue 13, item 5).
  throw new StorageConfigError(`unknown backend '${redactUrl(uri)}': expected sqlite:<path>, postgres://… or memstore:`);
}
