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
  type DeleteScope,
  type RegistryStorage,
  type SettingKind,
  type SettingValues,
  type StoredVersion,
} from './registry-storage.js';
import { contractColumn, toSchema, type SchemaRow } from './schema-row.js';
import { checkChangeRetention, createChangeSignal, settingsChangeKind, type ChangeInput, type SettingsChangeKind, type StoredChange } from './registry-change.js';

export interface SqliteStorageOptions {
  /** File path; its folder is created if missing. `:memory:` works for experiments. */
  readonly path: string;
  /** `NORMAL` (default): survives process crashes; `FULL`: also power loss. */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /** How long a write waits for another connection's lock before failing (ms). */
  readonly busyTimeoutMs?: number;
  /** How many of the newest changes the feed keeps (default 100,000). */
  readonly changeRetention?: number;
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
CREATE TABLE IF NOT EXISTS changes (
  sequence INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  version INTEGER,
  schema_id INTEGER,
  schema_type TEXT,
  time INTEGER NOT NULL
);
INSERT OR IGNORE INTO counters (name, value) VALUES ('change_sequence', 0);
`;

interface ChangeRow {
  sequence: number;
  kind: string;
  subject: string;
  version: number | null;
  schema_id: number | null;
  schema_type: string | null;
  time: number;
}

const toChange = (row: ChangeRow): StoredChange => ({
  sequence: row.sequence,
  kind: row.kind as StoredChange['kind'],
  subject: row.subject,
  ...(row.version === null ? {} : { version: row.version }),
  ...(row.schema_id === null ? {} : { id: row.schema_id }),
  ...(row.schema_type === null ? {} : { schemaType: row.schema_type as StoredChange['schemaType'] }),
  time: row.time,
});

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
 * @throws the better-sqlite3 error when the file cannot be opened or is not a database;
 *   RangeError when `changeRetention` is not an integer ≥ 1.
 */
export function createSqliteStorage(options: SqliteStorageOptions): RegistryStorage {
  const retention = checkChangeRetention(options.changeRetention);
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  db.exec(SCHEMA_SQL);
  // Data contracts (added later): a store created before gains the column, existing schemas
  // keep NULL (no contract), so their identity and answers are unchanged.
  if (!db.prepare<[], { name: string }>('PRAGMA table_info(schemas)').all().some((c) => c.name === 'contract')) {
    db.exec('ALTER TABLE schemas ADD COLUMN contract TEXT');
  }

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
    insertSchema: db.prepare<[number, string, string, string, string, string | null], unknown>(
      'INSERT INTO schemas (id, schema_type, schema, refs, hash, contract) VALUES (?, ?, ?, ?, ?, ?)',
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
    // The sequence is an explicit counter, not the rowid: it never goes back, even when the
    // newest changes are deleted, and it is assigned in commit order (writes are serial here).
    nextSequence: db.prepare<[], { value: number }>("UPDATE counters SET value = value + 1 WHERE name = 'change_sequence' RETURNING value"),
    latestSequence: db.prepare<[], { value: number }>("SELECT value FROM counters WHERE name = 'change_sequence'"),
    insertChange: db.prepare<[number, string, string, number | null, number | null, string | null, number], unknown>(
      'INSERT INTO changes (sequence, kind, subject, version, schema_id, schema_type, time) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    pruneChanges: db.prepare<[number], unknown>('DELETE FROM changes WHERE sequence <= ?'),
    oldestChange: db.prepare<[], { s: number | null }>('SELECT min(sequence) AS s FROM changes'),
    // substr/length count characters on both sides, so the prefix test is exact.
    changesAfter: db.prepare<[{ after: number; prefix: string; limit: number }], ChangeRow>(
      'SELECT * FROM changes WHERE sequence > @after AND substr(subject, 1, length(@prefix)) = @prefix ORDER BY sequence LIMIT @limit',
    ),
  };
  const signal = createChangeSignal();

  /** Appends changes inside the current transaction and drops those beyond the retention. */
  function record(inputs: readonly ChangeInput[]): void {
    const time = Date.now();
    let sequence = 0;
    for (const c of inputs) {
      sequence = q.nextSequence.get()!.value;
      q.insertChange.run(sequence, c.kind, c.subject, c.version ?? null, c.id ?? null, c.schemaType ?? null, time);
    }
    if (inputs.length > 0) q.pruneChanges.run(sequence - retention);
  }

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
      q.insertSchema.run(id, input.schemaType, input.schema, JSON.stringify(input.references), input.hash, contractColumn(input));
      for (const ref of input.references) q.insertRef.run(id, ref.subject, ref.version);
    }
    q.dropOlderSoftDeleted.run(input.subject, id, version);
    q.insertVersion.run(input.subject, version, id);
    q.setMaxId.run(id);
    record([{ kind: 'SCHEMA_REGISTERED', subject: input.subject, version, id, schemaType: input.schemaType }]);
    return { id, version };
  });

  const softDeleteTx = db.transaction((subject: string, versions: readonly number[], scope: DeleteScope) => {
    const deleted: ChangeInput[] = [];
    for (const v of versions) {
      const row = q.versionRow.get(subject, v);
      if (!row || row.deleted !== 0) continue;
      q.softDelete.run(subject, v);
      deleted.push({ kind: 'VERSION_DELETED', subject, version: v, id: row.schema_id });
    }
    record(scope === 'subject' && deleted.length > 0 ? [{ kind: 'SUBJECT_DELETED', subject }] : deleted);
  });

  const hardDeleteTx = db.transaction((subject: string, versions: readonly number[], scope: DeleteScope) => {
    const touched = new Set<number>();
    const removed: ChangeInput[] = [];
    for (const v of versions) {
      const row = q.versionRow.get(subject, v);
      if (!row) continue;
      touched.add(row.schema_id);
      q.hardDelete.run(subject, v);
      removed.push({ kind: 'VERSION_PERMANENTLY_DELETED', subject, version: v, id: row.schema_id });
    }
    for (const id of touched) {
      if (!q.schemaUsed.get(id)) {
        q.deleteRefs.run(id);
        q.deleteSchema.run(id);
      }
    }
    if (q.countSubject.get(subject)!.n === 0) q.deleteSubjectSettings.run(subject);
    record(scope === 'subject' && removed.length > 0 ? [{ kind: 'SUBJECT_PERMANENTLY_DELETED', subject }] : removed);
  });

  const settingsTx = db.transaction((scope: string, values: SettingValues, change: SettingsChangeKind) => {
    for (const [kind, value] of Object.entries(values) as [SettingKind, string | null | undefined][]) {
      if (value === null || value === undefined) q.deleteSetting.run(kind, scope);
      else q.putSetting.run(kind, scope, value);
    }
    record([{ kind: change, subject: scope }]);
  });

  const readChanges = db.transaction((after: number, prefix: string, limit: number) => ({
    changes: q.changesAfter.all({ after, prefix, limit }).map(toChange),
    oldest: q.oldestChange.get()!.s ?? undefined,
    latest: q.latestSequence.get()!.value,
  }));

  /** Passes a committed write's result through, waking the feed's watchers. */
  function committed<T>(result: T): T {
    signal.notify();
    return result;
  }

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
      return committed(insertTx.immediate(input));
    },
    async softDeleteVersions(subject, versions, scope = 'versions') {
      committed(softDeleteTx.immediate(subject, versions, scope));
    },
    async hardDeleteVersions(subject, versions, scope = 'versions') {
      committed(hardDeleteTx.immediate(subject, versions, scope));
    },
    async putSetting(kind, scope, value) {
      committed(settingsTx.immediate(scope, { [kind]: value ?? null }, settingsChangeKind(kind === 'mode', value === undefined)));
    },
    async putSettings(scope, values, change) {
      committed(settingsTx.immediate(scope, values, change));
    },
    async changesAfter(after, prefix, limit) {
      // One read transaction: the page and the range it is checked against agree.
      return readChanges.deferred(after, prefix, limit);
    },
    async subscribeChanges(listener) {
      return signal.subscribe(listener);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
