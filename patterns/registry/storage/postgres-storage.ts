/**
 * The POSTGRES backend: one database shared by several registry replicas (processes).
 *
 * Each registry process serialises its own writes; across processes this backend does:
 * - every write is one transaction that first takes a transaction-scoped advisory lock
 *   (`pg_advisory_xact_lock`), by default one lock for the whole registry, so writes from all
 *   replicas run one at a time, as they do in one process. Ids come from a counters row
 *   locked `FOR UPDATE` inside the same transaction, and the id of a schema's hash is looked
 *   up again after that lock, so the same schema registered at once under two subjects on two
 *   replicas gets one id; a partial unique index on the hash (imported schemas excepted)
 *   backs that up. An insert is one statement (the function of migration 2), so the lock is
 *   held for one round trip plus the commit.
 *   Measured (2–4 writers, one per simulated replica, local PostgreSQL 15 on a busy 2-core
 *   machine): that function under the global lock 140–200 inserts/s, under per-subject locks
 *   about the same (the commit dominates); the same steps as separate statements 47–63/s
 *   (global) and 83–90/s (per subject); SERIALIZABLE with retry and no lock 38–54/s with
 *   about one retry per insert at 2 writers and four at 4. Hence the global lock by default;
 *   `locking: 'subject'` is there for write-heavy registries with many subjects.
 * - a version whose schema is already live in the subject (registered meanwhile by another
 *   replica) is answered with that version instead of being added twice.
 * - `versions.schema_id` references `schemas(id)`, so a schema can never be removed while a
 *   version (even one committing concurrently) uses it.
 * - every write NOTIFYs the channel `prism_registry` in its transaction (delivered on commit),
 *   which `watch` turns into StorageChanges for each replica's read cache; the notice carries
 *   the newest change sequence (`q`), and wakes every replica's change-feed watchers.
 * - every write appends its changes (registry-change.ts) in its transaction. The sequence is
 *   a counter row, not a SEQUENCE: nextval hands out numbers at the call, not at commit, so a
 *   reader could see 6 committed before 5 and never look back; the counter row stays locked
 *   until its transaction commits, so sequences commit in order and without gaps, however
 *   the writes are locked (`locking: 'subject'` included), and every replica reads one
 *   sequence from the shared database.
 *
 * Migrations are numbered, recorded in `schema_migrations`, and applied at open under an
 * advisory lock, so replicas starting together apply each once.
 */
import pg from 'pg';
import type { StorageChange, WatchableStorage } from './cached-storage.js';
import { compareStrings } from './compare-strings.js';
import { startListener, type Listener } from '../../../src/backends/postgres-listener.js';
import { checkChangeRetention, createChangeSignal, settingsChangeKind, type ChangeInput, type SettingsChangeKind, type StoredChange } from './registry-change.js';
import { StorageConflictError, type InsertVersionInput, type SettingKind, type SettingValues, type StoredVersion } from './registry-storage.js';
import { contractColumn, toSchema, type SchemaRow } from './schema-row.js';

export interface PostgresStorageOptions {
  /** `postgres://user:password@host:port/database?…` */
  readonly url: string;
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
  /** Longest a statement may run before PostgreSQL cancels it (ms; default 30 000; 0 = none). */
  readonly statementTimeoutMs?: number;
  /** TLS: `true` verifies the server, or node's TLS options; default off (or as the URL says). */
  readonly ssl?: boolean | { readonly rejectUnauthorized?: boolean; readonly ca?: string; readonly cert?: string; readonly key?: string };
  /**
   * `global` (default): one advisory lock serialises the writes of every replica.
   * `subject`: one lock per subject, so writes to different subjects overlap.
   */
  readonly locking?: 'global' | 'subject';
  /** NOTIFY channel (default `prism_registry`). */
  readonly channel?: string;
  /** How many of the newest changes the feed keeps (default 100,000). */
  readonly changeRetention?: number;
}

/** Advisory-lock namespace (first key of the two-key form) of this backend. */
const LOCK_NAMESPACE = 0x5052_4953; // "PRIS"
const MIGRATION_LOCK = 1;
const GLOBAL_WRITE_LOCK = 2;

