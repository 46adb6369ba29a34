/**
 * The admin API's definition store on PostgreSQL, shared by every gateway replica: the same
 * table as the SQLite store (`frontend_bindings`, one row per frontend name and namespace,
 * upserted; deletes are rows flagged `deleted`), the same `backends` table, and `subscribe`,
 * which calls back whenever any replica committed a change to either, so each replica can
 * reload its route table and re-bind its slots (LISTEN/NOTIFY on `prism_frontends`).
 *
 * The table is created at first use under an advisory lock, so replicas starting together
 * do not race on it.
 */
import pg from 'pg';
import type { DefinitionStore, StoredBackend, StoredFrontend } from './definition-store.js';

export interface PostgresDefinitionStoreOptions {
  /** `postgres://user:password@host:port/database?…` */
  readonly url: string;
  /** Connections in the pool (default 4). */
  readonly poolSize?: number;
  /** Longest a statement may run (ms; default 10 000; 0 = none). */
  readonly statementTimeoutMs?: number;
  /** TLS: `true` verifies the server, or node's TLS options; default off (or as the URL says). */
  readonly ssl?: boolean | { readonly rejectUnauthorized?: boolean; readonly ca?: string; readonly cert?: string; readonly key?: string };
  /** NOTIFY channel (default `prism_frontends`). */
  readonly channel?: string;
}

export interface PostgresDefinitionStore extends DefinitionStore {
  /**
   * Calls `onChange` after every change committed through any store on this database (this
   * one included), and once more after a lost connection is back (changes may have been
   * missed meanwhile). Resolves once listening, with a function that stops.
   */
  subscribe(onChange: () => void): Promise<() => Promise<void>>;
}

/** Advisory-lock keys: namespace "PRIS", then this store's table creation. */
const LOCK_NAMESPACE = 0x5052_4953;
const TABLE_LOCK = 10;

const CREATE_SQL = `CREATE TABLE IF NOT EXISTS frontend_bindings (
  name text NOT NULL,
  namespace text NOT NULL,
  path_prefix text,
  host text,
  text text NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  updated_at bigint NOT NULL,
  PRIMARY KEY (name, namespace)
)`;

// Backends registered through the admin API; `config` as applied (secret references unresolved).
const CREATE_BACKENDS_SQL = `CREATE TABLE IF NOT EXISTS backends (
  name text PRIMARY KEY,
  type text NOT NULL,
  config jsonb NOT NULL,
  deleted boolean NOT NULL DEFAULT false,
  updated_at bigint NOT NULL
)`;

interface FrontendRow {
  name: string;
  namespace: string;
  path_prefix: string | null;
  host: string | null;
  text: string;
  deleted: boolean;
}

