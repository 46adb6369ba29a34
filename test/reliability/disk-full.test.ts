/**
 * Fault 8, a full disk: the registry process runs on a SQLite file on a small tmpfs, behind the
 * gateway. After a few registrations a filler file takes every free block. Writes answer
 * STORE_ERROR (Confluent 500/50001), reads keep working, the registry keeps running. Killed
 * and restarted while the disk is still full, it comes back on the same file and behaves the
 * same. Once the filler is gone writes resume, and on disk the database is intact and holds
 * exactly the acknowledged versions, with no id given twice.
 *
 * Mounting needs root (or CAP_SYS_ADMIN); without it the test is skipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { avro, confluentError, eventually, preloadRegistry, request, startConfluentGateway, tempDir, unusedPort, type Answer } from './support.js';

/** Mounts a tmpfs of `size` at `dir`; the reason when that is not allowed here. */
function mountTmpfs(dir: string, size: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    const said = String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).replace(/\s+/g, ' ').trim();
    return `cannot mount a tmpfs here, so there is no size-limited filesystem to fill (${said})`;
  }
}

/** Writes to `file` until the filesystem answers ENOSPC; the bytes it took. */
function fill(file: string): number {
  const fd = openSync(file, 'w');
  let written = 0;
  try {
    for (const size of [64 * 1024, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 0x5a);
      for (;;) {
        try {
          const n = writeSync(fd, chunk);
          written += n;
          if (n < size) break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

interface Ack {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schema: string;
}

test('a full disk: writes get 500/50001, reads keep working, nothing acknowledged is lost', { timeout: 60_000 }, async (t) => {
  const listen = `127.0.0.1:${await unusedPort()}`;
  const dir = tempDir('disk-full');
  const store = join(dir.path, 'store');
  mkdirSync(store);
  const refused = mountTmpfs(store, '4m');
  if (refused) {
    dir.remove();
    t.skip(refused);
    return;
  }
  const db = join(store, 'registry.db');
  const filler = join(store, 'filler');
  // Two lives of the registry on one address and file; the second is loaded ahead of time.
  const first = preloadRegistry(listen, db);
  const second = preloadRegistry(listen, db);
  let gateway: Awaited<ReturnType<typeof startConfluentGateway>> | undefined;
  try {
    await first.loaded;
    const registry = first.go();
    gateway = await startConfluentGateway(dir.path, await registry.serving, { namespace: { deadlineMs: 5000 } });
    const url = gateway.url;
    const acks: Ack[] = [];
    const register = async (subject: string, schema: string) => {
      const a = await request(`${url}/subjects/${subject}/versions`, { method: 'POST', body: { schema } });
      if (a.status === 200) {
        const id = (a.json() as { id: number }).id;
        const version = acks.filter((x) => x.subject === subject).length + 1;
        acks.push({ subject, version, id, schema });
      }
      return a;
    };
    for (let i = 0; i < 4; i++) assert.equal((await register(`s${i}`, avro('A', `a${i}`))).status, 200);
    assert.equal((await register('s0', avro('A', 'a0_v2'))).status, 200);
    const before = acks.length;

    const fillerBytes = fill(filler);
    assert.equal(statfsSync(store).bavail, 0, 'the filesystem is full');

    let writesRefused = 0;
    let readsServed = 0;
    const fullDiskRound = async (round: number) => {
      const writes: Answer[] = [
        await register(`new-${round}`, avro('B', `b${round}`)),
        await register('s1', avro('A', `a1_v${round + 2}`)),
        await request(`${url}/config/s2`, { method: 'PUT', body: { compatibility: 'NONE' } }),
        await request(`${url}/subjects/s3/versions/1`, { method: 'DELETE' }),
      ];
      for (const w of writes) {
        assert.equal(w.status, 500, w.text);
        assert.deepEqual(confluentError(w), { error_code: 50001, message: 'Write operation failed while writing to the store' });
        writesRefused++;
      }
      for (const a of acks) {
        const byVersion = await request(`${url}/subjects/${a.subject}/versions/${a.version}`);
        assert.equal(byVersion.status, 200, byVersion.text);
        assert.equal((byVersion.json() as { id: number }).id, a.id);
        const byId = await request(`${url}/schemas/ids/${a.id}`);
        assert.equal(byId.status, 200, byId.text);
        assert.equal((byId.json() as { schema: string }).schema, a.schema);
        readsServed += 2;
      }
      const versions = await request(`${url}/subjects/s0/versions`);
      assert.deepEqual(versions.json(), [1, 2]);
      const subjects = await request(`${url}/subjects`);
      assert.deepEqual(subjects.json(), ['s0', 's1', 's2', 's3']);
      readsServed += 2;
    };
    for (let round = 0; round < 10; round++) await fullDiskRound(round);
    assert.equal(acks.length, before, 'no write was acknowledged while the disk was full');
    assert.equal(registry.child.exitCode, null, `the registry kept running: ${registry.stderr().slice(-500)}`);
    assert.equal(registry.child.signalCode, null, 'the registry kept running');
    // The refusals are the full disk as SQLite reports it: the registry logs each store error's cause.
    const log = registry.output();
    const cause = log.split('\n').find((line) => line.includes('SqliteError') && line.includes('"code":"SQLITE_FULL"'));
    assert.ok(cause, log.slice(-500));
    const said = (JSON.parse(cause) as { err: { message: string; code: string } }).err;
    t.diagnostic(`disk full (filler ${fillerBytes} bytes): ${writesRefused} writes refused with 50001, ${readsServed} reads served, ${acks.length} versions acknowledged before; the registry logged: ${said.code} ${said.message}`);

    // Killed and restarted on the full disk: the registry opens the same file and serves again.
    await registry.kill();
    const restarted = second.go();
    await restarted.serving;
    const started = Date.now();
    assert.ok(await eventually(async () => (await request(`${url}/subjects`)).status === 200, 10_000, 50), 'the restarted registry serves');
    const toServing = Date.now() - started;
    const [refusedBefore, servedBefore] = [writesRefused, readsServed];
    for (let round = 10; round < 13; round++) await fullDiskRound(round);
    assert.equal(acks.length, before);
    assert.equal(restarted.child.exitCode, null, `the restarted registry kept running: ${restarted.stderr().slice(-500)}`);
    t.diagnostic(`restarted on the full disk: reads back after ${toServing} ms; ${writesRefused - refusedBefore} writes refused with 50001, ${readsServed - servedBefore} reads served`);

    // Space again: the process that ran on the full disk takes writes, with the next unused id.
    rmSync(filler);
    const maxId = Math.max(...acks.map((a) => a.id));
    const after = await register('after', avro('C', 'c'));
    assert.equal(after.status, 200, after.text);
    assert.deepEqual(after.json(), { id: maxId + 1 });
    const config = await request(`${url}/config/s2`, { method: 'PUT', body: { compatibility: 'NONE' } });
    assert.equal(config.status, 200, config.text);

    // On disk: intact, exactly the acknowledged versions, one schema per id.
    await restarted.kill();
    const check = new Database(db, { readonly: true });
    try {
      assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
      const stored = check.prepare('SELECT v.subject, v.version, v.schema_id AS id, v.deleted, s.schema FROM versions v JOIN schemas s ON s.id = v.schema_id ORDER BY v.subject, v.version').all();
      const expected = acks.map((a) => ({ subject: a.subject, version: a.version, id: a.id, deleted: 0, schema: a.schema })).sort((x, y) => x.subject.localeCompare(y.subject) || x.version - y.version);
      assert.deepEqual(stored, expected);
      const ids = check.prepare('SELECT id FROM schemas ORDER BY id').all().map((r) => (r as { id: number }).id);
      assert.deepEqual(ids, [...new Set(acks.map((a) => a.id))].sort((x, y) => x - y), 'no schema row without an acknowledged version, no id twice');
      assert.deepEqual(check.prepare('SELECT kind, scope, value FROM settings').all(), [{ kind: 'compatibility', scope: 's2', value: 'NONE' }]);
      t.diagnostic(`after the filler was removed: next id ${maxId + 1}; on disk ${stored.length} versions, all acknowledged, integrity_check ok`);
    } finally {
      check.close();
    }
  } finally {
    await gateway?.close();
    await first.kill();
    await second.kill();
    try {
      execFileSync('umount', [store], { stdio: 'pipe' });
    } catch {
      execFileSync('umount', ['-l', store], { stdio: 'pipe' });
    }
    dir.remove();
  }
});
