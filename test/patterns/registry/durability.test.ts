/**
 * Durability (DESIGN.md §4): a process registering in a loop is killed with SIGKILL; after
 * a restart on the same SQLite file every registration it acknowledged is there, ids are
 * unique, and new ids never reuse old ones (not even after a hard delete).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqliteStorage } from '../../../patterns/registry/storage/sqlite-storage.js';
import { startTestRegistry } from './registry-test-client.js';

const fixture = fileURLToPath(new URL('./fixtures/register-loop.ts', import.meta.url));
const ACKS_BEFORE_KILL = 300;
const loopSchema = (n: number) => `{"type":"record","name":"R","fields":[{"name":"f${n}","type":"int","default":0}]}`;

interface Ack {
  subject: string;
  version: number;
  id: number;
  n: number;
}

/** Runs the loop until `count` acks were printed, then SIGKILLs it; returns every complete ack line. */
function registerUntilKilled(path: string, count: number, firstN: number): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, path, String(firstN)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    let stderr = '';
    const acks: Ack[] = [];
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!; // an incomplete last line is not an ack
      for (const line of lines) {
        const m = /^ack (\S+) (\d+) (\d+) (\d+)$/.exec(line);
        if (m) acks.push({ subject: m[1], version: Number(m[2]), id: Number(m[3]), n: Number(m[4]) });
      }
      if (!killed && acks.length >= count) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acks);
      else reject(new Error(`the loop exited on its own (code ${code}): ${stderr}`));
    });
  });
}

test('acknowledged registrations survive SIGKILL; ids are unique and never reused', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'registry-durability-'));
  const path = join(dir, 'registry.db');
  try {
    const first = await registerUntilKilled(path, ACKS_BEFORE_KILL, 0);
    assert.ok(first.length >= ACKS_BEFORE_KILL);
    // A second life on the same file with new schemas, killed again: ids continue.
    const second = await registerUntilKilled(path, 100, 1_000_000);
    const acks = [...first, ...second];

    let registry = await startTestRegistry(createSqliteStorage({ path }));
    try {
      const call = registry.client.call;
      const seenIds = new Map<number, number>();
      for (const ack of acks) {
        const stored = await call('GetSchemaVersion', { subject: ack.subject, version: String(ack.version) });
        assert.equal(stored.id, ack.id, `${ack.subject} v${ack.version}`);
        assert.equal(stored.schema, loopSchema(ack.n));
        // Every loop schema is distinct, so ids must be too.
        assert.ok(!seenIds.has(ack.id) || seenIds.get(ack.id) === ack.n, `id ${ack.id} given to two schemas`);
        seenIds.set(ack.id, ack.n);
      }
      const secondLifeMin = Math.min(...second.map((a) => a.id));
      const firstLifeMax = Math.max(...first.map((a) => a.id));
      assert.ok(secondLifeMin > firstLifeMax, 'the second life does not reuse ids of the first');

      // Hard-delete the newest acknowledged registration, restart, register: the freed id
      // (usually the highest one) is not handed out again.
      const maxId = (await call('GetSchema', { id: acks[0].id, fetch_max_id: true })).max_id;
      const newest = acks.reduce((a, b) => (b.id > a.id ? b : a));
      await call('DeleteSchemaVersion', { subject: newest.subject, version: String(newest.version) });
      await call('DeleteSchemaVersion', { subject: newest.subject, version: String(newest.version), permanent: true });
      await registry.close();
      registry = await startTestRegistry(createSqliteStorage({ path }));
      const fresh = await registry.client.call('RegisterSchema', { subject: 'after-restart', schema: loopSchema(2_000_000) });
      assert.equal(fresh.id, maxId + 1);
    } finally {
      await registry.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