/** Opens the store; connects lazily (the first call creates the table if missing). */
export function createPostgresDefinitionStore(options: PostgresDefinitionStoreOptions): PostgresDefinitionStore {
  const clientConfig: pg.ClientConfig = { connectionString: options.url, application_name: 'prism-gateway', connectionTimeoutMillis: 10_000 };
  const timeout = options.statementTimeoutMs ?? 10_000;
  if (timeout > 0) clientConfig.statement_timeout = timeout;
  if (options.ssl !== undefined && options.ssl !== false) clientConfig.ssl = options.ssl === true ? true : { ...options.ssl };
  const pool = new pg.Pool({ ...clientConfig, max: options.poolSize ?? 4 });
  pool.on('error', () => {});
  const channel = options.channel ?? 'prism_frontends';
  const subscriptions = new Set<() => Promise<void>>();
  let closed = false;

  let created: Promise<void> | undefined;
  const ready = () => {
    created ??= (async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, TABLE_LOCK]);
        await client.query(CREATE_SQL);
        await client.query(CREATE_BACKENDS_SQL);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    })().catch((err: unknown) => {
      created = undefined;
      throw err;
    });
    return created;
  };

  return {
    async list(): Promise<StoredFrontend[]> {
      await ready();
      const rows = (await pool.query<FrontendRow>('SELECT name, namespace, path_prefix, host, text, deleted FROM frontend_bindings ORDER BY name COLLATE "C", namespace COLLATE "C"')).rows;
      return rows.map((r) => ({
        name: r.name,
        namespace: r.namespace,
        pathPrefix: r.path_prefix ?? undefined,
        host: r.host ?? undefined,
        text: r.text,
        deleted: r.deleted,
      }));
    },

    async put(entry) {
      await ready();
      // One statement, so one transaction: the notification goes out when the row commits.
      await pool.query(
        `WITH saved AS (
           INSERT INTO frontend_bindings (name, namespace, path_prefix, host, text, deleted, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (name, namespace) DO UPDATE SET path_prefix = excluded.path_prefix,
             host = excluded.host, text = excluded.text, deleted = excluded.deleted, updated_at = excluded.updated_at
           RETURNING name)
         SELECT pg_notify($8, name) FROM saved`,
        [entry.name, entry.namespace, entry.pathPrefix ?? null, entry.host ?? null, entry.text, entry.deleted, Date.now(), channel],
      );
    },

    async listBackends(): Promise<StoredBackend[]> {
      await ready();
      const rows = (await pool.query<StoredBackend>('SELECT name, type, config, deleted FROM backends ORDER BY name COLLATE "C"')).rows;
      return rows.map((r) => ({ name: r.name, type: r.type, config: r.config, deleted: r.deleted }));
    },

    async putBackend(entry) {
      await ready();
      // Notified on the frontends' channel: a replica rereads both on any change (its
      // backends only re-bind when theirs differ), and one subscription serves both.
      await pool.query(
        `WITH saved AS (
           INSERT INTO backends (name, type, config, deleted, updated_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (name) DO UPDATE SET type = excluded.type, config = excluded.config, deleted = excluded.deleted, updated_at = excluded.updated_at
           RETURNING name)
         SELECT pg_notify($6, name) FROM saved`,
        [entry.name, entry.type, JSON.stringify(entry.config), entry.deleted, Date.now(), channel],
      );
    },

    async subscribe(onChange) {
      let stopped = false;
      let client: pg.Client | undefined;
      let timer: NodeJS.Timeout | undefined;
      let resolveFirst!: () => void;
      const first = new Promise<void>((resolve) => (resolveFirst = resolve));
      const connect = async (backoff: number, isReconnect: boolean): Promise<void> => {
        if (stopped) return resolveFirst();
        const candidate = new pg.Client({ keepAlive: true, ...clientConfig });
        // Only the connection in use reconnects when it goes; errors while connecting are
        // handled by the catch below.
        const onGone = () => {
          if (client !== candidate) return;
          client = undefined;
          candidate.end().catch(() => {});
          if (!stopped) timer = setTimeout(() => void connect(50, true), 50);
        };
        candidate.on('error', onGone);
        try {
          await candidate.connect();
          await candidate.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
        } catch {
          await candidate.end().catch(() => {});
          if (!stopped) timer = setTimeout(() => void connect(Math.min(backoff * 2, 2000), isReconnect), backoff);
          return;
        }
        if (stopped) {
          await candidate.end().catch(() => {});
          return resolveFirst();
        }
        client = candidate;
        candidate.on('end', onGone);
        candidate.on('notification', (msg) => {
          if (msg.channel === channel) onChange();
        });
        resolveFirst();
        // Whatever changed while nobody listened is picked up by reloading now.
        if (isReconnect) onChange();
      };
      const stop = async () => {
        stopped = true;
        subscriptions.delete(stop);
        if (timer) clearTimeout(timer);
        resolveFirst();
        const current = client;
        client = undefined;
        await current?.end().catch(() => {});
      };
      subscriptions.add(stop);
      if (closed) await stop();
      void connect(50, false);
      await first;
      return stop;
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((stop) => stop()));
      await created?.catch(() => {});
      await pool.end();
    },
  };
}
