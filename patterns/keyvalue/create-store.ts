/**
 * Binds the keyvalue pattern's `store` slot to a backend (RFC-039 flat backend registry):
 *   MEMSTORE  {}
 *   SQLITE    {path (relative to the data dir; default keyvalue.db), synchronous: NORMAL|FULL}
 *   POSTGRES  {url, poolSize, statementTimeoutMs, ssl, tablePrefix (default kv_), changeRetention}
 *   REDIS     {url, keyPrefix (default prism:kv:), changeRetention, connectTimeoutMs}
 * Every type implements keyvalue_basic, keyvalue_ttl, keyvalue_scan and keyvalue_watch.
 */
import { isAbsolute, resolve } from 'node:path';
import { redactUrl } from '../../src/observability/redact-url.js';
import type { KeyValueInterface, KeyValueStore } from './store/keyvalue-store.js';
import { KEYVALUE_INTERFACES } from './store/keyvalue-store.js';
import { createMemoryStore } from './store/memory-store.js';
import { createPostgresStore } from './store/postgres-store.js';
import { createRedisStore } from './store/redis-store.js';
import { createSqliteStore } from './store/sqlite-store.js';

export interface StoreBackend {
  readonly type: string;
  readonly config?: Readonly<Record<string, unknown>>;
}

export class StoreConfigError extends Error {
  override readonly name = 'StoreConfigError';
}

/** The backend types with a keyvalue `store` slot implementation, and what each implements. */
export const STORE_TYPES: Readonly<Record<string, readonly KeyValueInterface[]>> = {
  MEMSTORE: KEYVALUE_INTERFACES,
  SQLITE: KEYVALUE_INTERFACES,
  POSTGRES: KEYVALUE_INTERFACES,
  REDIS: KEYVALUE_INTERFACES,
};

const normalType = (type: string) => (type.toUpperCase() === 'POSTGRESQL' ? 'POSTGRES' : type.toUpperCase());

/**
 * Opens the store a backend describes (connections are made lazily; `ping` checks them).
 * @throws StoreConfigError for a type without a keyvalue store, or a bad config value.
 */
export function createStore(backend: StoreBackend, dataDir: string): KeyValueStore {
  const config = backend.config ?? {};
  const type = normalType(backend.type);
  const check = checkers(type);
  switch (type) {
    case 'MEMSTORE':
      return createMemoryStore();
    case 'SQLITE': {
      const file = sqliteStoreFile(backend, dataDir)!;
      const synchronous = config.synchronous ?? 'NORMAL';
      if (synchronous !== 'NORMAL' && synchronous !== 'FULL') throw new StoreConfigError('SQLITE backend: config.synchronous must be NORMAL or FULL');
      try {
        return createSqliteStore({ path: file, synchronous });
      } catch (err) {
        throw new StoreConfigError(`cannot open the SQLite database ${file}: ${(err as Error).message}`, { cause: err });
      }
    }
    case 'POSTGRES': {
      const url = check.url('url', /^postgres(ql)?:\/\//i, 'a postgres:// URL');
      const ssl = config.ssl;
      if (ssl !== undefined && typeof ssl !== 'boolean' && (typeof ssl !== 'object' || ssl === null)) throw new StoreConfigError('POSTGRES backend: config.ssl must be true, false or TLS options');
      const tablePrefix = check.string('tablePrefix');
      if (tablePrefix !== undefined && !/^[a-z_][a-z0-9_]{0,40}$/.test(tablePrefix)) throw new StoreConfigError('POSTGRES backend: config.tablePrefix must be lowercase letters, digits and _');
      return createPostgresStore({
        url,
        poolSize: check.int('poolSize', 1),
        statementTimeoutMs: check.int('statementTimeoutMs', 0),
        ssl: ssl as boolean | object | undefined,
        tablePrefix,
        changeRetention: check.int('changeRetention', 1),
      });
    }
    case 'REDIS':
      return createRedisStore({
        url: check.url('url', /^rediss?:\/\//i, 'a redis:// or rediss:// URL'),
        keyPrefix: check.string('keyPrefix'),
        changeRetention: check.int('changeRetention', 1),
        connectTimeoutMs: check.int('connectTimeoutMs', 1),
      });
    default:
      throw new StoreConfigError(`no keyvalue slot implementation for ${backend.type}: the store slot accepts ${Object.keys(STORE_TYPES).join(', ')}`);
  }

  function checkers(name: string) {
    return {
      url(field: string, pattern: RegExp, what: string): string {
        const value = config[field];
        if (typeof value !== 'string' || !pattern.test(value)) throw new StoreConfigError(`${name} backend: config.${field} must be ${what}`);
        return value;
      },
      string(field: string): string | undefined {
        const value = config[field];
        if (value !== undefined && (typeof value !== 'string' || value === '')) throw new StoreConfigError(`${name} backend: config.${field} must be a non-empty string`);
        return value as string | undefined;
      },
      int(field: string, min: number): number | undefined {
        const value = config[field];
        if (value !== undefined && (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)) throw new StoreConfigError(`${name} backend: config.${field} must be an integer ≥ ${min}`);
        return value as number | undefined;
      },
    };
  }
}

/**
 * The database file a SQLITE backend opens (`config.path`, default `keyvalue.db`, resolved
 * against `dataDir`, or `:memory:`); undefined for other types. The store and its lock both
 * read the path here, so they always name the same file.
 * @throws StoreConfigError when `config.path` is not a non-empty string.
 */
export function sqliteStoreFile(backend: StoreBackend, dataDir: string): string | undefined {
  if (normalType(backend.type) !== 'SQLITE') return undefined;
  const path = backend.config?.path ?? 'keyvalue.db';
  if (typeof path !== 'string' || path === '') throw new StoreConfigError('SQLITE backend: config.path must be a non-empty string');
  return path === ':memory:' || isAbsolute(path) ? path : resolve(dataDir, path);
}

/**
 * Parses the CLI form `memstore:`, `sqlite:<path>`, `postgres://…` (or `postgresql://…`) or
 * `redis://…` (or `rediss://…`).
 * @throws StoreConfigError for anything else (with any password in it redacted).
 */
export function parseStoreUri(uri: string): StoreBackend {
  const colon = uri.indexOf(':');
  const scheme = (colon < 0 ? uri : uri.slice(0, colon)).toLowerCase();
  const rest = colon < 0 ? '' : uri.slice(colon + 1);
  if (scheme === 'memstore') return { type: 'MEMSTORE' };
  if (scheme === 'sqlite') return { type: 'SQLITE', config: rest ? { path: rest } : {} };
  if ((scheme === 'postgres' || scheme === 'postgresql') && rest.startsWith('//')) return { type: 'POSTGRES', config: { url: uri } };
  if ((scheme === 'redis' || scheme === 'rediss') && rest.startsWith('//')) return { type: 'REDIS', config: { url: uri } };
  throw new StoreConfigError(`unknown backend '${redactUrl(uri)}': expected memstore:, sqlite:<path>, postgres://… or redis://…`);
}
