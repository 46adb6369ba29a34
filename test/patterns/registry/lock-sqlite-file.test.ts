/**
 * The registry's SQLite lock names the file the storage opens: both come from `sqliteFile`
 * (create-storage.ts). They used to repeat the default path and disagreed on an empty `path`
 * (the lock fell back to registry.db, the storage refused it) and on a lower-case `sqlite` type
 * (opened, never locked).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockedError } from '../../../src/operations/data-dir-lock.js';
import { createStorage, sqliteFile, StorageConfigError, type StorageBackend } from '../../../patterns/registry/create-storage.js';
import { lockSqliteFile } from '../../../patterns/registry/lock-sqlite-file.js';

const cases: { name: string; backend: StorageBackend; lockFile?: string; error?: RegExp }[] = [
  { name: 'no path: the default registry.db in the data dir', backend: { type: 'SQLITE', config: {} }, lockFile: 'registry.db.lock' },
  { name: 'no config at all', backend: { type: 'SQLITE' }, lockFile: 'registry.db.lock' },
  { name: 'a relative path', backend: { type: 'SQLITE', config: { path: 'sub/r.db' } }, lockFile: 'sub/r.db.lock' },
  { name: 'a lower-case type', backend: { type: 'sqlite', config: { path: 'r.db' } }, lockFile: 'r.db.lock' },
  { name: ':memory:', backend: { type: 'SQLITE', config: { path: ':memory:' } } },
  { name: 'another backend', backend: { type: 'MEMSTORE' } },
  { name: 'an empty path', backend: { type: 'SQLITE', config: { path: '' } }, error: /config\.path must be a non-empty string/ },
];

for (const c of cases) {
  test(`lockSqliteFile, ${c.name}: ${c.error ? 'refused as createStorage refuses it' : c.lockFile ? `locks ${c.lockFile}` : 'no lock'}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'prism-registry-lock-'));
    try {
      if (c.error) {
        assert.throws(() => lockSqliteFile(c.backend, dir), (err: Error) => err instanceof StorageConfigError && c.error!.test(err.message));
        assert.throws(() => createStorage(c.backend, dir), (err: Error) => err instanceof StorageConfigError && c.error!.test(err.message));
        return;
      }
      const release = lockSqliteFile(c.backend, dir);
      if (!c.lockFile) {
        assert.equal(release, undefined);
        return;
      }
      assert.ok(release);
      const lockFile = join(dir, c.lockFile);
      assert.ok(existsSync(lockFile), `${c.lockFile} exists`);
      assert.equal(`${sqliteFile(c.backend, dir)}.lock`, lockFile, 'beside the file the storage opens');
      assert.throws(() => lockSqliteFile(c.backend, dir), LockedError);
      release();
      assert.ok(!existsSync(lockFile), 'the release removes it');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
