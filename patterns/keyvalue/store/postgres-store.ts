/**
 * The POSTGRES keyvalue store (pg): several pattern processes may share one database.
 *
 * Every write is one transaction that first takes a transaction-scoped advisory lock for the
 * store, so writes commit in the order of the versions they take (`nextval` runs under the
 * lock): a key's versions grow, a compare-and-set reads what it replaces, and the change log
 * is gap-free in commit order. Each write also appends to `<prefix>changes` and NOTIFYs
 * `<prefix>changes` with its version; one LISTEN connection per process reads the log after
 * each notification (and after a reconnection, so nothing committed meanwhile is missed) and
 * fans the changes out to the process's watchers in version order. The log keeps the newest
 * `changeRetention` changes.
 *
 * Expiry times come from the database's clock, so replicas on skewed hosts agree.
 */
import pg from 'pg';
import { startListener, type Listener } from '../../../src/backends/postgres-listener.js';
import { KEYVALUE_INTERFACES, type KeyValueStore, type ScannedEntry, type StoredEntry } from './keyvalue-store.js';
import { createWatchHub } from './watch-hub.js';

export interface PostgresStoreOptions {
  readonly url: string;
  readonly poolSize?: number;
  readonly statementTimeoutMs?: number;
  readonly ssl?: pg.ClientConfig['ssl'];
  /** Prefix of the store's tables and NOTIFY channel (default `kv_`): several stores per schema. */
  readonly tablePrefix?: string;
  /** How many of the newest changes the log keeps for watchers catching up (default 10,000). */
  readonly changeRetention?: number;
  /** How often expired rows are deleted (they are invisible at once anyway). */
  readonly sweepIntervalMs?: number;
}

/** The database clock in milliseconds since the epoch. */
const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';
const CHANGE_PAGE = 500;

interface EntryRow {
  key: Buffer;
  value: Buffer;
  content_type: string;
  version: string;
  expires_at: string | null;
}