/** Numbered migrations; append only, never edit one that has shipped. */
const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE schemas (
  id integer PRIMARY KEY,
  schema_type text NOT NULL,
  schema text NOT NULL,
  refs text NOT NULL,
  hash text NOT NULL,
  imported boolean NOT NULL DEFAULT false
);
CREATE INDEX schemas_by_hash ON schemas (hash, id);
CREATE UNIQUE INDEX schemas_hash_once ON schemas (hash) WHERE NOT imported;
CREATE TABLE schema_refs (
  schema_id integer NOT NULL REFERENCES schemas (id) ON DELETE CASCADE,
  subject text NOT NULL,
  version integer NOT NULL
);
CREATE INDEX schema_refs_by_target ON schema_refs (subject, version);
CREATE INDEX schema_refs_by_schema ON schema_refs (schema_id);
CREATE TABLE versions (
  subject text NOT NULL,
  version integer NOT NULL,
  schema_id integer NOT NULL REFERENCES schemas (id),
  deleted boolean NOT NULL DEFAULT false,
  PRIMARY KEY (subject, version)
);
CREATE INDEX versions_by_schema ON versions (schema_id);
CREATE TABLE settings (
  kind text NOT NULL,
  scope text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (kind, scope)
);
CREATE TABLE counters (
  name text PRIMARY KEY,
  value integer NOT NULL
);
INSERT INTO counters (name, value) VALUES ('max_id', 0);
`,
  },
  {
    // insertVersion in one round trip. Under the write lock: the id of the hash (locked FOR
    // KEY SHARE so a concurrent hard delete cannot remove it), a live version that already
    // has it, the next version, then the counters row FOR UPDATE and the hash once more
    // (a schema committed by another transaction before that lock is seen now), the rows,
    // and the NOTIFY. Each statement of a VOLATILE function sees what committed before it.
    version: 2,
    sql: `
CREATE FUNCTION prism_insert_version(
  p_subject text, p_type text, p_schema text, p_refs text, p_hash text, p_id integer, p_version integer,
  p_lock_namespace integer, p_lock_key integer, p_channel text, p_notice text)
RETURNS TABLE (out_id integer, out_version integer)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_id integer;
  v_new boolean := false;
  v_version integer;
  v_max integer;
  v_bound text;
  v_live integer;
BEGIN
  PERFORM pg_advisory_xact_lock(p_lock_namespace, coalesce(p_lock_key, hashtext(p_subject)));
  IF p_id IS NOT NULL THEN
    SELECT hash INTO v_bound FROM schemas WHERE id = p_id FOR KEY SHARE;
    IF FOUND AND v_bound <> p_hash THEN
      RAISE EXCEPTION USING ERRCODE = 'PR409', MESSAGE = format('id %s is bound to another schema', p_id);
    END IF;
    v_new := NOT FOUND;
    v_id := p_id;
  ELSE
    SELECT id INTO v_id FROM schemas WHERE hash = p_hash ORDER BY id LIMIT 1 FOR KEY SHARE;
    IF v_id IS NOT NULL AND p_version IS NULL THEN
      SELECT version INTO v_live FROM versions
        WHERE subject = p_subject AND schema_id = v_id AND NOT deleted ORDER BY version DESC LIMIT 1;
      IF v_live IS NOT NULL THEN
        out_id := v_id;
        out_version := v_live;
        RETURN NEXT;
        RETURN;
      END IF;
    END IF;
  END IF;
  IF p_version IS NOT NULL THEN
    PERFORM 1 FROM versions WHERE subject = p_subject AND version = p_version;
    IF FOUND THEN
      RAISE EXCEPTION USING ERRCODE = 'PR409', MESSAGE = format('version %s of ''%s'' exists', p_version, p_subject);
    END IF;
    v_version := p_version;
  ELSE
    SELECT coalesce(max(version), 0) + 1 INTO v_version FROM versions WHERE subject = p_subject;
  END IF;
  SELECT value INTO v_max FROM counters WHERE name = 'max_id' FOR UPDATE;
  IF v_id IS NULL THEN
    SELECT id INTO v_id FROM schemas WHERE hash = p_hash ORDER BY id LIMIT 1 FOR KEY SHARE;
    IF v_id IS NULL THEN
      v_id := v_max + 1;
      v_new := true;
    END IF;
  END IF;
  IF v_new THEN
    INSERT INTO schemas (id, schema_type, schema, refs, hash, imported)
      VALUES (v_id, p_type, p_schema, p_refs, p_hash, p_id IS NOT NULL);
    INSERT INTO schema_refs (schema_id, subject, version)
      SELECT v_id, r->>'subject', (r->>'version')::integer FROM jsonb_array_elements(p_refs::jsonb) AS r;
  END IF;
  IF v_id > v_max THEN
    UPDATE counters SET value = v_id WHERE name = 'max_id';
  END IF;
  DELETE FROM versions WHERE subject = p_subject AND schema_id = v_id AND version < v_version AND deleted;
  INSERT INTO versions (subject, version, schema_id, deleted) VALUES (p_subject, v_version, v_id, false);
  PERFORM pg_notify(p_channel, p_notice);
  out_id := v_id;
  out_version := v_version;
  RETURN NEXT;
