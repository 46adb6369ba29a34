/**
 * The SQLITE DEK store: its own tables (`dek_keks`, `dek_deks`) in the registry's SQLite
 * file, through a connection of its own, with the registry's durability settings (WAL,
 * `synchronous` NORMAL or FULL: a write resolves after its COMMIT has returned).
 *
 * One process serves a SQLite file (lock-sqlite-file.ts), and better-sqlite3 runs each
 * statement to completion, so the two connections of that process never wait on each other
 * for longer than one transaction. Writes run one at a time: what a write's work read is
 * still true when its rows commit, in one transaction.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { createSerialQueue, type DekFilter, type DekWrite, type DekReads, type DekStorage } from './dek-storage.js';
import { dekFromRow, kekFromRow, type ColumnReader, type DekRowOf, type KekRowOf } from './dek-rows.js';

export interface SqliteDekStorageOptions {
  /** The registry's database file (`:memory:` gives a private in-memory database). */
  readonly path: string;
  readonly synchronous?: 'NORMAL' | 'FULL';
  readonly busyTimeoutMs?: number;
}

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS dek_keks (
  name TEXT PRIMARY KEY,
  kms_type TEXT NOT NULL,
  kms_key_id TEXT NOT NULL,
  kms_props TEXT NOT NULL,
  doc TEXT NOT NULL,
  shared INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  deleted INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dek_deks (
  kek_name TEXT NOT NULL,
  subject TEXT NOT NULL,
  algorithm TEXT NOT NULL,
  version INTEGER NOT NULL,
  encrypted_key_material TEXT NOT NULL,
  ts INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  PRIMARY KEY (kek_name, subject, algorithm, version)
) WITHOUT ROWID;
`;

// JSON is text and booleans are 0/1 integers in SQLite.
type KekRow = KekRowOf<{ kms_props: string; shared: number; deleted: number }>;
type DekRow = DekRowOf<{ deleted: number }>;
const columns: ColumnReader<string, number, number> = { props: (value) => JSON.parse(value) as Record<string, string>, flag: (value) => value !== 0, epoch: (value) => value };
const toKek = (row: KekRow) => kekFromRow(row, columns);
const toDek = (row: DekRow) => dekFromRow(row, columns);

/**
 * Opens the DEK tables in a SQLite file (creating them, and the file, if needed).
 * @throws the better-sqlite3 error when the file cannot be opened.
 */
export function createSqliteDekStorage(options: SqliteDekStorageOptions): DekStorage {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  db.exec(SCHEMA_SQL);
  const q = {
    kek: db.prepare<[string], KekRow>('SELECT * FROM dek_keks WHERE name = ?'),
    keks: db.prepare<[], KekRow>('SELECT * FROM dek_keks'),
    deks: db.prepare<{ kek_name: string | null; subject: string | null; algorithm: string | null }, DekRow>(
      `SELECT * FROM dek_deks WHERE (@kek_name IS NULL OR kek_name = @kek_name)
         AND (@subject IS NULL OR subject = @subject) AND (@algorithm IS NULL OR algorithm = @algorithm)`,
    ),
    countKeks: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM dek_keks'),
    countDeks: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM dek_deks'),
    putKek: db.prepare(
      `INSERT OR REPLACE INTO dek_keks (name, kms_type, kms_key_id, kms_props, doc, shared, ts, deleted)
       VALUES (@name, @kms_type, @kms_key_id, @kms_props, @doc, @shared, @ts, @deleted)`,
    ),
    removeKek: db.prepare<[string]>('DELETE FROM dek_keks WHERE name = ?'),
    putDek: db.prepare(
      `INSERT OR REPLACE INTO dek_deks (kek_name, subject, algorithm, version, encrypted_key_material, ts, deleted)
       VALUES (@kek_name, @subject, @algorithm, @version, @encrypted_key_material, @ts, @deleted)`,
    ),
    removeDek: db.prepare<[string, string, string, number]>('DELETE FROM dek_deks WHERE kek_name = ? AND subject = ? AND algorithm = ? AND version = ?'),
  };
  const filterParams = (filter: DekFilter) => ({ kek_name: filter.kekName ?? null, subject: filter.subject ?? null, algorithm: filter.algorithm ?? null });
  const reads: DekReads = {
    kek: async (name) => {
      const row = q.kek.get(name);
      return row && toKek(row);
    },
    keks: async () => q.keks.all().map(toKek),
    deks: async (filter) => q.deks.all(filterParams(filter)).map(toDek),
    counts: async () => ({ keks: q.countKeks.get()!.n, deks: q.countDeks.get()!.n }),
  };
  const commit = db.transaction((writes: readonly DekWrite[]) => {
    for (const w of writes) {
      if (w.op === 'putKek') {
        const k = w.kek;
        q.putKek.run({ name: k.name, kms_type: k.kmsType, kms_key_id: k.kmsKeyId, kms_props: JSON.stringify(k.kmsProps), doc: k.doc, shared: k.shared ? 1 : 0, ts: k.ts, deleted: k.deleted ? 1 : 0 });
      } else if (w.op === 'removeKek') {
        q.removeKek.run(w.name);
      } else if (w.op === 'putDek') {
        const d = w.dek;
        q.putDek.run({ kek_name: d.kekName, subject: d.subject, algorithm: d.algorithm, version: d.version, encrypted_key_material: d.encryptedKeyMaterial, ts: d.ts, deleted: d.deleted ? 1 : 0 });
      } else {
        q.removeDek.run(w.id.kekName, w.id.subject, w.id.algorithm, w.id.version);
      }
    }
  });
  const serial = createSerialQueue();
  let closed = false;
  return {
    reads,
    write: (work) =>
      serial(async () => {
        const { result, writes } = await work(reads);
        // BEGIN IMMEDIATE: the registry's connection may be between statements of its own.
        if (writes.length > 0) commit.immediate(writes);
        return result;
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      // Waits for the writes already queued.
      await serial(async () => db.close());
    },
  };
}
