/**
 * The SQLITE keyvalue store (better-sqlite3 12). WAL with `synchronous=NORMAL`: a write is in
 * the WAL before its Promise resolves, so it survives a SIGKILL of the process. Keys are BLOBs,
 * which SQLite compares with memcmp: Scan's order is the bytewise order every store uses.
 *
 * One process serves a file (the caller holds `<file>.lock`, lock-sqlite-file.ts), so that
 * process sees every write and publishes Watch changes itself, right after each commit.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { KEYVALUE_INTERFACES, type DeleteOutcome, type KeyValueStore, type ScannedEntry, type SetOutcome, type StoredEntry } from './keyvalue-store.js';
import { createWatchHub } from './watch-hub.js';

export interface SqliteStoreOptions {
  /** File path (its folder is created when missing), or `:memory:`. */
  readonly path: string;
  readonly synchronous?: 'NORMAL' | 'FULL';
  readonly now?: () => number;
  /** How often expired rows are deleted (they are invisible at once anyway). */
  readonly sweepIntervalMs?: number;
}

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS kv_entries (
  key BLOB PRIMARY KEY,
  value BLOB NOT NULL,
  content_type TEXT NOT NULL,
  version INTEGER NOT NULL,
  expires_at INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kv_counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO kv_counters (name, value) VALUES ('version', 0);
`;

interface EntryRow {
  key: Buffer;
  value: Buffer;
  content_type: string;
  version: number;
  expires_at: number | null;
}

interface ScanRow {
  key: Buffer;
  version: number;
  size: number;
  content_type: string;
  expires_at: number | null;
}

/**
 * Opens (creating when missing) a keyvalue database.
 * @throws the driver's error when the file cannot be opened.
 */
export function createSqliteStore(options: SqliteStoreOptions): KeyValueStore {
  const now = options.now ?? Date.now;
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA_SQL);
  const hub = createWatchHub();

  // Live rows: absent expiry or one still ahead. `?` is the clock, read once per statement.
  const selectEntry = db.prepare<[Buffer, number], EntryRow>(
    'SELECT key, value, content_type, version, expires_at FROM kv_entries WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)',
  );
  const nextVersion = db.prepare<[], { value: number }>("UPDATE kv_counters SET value = value + 1 WHERE name = 'version' RETURNING value");
  const upsert = db.prepare<[Buffer, Buffer, string, number, number | null]>(
    `INSERT INTO kv_entries (key, value, content_type, version, expires_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, content_type = excluded.content_type, version = excluded.version, expires_at = excluded.expires_at`,
  );
  const deleteRow = db.prepare<[Buffer]>('DELETE FROM kv_entries WHERE key = ?');
  // substr on a BLOB counts bytes; `key >= prefix` lets the primary key bound the range.
  const scanFrom = db.prepare<[Buffer, Buffer, number, Buffer, number, number], ScanRow>(
    `SELECT key, version, length(value) AS size, content_type, expires_at FROM kv_entries
     WHERE key > ? AND key >= ? AND substr(key, 1, ?) = ? AND (expires_at IS NULL OR expires_at > ?)
     ORDER BY key LIMIT ?`,
  );
  const sweepExpired = db.prepare<[number]>('DELETE FROM kv_entries WHERE expires_at IS NOT NULL AND expires_at <= ?');

  const toEntry = (row: EntryRow): StoredEntry => ({
    key: row.key,
    value: row.value,
    contentType: row.content_type,
    version: row.version,
    expiresAt: row.expires_at ?? undefined,
  });

  const setTx = db.transaction((key: Buffer, value: Buffer, contentType: string, ttlMs: number | undefined, expected: number | undefined): SetOutcome => {
    const at = now();
    const current = selectEntry.get(key, at);
    if (expected !== undefined && expected !== (current?.version ?? 0)) return { status: 'mismatch', current: current?.version ?? 0 };
    const version = nextVersion.get()!.value;
    const expiresAt = ttlMs === undefined ? undefined : at + ttlMs;
    upsert.run(key, value, contentType, version, expiresAt ?? null);
    return { status: 'written', version, created: current === undefined, expiresAt };
  });
  const deleteTx = db.transaction((key: Buffer, expected: number | undefined): DeleteOutcome & { deletionVersion?: number } => {
    const current = selectEntry.get(key, now());
    if (!current) return { status: 'absent' };
    if (expected !== undefined && expected !== current.version) return { status: 'mismatch', current: current.version };
    deleteRow.run(key);
    return { status: 'deleted', version: current.version, deletionVersion: nextVersion.get()!.value };
  });

  const sweep = setInterval(() => {
    try {
      sweepExpired.run(now());
    } catch {
      // A busy or closing database: the next sweep tries again.
    }
  }, options.sweepIntervalMs ?? 60_000);
  sweep.unref();

  return {
    interfaces: KEYVALUE_INTERFACES,
    async get(key) {
      const row = selectEntry.get(key, now());
      return row && toEntry(row);
    },
    async set(input) {
      // BEGIN IMMEDIATE: the write lock is taken before the read that the condition checks.
      const outcome = setTx.immediate(input.key, input.value, input.contentType, input.ttlMs, input.expectedVersion);
      if (outcome.status === 'written') hub.publish({ kind: 'PUT', key: input.key, version: outcome.version, value: input.value, contentType: input.contentType });
      return outcome;
    },
    async delete(key, expectedVersion) {
      const { deletionVersion, ...outcome } = deleteTx.immediate(key, expectedVersion);
      if (deletionVersion !== undefined) hub.publish({ kind: 'DELETE', key, version: deletionVersion, value: Buffer.alloc(0), contentType: '' });
      return outcome;
    },
    async scan(prefix, after, limit) {
      const rows = scanFrom.all(after ?? Buffer.alloc(0), prefix, prefix.length, prefix, now(), limit);
      // An empty `after` excludes only the empty key, which is never stored (INVALID_KEY).
      return rows.map((row): ScannedEntry => ({ key: row.key, version: row.version, size: row.size, contentType: row.content_type, expiresAt: row.expires_at ?? undefined }));
    },
    async watch(prefix, listener) {
      return hub.subscribe(prefix, listener);
    },
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      if (!db.open) return;
      clearInterval(sweep);
      hub.failAll(new Error('the store is closing'));
      db.close();
    },
  };
}