END
$fn$;
`,
  },
  {
    // The change feed (registry-change.ts): the retained changes, the counter their sequence
    // comes from (one row, locked by each appending transaction until it commits), the
    // append, and an insert that appends too. prism_insert_version stays as it was, for a
    // replica of the previous release still running during an upgrade.
    version: 3,
    sql: `
CREATE TABLE changes (
  sequence bigint PRIMARY KEY,
  kind text NOT NULL,
  subject text NOT NULL,
  version integer,
  schema_id integer,
  schema_type text,
  time timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE change_sequence (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  last bigint NOT NULL
);
INSERT INTO change_sequence (last) VALUES (0);
CREATE FUNCTION prism_append_changes(p_changes jsonb, p_retention bigint)
RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
  v_count integer := jsonb_array_length(p_changes);
  v_last bigint;
BEGIN
  IF v_count = 0 THEN
    RETURN NULL;
  END IF;
  UPDATE change_sequence SET last = last + v_count RETURNING last INTO v_last;
  INSERT INTO changes (sequence, kind, subject, version, schema_id, schema_type)
    SELECT v_last - v_count + e.n, e.c->>'kind', e.c->>'subject', (e.c->>'version')::integer, (e.c->>'id')::integer, e.c->>'schemaType'
    FROM jsonb_array_elements(p_changes) WITH ORDINALITY AS e(c, n);
  DELETE FROM changes WHERE sequence <= v_last - p_retention;
  RETURN v_last;
END
$fn$;
CREATE FUNCTION prism_insert_version_3(
  p_subject text, p_type text, p_schema text, p_refs text, p_hash text, p_id integer, p_version integer,
  p_lock_namespace integer, p_lock_key integer, p_channel text, p_notice text, p_retention bigint)
RETURNS TABLE (out_id integer, out_version integer)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_id integer;
  v_new boolean := false;
  v_version integer;
  v_max integer;
  v_bound text;
  v_live integer;
  v_sequence bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(p_lock_namespace, coalesce(p_lock_key, hashtext(p_subject)));
  IF p_id IS NOT NULL THEN
    SELECT hash INTO v_bound FROM schemas WHERE id = p_id FOR KEY SHARE;
    IF FOUND AND v_bound <> p_hash THEN
      RAISE EXCEPTION USING ERRCODE = 'PR409', MESSAGE = format('id %s is bound to another schema', p_id);
    END IF;
    v_new := NOT FOUND;
    v_id := p_id;
  ELSE
    SELECT id INTO v_id FROM schemas WHERE hash = p_hash ORDER BY id LIMIT 1 FOR KEY SHARE;
    IF v_id IS NOT NULL AND p_version IS NULL THEN
      SELECT version INTO v_live FROM versions
        WHERE subject = p_subject AND schema_id = v_id AND NOT deleted ORDER BY version DESC LIMIT 1;
      IF v_live IS NOT NULL THEN
        -- Already live (registered meanwhile by another replica): nothing written, no change.
        out_id := v_id;
        out_version := v_live;
        RETURN NEXT;
        RETURN;
      END IF;
    END IF;
  END IF;
  IF p_version IS NOT NULL THEN
    PERFORM 1 FROM versions WHERE subject = p_subject AND version = p_version;
    IF FOUND THEN
      RAISE EXCEPTION USING ERRCODE = 'PR409', MESSAGE = format('version %s of ''%s'' exists', p_version, p_subject);
    END IF;
    v_version := p_version;
  ELSE
    SELECT coalesce(max(version), 0) + 1 INTO v_version FROM versions WHERE subject = p_subject;
  END IF;
  SELECT value INTO v_max FROM counters WHERE name = 'max_id' FOR UPDATE;
  IF v_id IS NULL THEN
    SELECT id INTO v_id FROM schemas WHERE hash = p_hash ORDER BY id LIMIT 1 FOR KEY SHARE;
    IF v_id IS NULL THEN
      v_id := v_max + 1;
      v_new := true;
    END IF;
  END IF;
  IF v_new THEN
    INSERT INTO schemas (id, schema_type, schema, refs, hash, imported)
      VALUES (v_id, p_type, p_schema, p_refs, p_hash, p_id IS NOT NULL);
    INSERT INTO schema_refs (schema_id, subject, version)
      SELECT v_id, r->>'subject', (r->>'version')::integer FROM jsonb_array_elements(p_refs::jsonb) AS r;
  END IF;
  IF v_id > v_max THEN
    UPDATE counters SET value = v_id WHERE name = 'max_id';
  END IF;
  DELETE FROM versions WHERE subject = p_subject AND schema_id = v_id AND version < v_version AND deleted;
  INSERT INTO versions (subject, version, schema_id, deleted) VALUES (p_subject, v_version, v_id, false);
  v_sequence := prism_append_changes(
    jsonb_build_array(jsonb_build_object('kind', 'SCHEMA_REGISTERED', 'subject', p_subject, 'version', v_version, 'id', v_id, 'schemaType', p_type)),
    p_retention);
  PERFORM pg_notify(p_channel, (p_notice::jsonb || jsonb_build_object('q', v_sequence))::text);
  out_id := v_id;
  out_version := v_version;
  RETURN NEXT;
END
$fn$;
`,
  },
  {
    // Data contracts (confluent-data-contracts.md): a schema's metadata and rule set, as JSON
    // text, NULL for the schemas stored before (they have none). prism_insert_version_3 stays,
    // for a replica of the previous release still running during an upgrade.
    version: 4,
    sql: `
ALTER TABLE schemas ADD COLUMN contract text;
CREATE FUNCTION prism_insert_version_4(
  p_subject text, p_type text, p_schema text, p_refs text, p_hash text, p_contract text, p_id integer, p_version integer,
  p_lock_namespace integer, p_lock_key integer, p_channel text, p_notice text, p_retention bigint)
RETURNS TABLE (out_id integer, out_version integer)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_id integer;
  v_new boolean := false;
  v_version integer;
  v_max integer;
  v_bound text;
  v_live integer;
  v_sequence bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(p_lock_namespace, coalesce(p_lock_key, hashtext(p_subject)));
  IF p_id IS NOT NULL THEN
    SELECT hash INTO v_bound FROM schemas WHERE id = p_id FOR KEY SHARE;
    IF FOUND AND v_bound <> p_hash THEN
      RAISE EXCEPTION USING ERRCODE = 'PR409', MESSAGE = format('id %s is bound to another schema', p_id);
    END IF;
    v_new := NOT FOUND;
    v_id := p_id;
  ELSE
    SELECT id INTO v_id FROM schemas WHERE hash = p_hash ORDER BY id LIMIT 1 FOR KEY SHARE;
    IF v_id IS NOT NULL AND p_version IS NULL THEN
      SELECT version INTO v_live FROM versions
        WHERE subject = p_subject AND schema_id = v_id AND NOT deleted ORDER BY version DESC LIMIT 1;
      IF v_live IS NOT NULL THEN
        -- Already live (registered meanwhile by another replica): nothing written, no change.
        out_id := v_id;
        out_version := v_live;
        RETURN NEXT;
        RETURN;
      END IF;
    END IF;
  END IF;
  IF p_version IS NOT NULL THEN
    PERFORM 1 FROM versions WHERE subject = p_subject AND version = p_version;
    IF FOUND THEN
      RAISE EXCEPTION USING ERRCODE = 'PR409', MESSAGE = format('version %s of ''%s'' exists', p_version, p_subject);
    END IF;
    v_version := p_version;
  ELSE
    SELECT coalesce(max(version), 0) + 1 INTO v_version FROM versions WHERE subject = p_subject;
  END IF;
  SELECT value INTO v_max FROM counters WHERE name = 'max_id' FOR UPDATE;
  IF v_id IS NULL THEN
    SELECT id INTO v_id FROM schemas WHERE hash = p_hash ORDER BY id LIMIT 1 FOR KEY SHARE;
    IF v_id IS NULL THEN
      v_id := v_max + 1;
      v_new := true;
    END IF;
  END IF;
  IF v_new THEN
    INSERT INTO schemas (id, schema_type, schema, refs, hash, imported, contract)
      VALUES (v_id, p_type, p_schema, p_refs, p_hash, p_id IS NOT NULL, p_contract);
    INSERT INTO schema_refs (schema_id, subject, version)
      SELECT v_id, r->>'subject', (r->>'version')::integer FROM jsonb_array_elements(p_refs::jsonb) AS r;
  END IF;
  IF v_id > v_max THEN
    UPDATE counters SET value = v_id WHERE name = 'max_id';
  END IF;
  DELETE FROM versions WHERE subject = p_subject AND schema_id = v_id AND version < v_version AND deleted;
  INSERT INTO versions (subject, version, schema_id, deleted) VALUES (p_subject, v_version, v_id, false);
  v_sequence := prism_append_changes(
    jsonb_build_array(jsonb_build_object('kind', 'SCHEMA_REGISTERED', 'subject', p_subject, 'version', v_version, 'id', v_id, 'schemaType', p_type)),
    p_retention);
  PERFORM pg_notify(p_channel, (p_notice::jsonb || jsonb_build_object('q', v_sequence))::text);
  out_id := v_id;
  out_version := v_version;
  RETURN NEXT;
END
$fn$;
`,
  },
];

/** A change as the feed's query returns it (json_agg of the row). */
interface ChangeJson {
  sequence: number;
  kind: string;
  subject: string;
  version: number | null;
  schema_id: number | null;
  schema_type: string | null;
  time_ms: number;
}

const fromChangeJson = (row: ChangeJson): StoredChange => ({
  sequence: Number(row.sequence),
  kind: row.kind as StoredChange['kind'],
  subject: row.subject,
  ...(row.version === null ? {} : { version: row.version }),
  ...(row.schema_id === null ? {} : { id: row.schema_id }),
  ...(row.schema_type === null ? {} : { schemaType: row.schema_type as StoredChange['schemaType'] }),
  time: Number(row.time_ms),
});

/** The newest migration this code knows. */
export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

interface VersionRow {
  subject: string;
  version: number;
  schema_id: number;
  deleted: boolean;
}

const toVersion = (row: VersionRow): StoredVersion => ({ subject: row.subject, version: row.version, id: row.schema_id, deleted: row.deleted });
// PostgreSQL's collation is not Java's UTF-16 order; sort here as SQLite's backend does.
const bySubjectThenVersion = (a: StoredVersion, b: StoredVersion) => compareStrings(a.subject, b.subject) || a.version - b.version;

/** The SQLSTATE prism_insert_version raises for a StorageConflictError. */
const CONFLICT = 'PR409';
/** Errors worth running the whole transaction again for. */
const RETRYABLE = new Set(['40001', '40P01', '23505']);
const MAX_ATTEMPTS = 5;

type Notice = { t: 'v' | 'd'; s: string } | { t: 'c'; k: SettingKind; s: string } | { t: 's'; k: SettingKind[]; s: string };
// NOTIFY payloads must stay under 8000 bytes; a longer one says "anything changed".
const MAX_PAYLOAD = 7000;

/** The pg client configuration these options describe. */
export function postgresClientConfig(options: Pick<PostgresStorageOptions, 'url' | 'statementTimeoutMs' | 'ssl'>): pg.ClientConfig {
  const config: pg.ClientConfig = { connectionString: options.url, application_name: 'prism-registry', connectionTimeoutMillis: 10_000 };
  const timeout = options.statementTimeoutMs ?? 30_000;
  if (timeout > 0) config.statement_timeout = timeout;
  if (options.ssl !== undefined && options.ssl !== false) config.ssl = options.ssl === true ? true : { ...options.ssl };
  return config;
}

/**
 * Opens a PostgreSQL registry store. The pool connects lazily; migrations run on first use,
 * and every method waits for them (`ready` resolves once they are applied, or rejects with
 * the connection or migration error, which every call then rejects with too).
 */
export function createPostgresStorage(options: PostgresStorageOptions): WatchableStorage & { ready(): Promise<void> } {
  const clientConfig = postgresClientConfig(options);
  const pool = new pg.Pool({ ...clientConfig, max: options.poolSize ?? 10 });
  // An idle client whose connection drops emits here; the next query gets a fresh one.
  pool.on('error', () => {});
  const channel = options.channel ?? 'prism_registry';
  const locking = options.locking ?? 'global';
  const listeners = new Set<Listener>();
  let closed = false;
  const retention = checkChangeRetention(options.changeRetention);
  // Wakes this process's change-feed watchers: at once after a local commit, and on every
  // NOTIFY (another replica's commit) once someone watches.
  const feedSignal = createChangeSignal();
  let feedListener: Listener | undefined;

  let migrated: Promise<void> | undefined;
  const ready = () => {
    // A failed attempt is retried by the next call (the database may be back).
    migrated ??= migrate(pool).catch((err: unknown) => {
      migrated = undefined;
      throw err;
    });
    return migrated;
  };

  async function read<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    await ready();
    return (await pool.query<R>(sql, params)).rows;
  }

  /** Runs `work` in one transaction holding the write lock for `subject`, retrying conflicts. */
  async function write(subject: string, notice: Notice, work: (c: pg.PoolClient) => Promise<readonly ChangeInput[]>): Promise<void> {
    await ready();
    for (let attempt = 1; ; attempt++) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        if (locking === 'global') await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, GLOBAL_WRITE_LOCK]);
        else await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_NAMESPACE, subject]);
        const changes = await work(client);
        // Last before the commit: the counter row stays locked for as short a time as can be.
        const appended =
          changes.length === 0
            ? undefined
            : (await client.query<{ q: string }>('SELECT prism_append_changes($1::jsonb, $2) AS q', [JSON.stringify(changes), retention])).rows[0]!.q;
        const payload = JSON.stringify(appended === undefined ? notice : { ...notice, q: Number(appended) });
        await client.query('SELECT pg_notify($1, $2)', [channel, Buffer.byteLength(payload) > MAX_PAYLOAD ? '{"t":"*"}' : payload]);
        await client.query('COMMIT');
        if (changes.length > 0) feedSignal.notify();
        return;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        const code = (err as { code?: string }).code;
        if (!(err instanceof StorageConflictError) && code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) continue;
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  /**
   * One statement, one round trip: the migration-2 function takes the lock, assigns, stores,
   * notifies; the statement's own transaction commits it.
   */
  async function insert(input: InsertVersionInput): Promise<{ id: number; version: number }> {
    await ready();
    const notice = JSON.stringify({ t: 'v', s: input.subject } satisfies Notice);
    for (let attempt = 1; ; attempt++) {
      try {
        const { rows } = await pool.query<{ out_id: number; out_version: number }>(
          'SELECT out_id, out_version FROM prism_insert_version_4($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)',
          [
            input.subject,
            input.schemaType,
            input.schema,
            JSON.stringify(input.references),
            input.hash,
            contractColumn(input),
            input.id ?? null,
            input.version ?? null,
            LOCK_NAMESPACE,
            locking === 'global' ? GLOBAL_WRITE_LOCK : null,
            channel,
            Buffer.byteLength(notice) > MAX_PAYLOAD ? '{"t":"*"}' : notice,
            retention,
          ],
        );
        feedSignal.notify();
        return { id: rows[0]!.out_id, version: rows[0]!.out_version };
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === CONFLICT) throw new StorageConflictError((err as Error).message);
        if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) continue;
        throw err;
      }
    }
  }

  function putSettings(scope: string, values: SettingValues, change: SettingsChangeKind): Promise<void> {
    const entries = Object.entries(values) as [SettingKind, string | null | undefined][];
    // One setting: the notice of the previous release; several (a config write names
    // compatibility and normalize): one notice naming them all, which a replica of the
    // previous release reads as "anything changed".
    const notice: Notice = entries.length === 1 ? { t: 'c', k: entries[0][0], s: scope } : { t: 's', k: entries.map(([kind]) => kind), s: scope };
    return write(scope, notice, async (c) => {
      for (const [kind, value] of entries) {
        if (value === null || value === undefined) await c.query('DELETE FROM settings WHERE kind = $1 AND scope = $2', [kind, scope]);
        else {
          await c.query('INSERT INTO settings (kind, scope, value) VALUES ($1, $2, $3) ON CONFLICT (kind, scope) DO UPDATE SET value = excluded.value', [
            kind,
            scope,
            value,
          ]);
        }
      }
      return [{ kind: change, subject: scope }];
    });
  }

  function toChanges(payload: string): StorageChange[] {
    try {
      const n = JSON.parse(payload) as Notice | { t: '*' };
      if (n.t === 'v') return [{ type: 'versions', subject: n.s }];
      if (n.t === 'd') return [{ type: 'hard-delete', subject: n.s }];
      if (n.t === 'c') return [{ type: 'setting', kind: n.k, scope: n.s }];
      if (n.t === 's' && Array.isArray(n.k)) return n.k.map((kind) => ({ type: 'setting', kind, scope: n.s }));
    } catch {
      // fall through: an unreadable notice means anything may have changed
    }
    return [{ type: 'all' }];
  }

  return {
    ready,
    async getSchema(id) {
      const rows = await read<SchemaRow>('SELECT id, schema_type, schema, refs, hash, contract FROM schemas WHERE id = $1', [id]);
      return rows[0] && toSchema(rows[0]);
    },
    async findSchemaIds(hash) {
      return (await read<{ id: number }>('SELECT id FROM schemas WHERE hash = $1 ORDER BY id', [hash])).map((r) => r.id);
    },
    async listVersions(subject) {
      return (await read<VersionRow>('SELECT subject, version, schema_id, deleted FROM versions WHERE subject = $1 ORDER BY version', [subject])).map(toVersion);
    },
    async listAllVersions() {
      return (await read<VersionRow>('SELECT subject, version, schema_id, deleted FROM versions', [])).map(toVersion).sort(bySubjectThenVersion);
    },
    async listVersionsOfSchema(id) {
      return (await read<VersionRow>('SELECT subject, version, schema_id, deleted FROM versions WHERE schema_id = $1', [id]))
        .map(toVersion)
        .sort(bySubjectThenVersion);
    },
    async listReferrers(subject, version) {
      const rows = await read<{ schema_id: number }>(
        'SELECT DISTINCT schema_id FROM schema_refs WHERE subject = $1 AND version = $2 ORDER BY schema_id',
        [subject, version],
      );
      return rows.map((r) => r.schema_id);
    },
    async maxId() {
      return (await read<{ value: number }>("SELECT value FROM counters WHERE name = 'max_id'", []))[0]!.value;
    },
    async getSetting(kind, scope) {
      return (await read<{ value: string }>('SELECT value FROM settings WHERE kind = $1 AND scope = $2', [kind, scope]))[0]?.value;
    },

    insertVersion: insert,
    async softDeleteVersions(subject, list, scope = 'versions') {
      if (list.length === 0) return;
      await write(subject, { t: 'v', s: subject }, async (c) => {
        const deleted = await c.query<{ version: number; schema_id: number }>(
          'UPDATE versions SET deleted = true WHERE subject = $1 AND version = ANY($2::integer[]) AND NOT deleted RETURNING version, schema_id',
          [subject, [...list]],
        );
        if (deleted.rows.length === 0) return [];
        if (scope === 'subject') return [{ kind: 'SUBJECT_DELETED', subject }];
        return deleted.rows
          .sort((a, b) => a.version - b.version)
          .map((r): ChangeInput => ({ kind: 'VERSION_DELETED', subject, version: r.version, id: r.schema_id }));
      });
    },
    async hardDeleteVersions(subject, list, scope = 'versions') {
      if (list.length === 0) return;
      await write(subject, { t: 'd', s: subject }, async (c) => {
        const removed = await c.query<{ version: number; schema_id: number }>(
          'DELETE FROM versions WHERE subject = $1 AND version = ANY($2::integer[]) RETURNING version, schema_id',
          [subject, [...list]],
        );
        for (const id of new Set(removed.rows.map((r) => r.schema_id))) {
          // A version committed meanwhile by another transaction may use it again: the
          // foreign key refuses the delete then, and the schema stays.
          await c.query('SAVEPOINT drop_schema');
          try {
            await c.query('DELETE FROM schemas WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM versions WHERE schema_id = $1)', [id]);
            await c.query('RELEASE SAVEPOINT drop_schema');
          } catch (err) {
            if ((err as { code?: string }).code !== '23503') throw err;
            await c.query('ROLLBACK TO SAVEPOINT drop_schema');
          }
        }
        await c.query('DELETE FROM settings WHERE scope = $1 AND NOT EXISTS (SELECT 1 FROM versions WHERE subject = $1)', [subject]);
        if (removed.rows.length === 0) return [];
        if (scope === 'subject') return [{ kind: 'SUBJECT_PERMANENTLY_DELETED', subject }];
        return removed.rows
          .sort((a, b) => a.version - b.version)
          .map((r): ChangeInput => ({ kind: 'VERSION_PERMANENTLY_DELETED', subject, version: r.version, id: r.schema_id }));
      });
    },
    putSetting: (kind, scope, value) => putSettings(scope, { [kind]: value ?? null }, settingsChangeKind(kind === 'mode', value === undefined)),
    putSettings: (scope, values, change) => putSettings(scope, values, change),

    async changesAfter(after, prefix, limit) {
      // One statement, one snapshot: the page and the range it is checked against agree.
      const rows = await read<{ oldest: string | null; latest: string; page: ChangeJson[] }>(
        `WITH page AS (
           SELECT sequence, kind, subject, version, schema_id, schema_type, floor(extract(epoch FROM time) * 1000)::bigint AS time_ms
           FROM changes WHERE sequence > $1 AND starts_with(subject, $2) ORDER BY sequence LIMIT $3)
         SELECT (SELECT min(sequence) FROM changes) AS oldest,
                (SELECT last FROM change_sequence) AS latest,
                coalesce((SELECT json_agg(page ORDER BY sequence) FROM page), '[]'::json) AS page`,
        [after, prefix, limit],
      );
      const row = rows[0]!;
      return { changes: row.page.map(fromChangeJson), oldest: row.oldest === null ? undefined : Number(row.oldest), latest: Number(row.latest) };
    },
    async subscribeChanges(listener) {
      const unsubscribe = feedSignal.subscribe(listener);
      // One LISTEN connection for every watcher of this process, from the first one until
      // close. A lost connection wakes the watchers too: they read the table again, which
      // misses nothing (the feed is durable, only the wake-up was lost).
      if (!feedListener && !closed) {
        const wake = () => feedSignal.notify();
        feedListener = startListener({ client: clientConfig, channel }, { notification: wake, lost: wake, resumed: wake });
        listeners.add(feedListener);
      }
      await feedListener?.ready;
      return unsubscribe;
    },

    async watch(onChange) {
      const listener = startListener(
        { client: clientConfig, channel },
        {
          notification: (payload) => {
            for (const change of toChanges(payload)) onChange(change);
          },
          lost: () => onChange({ type: 'lost' }),
          resumed: () => onChange({ type: 'resumed' }),
        },
      );
      listeners.add(listener);
      const stop = async () => {
        listeners.delete(listener);
        await listener.stop();
      };
      if (closed) await stop();
      await listener.ready;
      return stop;
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...listeners].map((l) => l.stop()));
      listeners.clear();
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
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const newest = Math.max(0, ...applied);
    if (newest > POSTGRES_SCHEMA_VERSION) {
      throw new Error(`the registry database is at schema version ${newest}, newer than this registry knows (${POSTGRES_SCHEMA_VERSION})`);
    }
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw err;
  } finally {
    client.release(broken);
  }
}
