/**
 * Where frontends applied and backends registered through the admin API persist, so they
 * survive restarts. The
 * embedded store is a SQLite file in the data dir; every write is one committed transaction.
 */
import Database from 'better-sqlite3';

export interface StoredFrontend {
  name: string;
  namespace: string;
  pathPrefix?: string;
  host?: string;
  /** The definition text as applied (YAML or JSON). */
  text: string;
  /** Deleted entries hide a frontend that a config file would otherwise load. */
  deleted: boolean;
}

/** A backend registered through the admin API (REGISTER/UPDATE/DELETE_BACKEND). */
export interface StoredBackend {
  name: string;
  type: string;
  /** As applied: secret references unresolved (a resolved secret is never stored). */
  config: Record<string, unknown>;
  deleted: boolean;
}

export interface DefinitionStore {
  list(): Promise<StoredFrontend[]>;
  put(entry: StoredFrontend): Promise<void>;
  /** Backends registered through the admin API, deleted ones flagged. */
  listBackends(): Promise<StoredBackend[]>;
  putBackend(entry: StoredBackend): Promise<void>;
  close(): Promise<void>;
}

export function createSqliteDefinitionStore(file: string): DefinitionStore {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // One row per frontend and namespace: a frontend may be bound to several namespaces.
  db.exec(`CREATE TABLE IF NOT EXISTS frontend_bindings (
    name TEXT NOT NULL,
    namespace TEXT NOT NULL,
    path_prefix TEXT,
    host TEXT,
    text TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (name, namespace)
  )`);
  db.exec(`CREATE TABLE IF NOT EXISTS backends (
    name TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    config TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
  )`);
  const listBackendsStmt = db.prepare('SELECT name, type, config, deleted FROM backends ORDER BY name');
  const putBackendStmt = db.prepare(`INSERT INTO backends (name, type, config, deleted, updated_at) VALUES (@name, @type, @config, @deleted, @updatedAt)
    ON CONFLICT(name) DO UPDATE SET type = excluded.type, config = excluded.config, deleted = excluded.deleted, updated_at = excluded.updated_at`);
  const listStmt = db.prepare('SELECT name, namespace, path_prefix, host, text, deleted FROM frontend_bindings ORDER BY name, namespace');
  const putStmt = db.prepare(`INSERT INTO frontend_bindings (name, namespace, path_prefix, host, text, deleted, updated_at)
    VALUES (@name, @namespace, @pathPrefix, @host, @text, @deleted, @updatedAt)
    ON CONFLICT(name, namespace) DO UPDATE SET path_prefix = excluded.path_prefix,
      host = excluded.host, text = excluded.text, deleted = excluded.deleted, updated_at = excluded.updated_at`);
  return {
    async list() {
      return (listStmt.all() as { name: string; namespace: string; path_prefix: string | null; host: string | null; text: string; deleted: number }[]).map((r) => ({
        name: r.name,
        namespace: r.namespace,
        pathPrefix: r.path_prefix ?? undefined,
        host: r.host ?? undefined,
        text: r.text,
        deleted: r.deleted === 1,
      }));
    },
    async put(entry) {
      putStmt.run({ name: entry.name, namespace: entry.namespace, pathPrefix: entry.pathPrefix ?? null, host: entry.host ?? null, text: entry.text, deleted: entry.deleted ? 1 : 0, updatedAt: Date.now() });
    },
    async listBackends() {
      return (listBackendsStmt.all() as { name: string; type: string; config: string; deleted: number }[]).map((r) => ({
        name: r.name,
        type: r.type,
        config: JSON.parse(r.config) as Record<string, unknown>,
        deleted: r.deleted === 1,
      }));
    },
    async putBackend(entry) {
      putBackendStmt.run({ name: entry.name, type: entry.type, config: JSON.stringify(entry.config), deleted: entry.deleted ? 1 : 0, updatedAt: Date.now() });
    },
    async close() {
      db.close();
    },
  };
}