export function createPostgresStore(options: PostgresStoreOptions): KeyValueStore {
  const prefix = options.tablePrefix ?? 'kv_';
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(prefix)) throw new Error(`tablePrefix must be lowercase letters, digits and _ (at most 41), not '${prefix}'`);
  const entries = pg.escapeIdentifier(`${prefix}entries`);
  const changes = pg.escapeIdentifier(`${prefix}changes`);
  const sequence = pg.escapeIdentifier(`${prefix}version`);
  const channel = `${prefix}changes`;
  const retention = options.changeRetention ?? 10_000;
  const clientConfig: pg.ClientConfig = {
    connectionString: options.url,
    ssl: options.ssl,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  };
  const pool = new pg.Pool({ ...clientConfig, max: options.poolSize ?? 10 });
  // An idle client's error (the server restarting) must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const hub = createWatchHub();
  let closed = false;

  // The lock serialising this store's writers, whatever schema the connection's search_path names.
  const LOCK = `SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.' || ${pg.escapeLiteral(prefix)}))`;
  const LIVE = `(expires_at IS NULL OR expires_at > ${NOW_MS})`;

  let migrated: Promise<void> | undefined;
  const migrate = () =>
    (migrated ??= transaction(async (c) => {
      await c.query(LOCK);
      await c.query(`CREATE TABLE IF NOT EXISTS ${entries} (
        key bytea PRIMARY KEY, value bytea NOT NULL, content_type text NOT NULL, version bigint NOT NULL, expires_at bigint)`);
      await c.query(`CREATE TABLE IF NOT EXISTS ${changes} (
        version bigint PRIMARY KEY, kind text NOT NULL, key bytea NOT NULL, value bytea NOT NULL, content_type text NOT NULL)`);
      await c.query(`CREATE SEQUENCE IF NOT EXISTS ${sequence}`);
    }).catch((err: unknown) => {
      migrated = undefined;
      throw err;
    }));

  async function transaction<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** A write: migrated, locked, and the change logged and announced in the same transaction. */
  async function write<T>(work: (c: pg.PoolClient, version: () => Promise<number>) => Promise<T>): Promise<T> {
    if (closed) throw new Error('the PostgreSQL store is closed');
    await migrate();
    return transaction(async (c) => {
      await c.query(LOCK);
      return work(c, async () => Number((await c.query<{ v: string }>(`SELECT nextval('${sequence.replace(/'/g, "''")}') AS v`)).rows[0].v));
    });
  }

  async function logChange(c: pg.PoolClient, kind: 'PUT' | 'DELETE', key: Buffer, version: number, value: Buffer, contentType: string) {
    await c.query(`INSERT INTO ${changes} (version, kind, key, value, content_type) VALUES ($1, $2, $3, $4, $5)`, [version, kind, key, value, contentType]);
    await c.query(`DELETE FROM ${changes} WHERE version <= $1`, [version - retention]);
    await c.query('SELECT pg_notify($1, $2)', [channel, String(version)]);
  }

  async function read<T extends pg.QueryResultRow>(sql: string, values: unknown[]): Promise<T[]> {
    if (closed) throw new Error('the PostgreSQL store is closed');
    await migrate();
    return (await pool.query<T>(sql, values)).rows;
  }

  const currentOf = async (c: pg.PoolClient, key: Buffer) =>
    (await c.query<{ version: string }>(`SELECT version FROM ${entries} WHERE key = $1 AND ${LIVE}`, [key])).rows[0];

  // The change reader: started by the first watch, one per store.
  let reader: Promise<void> | undefined;
  let listener: Listener | undefined;
  let lastSeen = 0;
  let pumping = false;
  let pumpAgain = false;
  async function pump(): Promise<void> {
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        for (;;) {
          const rows = (
            await pool.query<{ version: string; kind: 'PUT' | 'DELETE'; key: Buffer; value: Buffer; content_type: string }>(
              `SELECT version, kind, key, value, content_type FROM ${changes} WHERE version > $1 ORDER BY version LIMIT ${CHANGE_PAGE}`,
              [lastSeen],
            )
          ).rows;
          for (const row of rows) {
            lastSeen = Number(row.version);
            hub.publish({ kind: row.kind, key: row.key, version: lastSeen, value: row.value, contentType: row.content_type });
          }
          if (rows.length < CHANGE_PAGE) break;
        }
      } while (pumpAgain && !closed);
    } catch {
      // The database went away mid-read: the listener's reconnection pumps again from lastSeen.
    } finally {
      pumping = false;
    }
  }
  const startReader = () =>
    (reader ??= (async () => {
      await migrate();
      listener = startListener({ client: clientConfig, channel }, { notification: () => void pump(), lost: () => {}, resumed: () => void pump() });
      await listener.ready;
      // After LISTEN: whatever commits from here on is both above lastSeen and notified.
      lastSeen = Number((await pool.query<{ v: string }>(`SELECT coalesce(max(version), 0) AS v FROM ${changes}`)).rows[0].v);
    })().catch((err: unknown) => {
      reader = undefined;
      void listener?.stop();
      throw err;
    }));

  const sweep = setInterval(() => {
    if (migrated) pool.query(`DELETE FROM ${entries} WHERE expires_at <= ${NOW_MS}`).catch(() => {});
  }, options.sweepIntervalMs ?? 60_000);
  sweep.unref();

  const toExpiry = (value: string | null) => (value === null ? undefined : Number(value));

  return {
    interfaces: KEYVALUE_INTERFACES,
    async get(key) {
      const [row] = await read<EntryRow>(`SELECT key, value, content_type, version, expires_at FROM ${entries} WHERE key = $1 AND ${LIVE}`, [key]);
      return row && ({ key: row.key, value: row.value, contentType: row.content_type, version: Number(row.version), expiresAt: toExpiry(row.expires_at) } satisfies StoredEntry);
    },
    async set(input) {
      return write(async (c, nextVersion) => {
        const current = await currentOf(c, input.key);
        const currentVersion = current ? Number(current.version) : 0;
        if (input.expectedVersion !== undefined && input.expectedVersion !== currentVersion) return { status: 'mismatch', current: currentVersion } as const;
        const version = await nextVersion();
        const { rows } = await c.query<{ expires_at: string | null }>(
          `INSERT INTO ${entries} (key, value, content_type, version, expires_at)
           VALUES ($1, $2, $3, $4, CASE WHEN $5::bigint IS NULL THEN NULL ELSE ${NOW_MS} + $5::bigint END)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value, content_type = excluded.content_type, version = excluded.version, expires_at = excluded.expires_at
           RETURNING expires_at`,
          [input.key, input.value, input.contentType, version, input.ttlMs ?? null],
        );
        await logChange(c, 'PUT', input.key, version, input.value, input.contentType);
        return { status: 'written', version, created: current === undefined, expiresAt: toExpiry(rows[0].expires_at) } as const;
      });
    },
    async delete(key, expectedVersion) {
      return write(async (c, nextVersion) => {
        const current = await currentOf(c, key);
        if (!current) return { status: 'absent' } as const;
        const currentVersion = Number(current.version);
        if (expectedVersion !== undefined && expectedVersion !== currentVersion) return { status: 'mismatch', current: currentVersion } as const;
        await c.query(`DELETE FROM ${entries} WHERE key = $1`, [key]);
        await logChange(c, 'DELETE', key, await nextVersion(), Buffer.alloc(0), '');
        return { status: 'deleted', version: currentVersion } as const;
      });
    },
    async scan(keyPrefix, after, limit) {
      // bytea compares bytewise; `key >= prefix` bounds the primary key range.
      const rows = await read<{ key: Buffer; version: string; size: number; content_type: string; expires_at: string | null }>(
        `SELECT key, version, length(value) AS size, content_type, expires_at FROM ${entries}
         WHERE key > $1 AND key >= $2 AND substring(key from 1 for $3) = $2 AND ${LIVE}
         ORDER BY key LIMIT $4`,
        [after ?? Buffer.alloc(0), keyPrefix, keyPrefix.length, limit],
      );
      return rows.map((row): ScannedEntry => ({ key: row.key, version: Number(row.version), size: row.size, contentType: row.content_type, expiresAt: toExpiry(row.expires_at) }));
    },
    async watch(keyPrefix, watcher) {
      if (closed) throw new Error('the PostgreSQL store is closed');
      await startReader();
      return hub.subscribe(keyPrefix, watcher);
    },
    async ping() {
      await read('SELECT 1', []);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweep);
      hub.failAll(new Error('the store is closing'));
      await listener?.stop();
      await pool.end();
    },
  };
}
