/**
 * A SQLite store created before data contracts existed (no `contract` column) opens with the
 * column added: its schemas keep their ids, identities and answers (no contract), and new
 * schemas with contracts are stored beside them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStorage } from '../../../../patterns/registry/storage/sqlite-storage.js';

test('sqlite: a store without the contract column is migrated in place, existing data kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'registry-contract-migration-'));
  try {
    const path = join(dir, 'old.db');
    // The previous release's schemas table and one stored schema.
    const old = new Database(path);
    old.exec(`CREATE TABLE schemas (id INTEGER PRIMARY KEY, schema_type TEXT NOT NULL, schema TEXT NOT NULL, refs TEXT NOT NULL, hash TEXT NOT NULL);
              CREATE TABLE versions (subject TEXT NOT NULL, version INTEGER NOT NULL, schema_id INTEGER NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (subject, version)) WITHOUT ROWID;
              CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
              INSERT INTO counters (name, value) VALUES ('max_id', 1);
              INSERT INTO schemas VALUES (1, 'AVRO', '"int"', '[]', 'h1');
              INSERT INTO versions VALUES ('s', 1, 1, 0);`);
    old.close();

    const storage = createSqliteStorage({ path });
    try {
      assert.deepEqual(await storage.getSchema(1), { id: 1, schemaType: 'AVRO', schema: '"int"', references: [], hash: 'h1' });
      assert.deepEqual(await storage.listVersions('s'), [{ subject: 's', version: 1, id: 1, deleted: false }]);
      const metadata = { properties: { owner: 'o' } };
      assert.deepEqual(await storage.insertVersion({ subject: 's', schemaType: 'AVRO', schema: '"long"', references: [], hash: 'h2', metadata }), { id: 2, version: 2 });
      assert.deepEqual((await storage.getSchema(2))?.metadata, metadata);
    } finally {
      await storage.close();
    }
    // Opening again finds the column there and changes nothing.
    const again = createSqliteStorage({ path });
    try {
      assert.deepEqual((await again.getSchema(2))?.metadata, { properties: { owner: 'o' } });
      assert.equal((await again.getSchema(1))?.metadata, undefined);
    } finally {
      await again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
