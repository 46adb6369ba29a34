/**
 * Fault 5, a store that cannot be written: the registry process runs on a SQLite file that
 * turns immutable under it (`chattr +i`, which stops root too; the tests run as root, so
 * `chmod` would not). Writes answer STORE_ERROR (Confluent 500/50001), reads keep working,
 * and once the file is writable again nothing is corrupted and writes resume.
 *
 * A full disk is fault 8, disk-full.test.ts (a small tmpfs filled to the last block).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { avro, confluentError, preloadRegistry, request, startConfluentGateway, tempDir } from './support.js';

function chattr(flag: '+i' | '-i', files: string[]): void {
  execFileSync('chattr', [flag, ...files.filter((f) => existsSync(f))]);
}

function canMakeImmutable(dir: string): boolean {
  try {
    execFileSync('sh', ['-c', `touch "${dir}/probe" && chattr +i "${dir}/probe" && chattr -i "${dir}/probe"`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('a read-only store: writes get 500/50001, reads keep working, nothing corrupted', { timeout: 60_000 }, async (t) => {
  const dir = tempDir('read-only');
  if (!canMakeImmutable(dir.path)) {
    dir.remove();
    t.skip('chattr +i is not available on this filesystem');
    return;
  }
  const db = join(dir.path, 'registry.db');
  // The database and its WAL turn immutable. Not the -shm index: SQLite maps it into memory,
  // and a store through that mapping into an immutable file kills the process with SIGBUS
  // (seen here; the gateway then answers 50003 like for any dead backend).
  const files = [db, `${db}-wal`];
  const preloaded = preloadRegistry('127.0.0.1:0', db);
  await preloaded.loaded;
  const registry = preloaded.go();
  const gateway = await startConfluentGateway(dir.path, await registry.serving, { namespace: { deadlineMs: 5000 } });
  try {
    const registered: { subject: string; schema: string; id: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const schema = avro('A', `a${i}`);
      const a = await request(`${gateway.url}/subjects/s${i}/versions`, { method: 'POST', body: { schema } });
      assert.equal(a.status, 200, a.text);
      registered.push({ subject: `s${i}`, schema, id: (a.json() as { id: number }).id });
    }

    chattr('+i', files);
    let writesRefused = 0;
    let readsServed = 0;
    try {
      for (let i = 0; i < 10; i++) {
        const write = await request(`${gateway.url}/subjects/new-${i}/versions`, { method: 'POST', body: { schema: avro('B', `b${i}`) } });
        assert.equal(write.status, 500, write.text);
        assert.deepEqual(confluentError(write), { error_code: 50001, message: 'Write operation failed while writing to the store' });
        writesRefused++;
        const config = await request(`${gateway.url}/config/s0`, { method: 'PUT', body: { compatibility: 'NONE' } });
        assert.equal(config.status, 500, config.text);
        assert.equal(confluentError(config)?.error_code, 50001, config.text);
        writesRefused++;
        for (const r of registered) {
          const byVersion = await request(`${gateway.url}/subjects/${r.subject}/versions/1`);
          assert.equal(byVersion.status, 200, byVersion.text);
          assert.equal((byVersion.json() as { id: number }).id, r.id);
          const byId = await request(`${gateway.url}/schemas/ids/${r.id}`);
          assert.equal(byId.status, 200, byId.text);
          assert.equal((byId.json() as { schema: string }).schema, r.schema);
          readsServed += 2;
        }
        const list = await request(`${gateway.url}/subjects`);
        assert.equal(list.status, 200, list.text);
        assert.deepEqual(list.json(), ['s0', 's1', 's2']);
        readsServed++;
      }
    } finally {
      chattr('-i', files);
    }
    assert.equal(registry.child.exitCode, null, 'the registry kept running');
    assert.equal(registry.child.signalCode, null, 'the registry kept running');
    t.diagnostic(`while read-only: ${writesRefused} writes refused with 50001, ${readsServed} reads served`);

    // Writable again: the same registry takes writes (a new id, not one of the refused ones' leftovers).
    const after = await request(`${gateway.url}/subjects/after/versions`, { method: 'POST', body: { schema: avro('C', 'c') } });
    assert.equal(after.status, 200, after.text);
    assert.deepEqual(after.json(), { id: 4 });

    // On disk: intact, and exactly what was acknowledged.
    await registry.kill();
    const check = new Database(db, { readonly: true });
    try {
      assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
      const versions = check.prepare('SELECT subject, version, schema_id FROM versions ORDER BY subject').all();
      assert.deepEqual(versions, [
        { subject: 'after', version: 1, schema_id: 4 },
        { subject: 's0', version: 1, schema_id: 1 },
        { subject: 's1', version: 1, schema_id: 2 },
        { subject: 's2', version: 1, schema_id: 3 },
      ]);
      // The refused config change left nothing behind.
      assert.deepEqual(check.prepare('SELECT * FROM settings').all(), []);
    } finally {
      check.close();
    }
  } finally {
    await gateway.close();
    await preloaded.kill();
    try {
      chattr('-i', files);
    } catch {
      // already writable
    }
    dir.remove();
  }
});
