/**
 * The POSTGRES DEK store: its own tables (`dek_keks`, `dek_deks`) in the registry's database,
 * shared by every registry replica.
 *
 * Every write is one transaction that first takes one transaction-scoped advisory lock (the
 * DEK registry's; DEK writes are rare next to reads, so one lock for all of them costs
 * nothing and makes each write's checks — "no DEK left under this KEK", "this version does
 * not exist yet", the key count — true at its commit on every replica). Its reads run on the
 * same connection after the lock, so they see every write committed before. The primary keys
 * back the version uniqueness up. A write resolves only after COMMIT returned.
 *
 * Reads outside writes go to the pool (what has committed); there is no cache to keep
 * coherent. Migrations are numbered, recorded in `dek_registry_migrations` (apart from the
 * registry's own `schema_migrations`), and applied at first use under an advisory lock.
 */
import pg from 'pg';
import { postgresClientConfig, type PostgresStorageOptions } from '../../storage/postgres-storage.js';
import type { DekFilter, DekReads, DekStorage, DekWrite } from './dek-storage.js';
import { dekFromRow, kekFromRow, type ColumnReader, type DekRowOf, type KekRowOf } from './dek-rows.js';

export type PostgresDekStorageOptions = Pick<PostgresStorageOptions, 'url' | 'statementTimeoutMs' | 'ssl'> & {
  /** Connections in the pool (default 4: DEK traffic is light). */
  readonly poolSize?: number;
};

/** Advisory-lock namespace of the DEK registry ("PRDK"), apart from the registry's. */
const LOCK_NAMESPACE = 0x5052_444b;
const MIGRATION_LOCK = 1;
const WRITE_LOCK = 2;

/** Numbered migrations; append only, never edit one that has shipped. */
const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE dek_keks (
  name text PRIMARY KEY,
  kms_type text NOT NULL,
  kms_key_id text NOT NULL,
  kms_props jsonb NOT NULL,
  doc text NOT NULL,
  shared boolean NOT NULL,
  ts bigint NOT NULL,
  deleted boolean NOT NULL
);
CREATE TABLE dek_deks (
  kek_name text NOT NULL REFERENCES dek_keks (name),
  subject text NOT NULL,
  algorithm text NOT NULL,
  version integer NOT NULL,
  encrypted_key_material text NOT NULL,
  ts bigint NOT NULL,
  deleted boolean NOT NULL,
  PRIMARY KEY (kek_name, subject, algorithm, version)
);
`,
  },
];
const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

// jsonb comes back as an object and boolean as boolean; bigint comes back as a string.
type KekRow = KekRowOf<{ ts: string }>;
type DekRow = DekRowOf<{ ts: string }>;
const columns: ColumnReader<Record<string, string>, boolean, string> = { props: (value) => value, flag: (value) => value, epoch: Number };
const toKek = (row: KekRow) => kekFromRow(row, columns);
const toDek = (row: DekRow) => dekFromRow(row, columns);

type Queryable = Pick<pg.PoolClient, 'query'>;

/** Reads through one connection (the pool, or a write's transaction). */
function readsOn(db: Queryable): DekReads {
  return {
    kek: async (name) => {
      const { rows } = await db.query<KekRow>('SELECT * FROM dek_keks WHERE name = $1', [name]);
      return rows[0] && toKek(rows[0]);
    },
    keks: async () => (await db.query<KekRow>('SELECT * FROM dek_keks')).rows.map(toKek),
    deks: async (filter: DekFilter) =>
      (
        await db.query<DekRow>(
          `SELECT * FROM dek_deks WHERE ($1::text IS NULL OR kek_name = $1)
             AND ($2::text IS NULL OR subject = $2) AND ($3::text IS NULL OR algorithm = $3)`,
          [filter.kekName ?? null, filter.subject ?? null, filter.algorithm ?? null],
        )
      ).rows.map(toDek),
    counts: async () => {
      const { rows } = await db.query<{ keks: string; deks: string }>('SELECT (SELECT count(*) FROM dek_keks) AS keks, (SELECT count(*) FROM dek_deks) AS deks');
      return { keks: Number(rows[0].keks), deks: Number(rows[0].deks) };
    },
  };
}

async function apply(db: Queryable, w: DekWrite): Promise<void> {
  switch (w.op) {
    case 'putKek': {
      const k = w.kek;
      await db.query(
        `INSERT INTO dek_keks (name, kms_type, kms_key_id, kms_props, doc, shared, ts, deleted) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (name) DO UPDATE SET kms_type = $2, kms_key_id = $3, kms_props = $4, doc = $5, shared = $6, ts = $7, deleted = $8`,
        [k.name, k.kmsType, k.kmsKeyId, JSON.stringify(k.kmsProps), k.doc, k.shared, k.ts, k.deleted],
      );
      return;
    }
    case 'removeKek':
      await db.query('DELETE FROM dek_keks WHERE name = $1', [w.name]);
      return;
    case 'putDek': {
      const d = w.dek;
      await db.query(
        `INSERT INTO dek_deks (kek_name, subject, algorithm, version, encrypted_key_material, ts, deleted) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (kek_name, subject, algorithm, version) DO UPDATE SET encrypted_key_material = $5, ts = $6, deleted = $7`,
        [d.kekName, d.subject, d.algorithm, d.version, d.encryptedKeyMaterial, d.ts, d.deleted],
      );
      return;
    }
    case 'removeDek':
      await db.query('DELETE FROM dek_deks WHERE kek_name = $1 AND subject = $2 AND algorithm = $3 AND version = $4', [w.id.kekName, w.id.subject, w.id.algorithm, w.id.version]);
      return;
  }
}

/**
 * Opens the DEK tables of a PostgreSQL registry database. Connects lazily; the first call
 * applies the migrations (a failed attempt is retried by the next call).
 */
export function createPostgresDekStorage(options: PostgresDekStorageOptions): DekStorage {
  const pool = new pg.Pool({ ...postgresClientConfig(options), application_name: 'prism-registry-dek', max: options.poolSize ?? 4 });
  // An idle client whose connection drops emits here; the next query gets a fresh one.
  pool.on('error', () => {});
  let migrated: Promise<void> | undefined;
  const ready = () => {
    migrated ??= migrate(pool).catch((err: unknown) => {
      migrated = undefined;
      throw err;
    });
    return migrated;
  };
  const poolReads = readsOn(pool);
  const reads: DekReads = {
    kek: async (name) => (await ready(), poolReads.kek(name)),
    keks: async () => (await ready(), poolReads.keks()),
    deks: async (filter) => (await ready(), poolReads.deks(filter)),
    counts: async () => (await ready(), poolReads.counts()),
  };
  let closed = false;
  return {
    reads,
    async write(work) {
      await ready();
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, WRITE_LOCK]);
        const { result, writes } = await work(readsOn(client));
        for (const w of writes) await apply(client, w);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw err;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await migrated?.catch(() => {});
      await pool.end();
    },
  };
}

/** Applies the migrations this database lacks, once, however many replicas start at once. */
async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS dek_registry_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM dek_registry_migrations')).rows.map((r) => r.version));
    const newest = Math.max(0, ...applied);
    if (newest > SCHEMA_VERSION) throw new Error(`the DEK registry tables are at schema version ${newest}, newer than this registry knows (${SCHEMA_VERSION})`);
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO dek_registry_migrations (version) VALUES ($1)', [m.version]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw err;
  } finally {
    client.release(broken);
  }
}
