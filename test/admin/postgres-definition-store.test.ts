/**
 * The gateways' shared definition store on PostgreSQL: the SQLite store's table semantics,
 * and a change put through one store (gateway replica) reaching another's subscriber (within a
 * generous bound), also after its listening connection was cut.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createPostgresDefinitionStore } from '../../src/admin/postgres-definition-store.js';
import { createTestDatabase, type TestDatabase } from '../patterns/registry/postgres-test-db.js';

let db: TestDatabase | undefined;
after(async () => {
  await db?.drop();
});

/** Resolves with the time it took for `count` calls to have happened, failing after 10 s. */
function waitFor(calls: () => number, count: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (calls() >= count) return resolve(Date.now() - started);
      // A liveness bound, ten times the expected delay; the latency itself belongs in bench/.
      if (Date.now() - started > 10_000) return reject(new Error(`only ${calls()} of ${count} notifications within 10 s`));
      setTimeout(poll, 5);
    };
    poll();
  });
}

test('postgres definition store: upserts by name and namespace, keeps deletions, lists by name then namespace', async () => {
  db ??= await createTestDatabase('frontends');
  const store = createPostgresDefinitionStore({ url: db.url, poolSize: 2 });
  try {
    await store.put({ name: 'b', namespace: 'ns', text: 'kind: b', deleted: false });
    await store.put({ name: 'a', namespace: 'ns', pathPrefix: '/a', host: 'a.example', text: 'kind: a', deleted: false });
    await store.put({ name: 'b', namespace: 'other', text: 'kind: b2', deleted: false });
    await store.put({ name: 'b', namespace: 'ns', text: '', deleted: true });
    assert.deepEqual(await store.list(), [
      { name: 'a', namespace: 'ns', pathPrefix: '/a', host: 'a.example', text: 'kind: a', deleted: false },
      { name: 'b', namespace: 'ns', pathPrefix: undefined, host: undefined, text: '', deleted: true },
      { name: 'b', namespace: 'other', pathPrefix: undefined, host: undefined, text: 'kind: b2', deleted: false },
    ]);
  } finally {
    await store.close();
  }
});

test('postgres definition store: a put through one replica reaches the other\'s subscriber', async () => {
  db ??= await createTestDatabase('frontends');
  // Two stores opened at once: the table is created once, without a race.
  const one = createPostgresDefinitionStore({ url: db.url, channel: 'frontends_test' });
  const two = createPostgresDefinitionStore({ url: db.url, channel: 'frontends_test' });
  let heard = 0;
  const unsubscribe = await two.subscribe(() => heard++);
  try {
    await Promise.all([one.list(), two.list()]);
    await one.put({ name: 'orders', namespace: 'ns', text: 'v1', deleted: false });
    await waitFor(() => heard, 1);
    assert.equal((await two.list()).find((f) => f.name === 'orders')?.text, 'v1');

    // The subscriber's connection is cut: it reconnects and calls back (changes may have been
    // missed), and hears later changes again.
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()");
    await admin.end();
    await waitFor(() => heard, 2);
    await one.put({ name: 'orders', namespace: 'ns', text: '', deleted: true });
    await waitFor(() => heard, 3);
    assert.equal((await two.list()).find((f) => f.name === 'orders')?.deleted, true);

    // After unsubscribing nothing more is heard.
    await unsubscribe();
    const before = heard;
    await one.put({ name: 'other', namespace: 'ns', text: 'x', deleted: false });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(heard, before);
  } finally {
    await one.close();
    await two.close();
  }
});
