/**
 * The SQLITE backend (better-sqlite3 12; 13 crashes on Node 20): the embedded default.
 *
 * Durability (DESIGN.md §4): WAL journal with `synchronous=NORMAL` survives a SIGKILL of the
 * process (a committed transaction is in the WAL file before `COMMIT` returns);
 * `synchronous: 'FULL'` also survives power loss. Every write is one `BEGIN IMMEDIATE`
 * transaction, and ids and versions are computed inside it, so two writers can never
 * obtain the same number. better-sqlite3 is synchronous, so a write's Promise resolves
 * only after its `COMMIT` has returned.
 *
 * One SQLite file serves one registry process: the registry's read cache is in-process.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { compareStrings } from './compare-strings.js';
import {
  StorageConflictError,
  type InsertVersionInput,
  type RegistryStorage,
  type StoredVersion,
} from './registry-storage.js';
import { toSchema, type SchemaRow } from './schema-row.js';

export interface SqliteStorageOptions {
  /** File path; its folder is created if missing. `:memory:` works for experiments. */
  readonly path: string;
  /** `NORMAL` (default): survives process crashes; `FULL`: also power loss. */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /** How long a write waits for another connection's lock before failing (ms). */
  readonly busyTimeoutMs?: number;
}

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS schemas (
  id INTEGER PRIMARY KEY,
  schema_type TEXT NOT NULL,
  schema TEXT NOT NULL,
  refs TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS schemas_by_hash ON schemas (hash);
CREATE TABLE IF NOT EXISTS schema_refs (
  schema_id INTEGER NOT NULL,
  subject TEXT NOT NULL,
  version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS schema_refs_by_target ON schema_refs (subject, version);
CREATE INDEX IF NOT EXISTS schema_refs_by_schema ON schema_refs (schema_id);
CREATE TABLE IF NOT EXISTS versions (
  subject TEXT NOT NULL,
  version INTEGER NOT NULL,
  schema_id INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (subject, version)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS versions_by_schema ON versions (schema_id);
CREATE TABLE IF NOT EXISTS settings (
  kind TEXT NOT NULL,
  scope TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (kind, scope)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO counters (name, value) VALUES ('max_id', 0);
`;

interface VersionRow {
  subject: string;
  version: number;
  schema_id: number;
  deleted: number;
}

const toVersion = (row: VersionRow): StoredVersion => ({
  subject: row.subject,
  version: row.version,
  id: row.schema_id,
  deleted: row.deleted !== 0,
});
// SQLite orders TEXT by UTF-8 bytes; Confluent orders by UTF-16 units (Java), so sort here.
const bySubjectThenVersion = (a: StoredVersion, b: StoredVersion) => compareStrings(a.subject, b.subject) || a.version - b.version;

/**
 * Opens (creating if needed) a SQLite registry store.
 * @throws the better-sqlite3 error when the file cannot be opened or is not a database.
 */
export function createSqliteStorage(options: SqliteStorageOptions): RegistryStorage {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  db.exec(SCHEMA_SQL);

  const q = {
    schemaById: db.prepare<[number], SchemaRow>('SELECT * FROM schemas WHERE id = ?'),
    idsByHash: db.prepare<[string], { id: number }>('SELECT id FROM schemas WHERE hash = ? ORDER BY id'),
    versionsOf: db.prepare<[string], VersionRow>('SELECT * FROM versions WHERE subject = ? ORDER BY version'),
    allVersions: db.prepare<[], VersionRow>('SELECT * FROM versions'),
    versionsOfSchema: db.prepare<[number], VersionRow>('SELECT * FROM versions WHERE schema_id = ?'),
    referrers: db.prepare<[string, number], { schema_id: number }>(
      'SELECT DISTINCT schema_id FROM schema_refs WHERE subject = ? AND version = ? ORDER BY schema_id',
    ),
    maxId: db.prepare<[], { value: number }>("SELECT value FROM counters WHERE name = 'max_id'"),
    setMaxId: db.prepare<[number], unknown>("UPDATE counters SET value = max(value, ?) WHERE name = 'max_id'"),
    getSetting: db.prepare<[string, string], { value: string }>('SELECT value FROM settings WHERE kind = ? AND scope = ?'),
    putSetting: db.prepare<[string, string, string], unknown>(
      'INSERT INTO settings (kind, scope, value) VALUES (?, ?, ?) ON CONFLICT (kind, scope) DO UPDATE SET value = excluded.value',
    ),
    deleteSetting: db.prepare<[string, string], unknown>('DELETE FROM settings WHERE kind = ? AND scope = ?'),
    deleteSubjectSettings: db.prepare<[string], unknown>('DELETE FROM settings WHERE scope = ?'),
    maxVersion: db.prepare<[string], { v: number | null }>('SELECT max(version) AS v FROM versions WHERE subject = ?'),
    versionExists: db.prepare<[string, number], { n: number }>('SELECT 1 AS n FROM versions WHERE subject = ? AND version = ?'),
    insertSchema: db.prepare<[number, string, string, string, string], unknown>(
      'INSERT INTO schemas (id, schema_type, schema, refs, hash) VALUES (?, ?, ?, ?, ?)',
    ),
    insertRef: db.prepare<[number, string, number], unknown>('INSERT INTO schema_refs (schema_id, subject, version) VALUES (?, ?, ?)'),
    insertVersion: db.prepare<[string, number, number], unknown>('INSERT INTO versions (subject, version, schema_id, deleted) VALUES (?, ?, ?, 0)'),
    dropOlderSoftDeleted: db.prepare<[string, number, number], unknown>(
      'DELETE FROM versions WHERE subject = ? AND schema_id = ? AND version < ? AND deleted = 1',
    ),
    softDelete: db.prepare<[string, number], unknown>('UPDATE versions SET deleted = 1 WHERE subject = ? AND version = ?'),
    versionRow: db.prepare<[string, number], VersionRow>('SELECT * FROM versions WHERE subject = ? AND version = ?'),
    hardDelete: db.prepare<[string, number], unknown>('DELETE FROM versions WHERE subject = ? AND version = ?'),
    countSubject: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM versions WHERE subject = ?'),
    schemaUsed: db.prepare<[number], { n: number }>('SELECT 1 AS n FROM versions WHERE schema_id = ? LIMIT 1'),
    deleteSchema: db.prepare<[number], unknown>('DELETE FROM schemas WHERE id = ?'),
    deleteRefs: db.prepare<[number], unknown>('DELETE FROM schema_refs WHERE schema_id = ?'),
  };

  const insertTx = db.transaction((input: InsertVersionInput): { id: number; version: number } => {
    let id: number;
    if (input.id !== undefined) {
      const bound = q.schemaById.get(input.id);
      if (bound && bound.hash !== input.hash) throw new StorageConflictError(`id ${input.id} is bound to another schema`);
      id = input.id;
    } else {
      const existing = q.idsByHash.get(input.hash);
      id = existing ? existing.id : q.maxId.get()!.value + 1;
    }
    let version: number;
    if (input.version !== undefined) {
      if (q.versionExists.get(input.subject, input.version)) {
        throw new StorageConflictError(`version ${input.version} of '${input.subject}' exists`);
      }
      version = input.version;
    } else {
      version = (q.maxVersion.get(input.subject)?.v ?? 0) + 1;
    }
    if (!q.schemaById.get(id)) {
      q.insertSchema.run(id, input.schemaType, input.schema, JSON.stringify(input.references), input.hash);
      for (const ref of input.references) q.insertRef.run(id, ref.subject, ref.version);
    }
    q.dropOlderSoftDeleted.run(input.subject, id, version);
    q.insertVersion.run(input.subject, version, id);
    q.setMaxId.run(id);
    return { id, version };
  });

  const softDeleteTx = db.transaction((subject: string, versions: readonly number[]) => {
    for (const v of versions) q.softDelete.run(subject, v);
  });

  const hardDeleteTx = db.transaction((subject: string, versions: readonly number[]) => {
    const touched = new Set<number>();
    for (const v of versions) {
      const row = q.versionRow.get(subject, v);
      if (!row) continue;
      touched.add(row.schema_id);
      q.hardDelete.run(subject, v);
    }
    for (const id of touched) {
      if (!q.schemaUsed.get(id)) {
        q.deleteRefs.run(id);
        q.deleteSchema.run(id);
      }
    }
    if (q.countSubject.get(subject)!.n === 0) q.deleteSubjectSettings.run(subject);
  });

  return {
    async getSchema(id) {
      const row = q.schemaById.get(id);
      return row && toSchema(row);
    },
    async findSchemaIds(hash) {
      return q.idsByHash.all(hash).map((r) => r.id);
    },
    async listVersions(subject) {
      return q.versionsOf.all(subject).map(toVersion);
    },
    async listAllVersions() {
      return q.allVersions.all().map(toVersion).sort(bySubjectThenVersion);
    },
    async listVersionsOfSchema(id) {
      return q.versionsOfSchema.all(id).map(toVersion).sort(bySubjectThenVersion);
    },
    async listReferrers(subject, version) {
      return q.referrers.all(subject, version).map((r) => r.schema_id);
    },
    async maxId() {
      return q.maxId.get()!.value;
    },
    async getSetting(kind, scope) {
      return q.getSetting.get(kind, scope)?.value;
    },
    async insertVersion(input) {
      return insertTx.immediate(input);
    },
    async softDeleteVersions(subject, versions) {
      softDeleteTx.immediate(subject, versions);
    },
    async hardDeleteVersions(subject, versions) {
      hardDeleteTx.immediate(subject, versions);
    },
    async putSetting(kind, scope, value) {
      if (value === undefined) q.deleteSetting.run(kind, scope);
      else q.putSetting.run(kind, scope, value);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
