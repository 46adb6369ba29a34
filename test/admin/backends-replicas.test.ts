/**
 * Gateway replicas sharing the PostgreSQL admin store follow each other's backend changes: two
 * gateway processes serve the keyvalue pattern with its `store` slot bound to a REDIS backend
 * registered in the store; an update through one (a new key prefix: another store) re-binds
 * the other's slot too, so its writes land under the new prefix; a backend registered through
 * one appears on the other, and a delete through one removes it there. The news travels by
 * NOTIFY; the bounds are liveness bounds (10× the expected).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { createPostgresDefinitionStore } from '../../src/admin/postgres-definition-store.js';
import { CLI, http, spawnServing, tempDir, writeConfig, type ServingProcess } from '../operations/support.js';
import { createTestDatabase } from '../patterns/registry/postgres-test-db.js';
import { deleteRedisKeys, REDIS_TEST_URL } from '../patterns/keyvalue/redis-test-keys.js';
import { waitFor } from '../support/wait-for.js';

const SERVICE = 'prism.patterns.keyvalue.v1.KeyValue';
const PROPAGATION_MS = 20_000;

const b64 = (text: string) => Buffer.from(text).toString('base64');

async function set(g: ServingProcess, key: string, value: string): Promise<void> {
  const res = await fetch(`${g.url}/${SERVICE}/Set`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: b64(key), value: b64(value), contentType: 'text/plain' }) });
  assert.equal(res.status, 200, await res.text());
}

const putBackend = (g: ServingProcess, name: string, body: object) =>
  http(`${g.adminUrl}/admin/backends/${name}`, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

test('replicas sharing the PostgreSQL admin store follow each other\'s backend changes', { timeout: 180_000 }, async (t) => {
  const db = await createTestDatabase('backend_replicas');
  const dir = tempDir('backend-replicas');
  const run = randomUUID();
  const first = `prism:test:replicas:${run}:one:`;
  const second = `prism:test:replicas:${run}:two:`;
  const redis = new Redis(REDIS_TEST_URL, { protocol: 2 });
  const gateways: ServingProcess[] = [];
  t.after(async () => {
    for (const g of gateways) g.kill();
    await Promise.all(gateways.map((g) => g.exited));
    redis.disconnect();
    await deleteRedisKeys(`prism:test:replicas:${run}:`);
    await db.drop();
    dir.remove();
  });

  // The slot's backend is in the store before the gateways start (a slot is bound at start).
  const store = createPostgresDefinitionStore({ url: db.url });
  await store.putBackend({ name: 'kv', type: 'REDIS', config: { url: REDIS_TEST_URL, keyPrefix: first }, deleted: false });
  await store.close();

  const config = writeConfig(dir.path, {
    admin: { store: 'definitions' },
    grpc: { enabled: false },
    backends: [{ name: 'definitions', type: 'POSTGRES', config: { url: db.url } }],
    namespaces: [{ name: 'kv', pattern: { embedded: 'patterns/keyvalue', slots: { store: 'kv' } }, frontends: [], grpcWeb: true }],
  });
  for (const name of ['a', 'b']) {
    gateways.push(await spawnServing(process.execPath, ['--import', 'tsx', CLI, 'serve', '--config', config, '--port', '0', '--data-dir', join(dir.path, name), '--log-level', 'info']));
  }
  const [a, b] = gateways;
  assert.ok(a.adminUrl && b.adminUrl, 'both admin listeners are logged');

  await set(b, 'before', 'b');
  assert.equal(await redis.exists(`${first}e:before`), 1, 'b writes under the first prefix');

  // UPDATE_BACKEND through a: a re-binds at once, b once it has heard.
  const updated = await putBackend(a, 'kv', { type: 'REDIS', config: { url: REDIS_TEST_URL, keyPrefix: second } });
  assert.equal(updated.status, 200, updated.text);
  assert.deepEqual((updated.json() as { rebound: unknown }).rebound, [{ namespace: 'kv', slot: 'store' }]);
  await waitFor(async () => ((await http(`${b.adminUrl}/admin/backends/kv`)).json() as { config: { keyPrefix: string } }).config.keyPrefix === second, {
    timeoutMs: PROPAGATION_MS,
    what: 'gateway b to take the new backend config',
  });
  await set(b, 'after', 'b');
  assert.equal(await redis.exists(`${second}e:after`), 1, "b's slot was re-bound: its writes land under the new prefix");
  assert.equal(await redis.exists(`${first}e:after`), 0);
  assert.ok(b.lines.some((l) => l.msg === 'backend updated' && l.backend === 'kv' && l.trigger === 'store'), "b logs the change it took from the store");

  // A change a cannot make (nobody listens there) is refused on a and never reaches b.
  const refused = await putBackend(a, 'kv', { type: 'REDIS', config: { url: 'redis://127.0.0.1:1', keyPrefix: second } });
  assert.equal(refused.status, 503, refused.text);
  await set(b, 'still', 'b');
  assert.equal(await redis.exists(`${second}e:still`), 1);

  // REGISTER_BACKEND through b reaches a; DELETE_BACKEND through a reaches b.
  const registered = await putBackend(b, 'extra', { type: 'MEMSTORE', config: {} });
  assert.equal(registered.status, 201, registered.text);
  await waitFor(async () => (await http(`${a.adminUrl}/admin/backends/extra`)).status === 200, { timeoutMs: PROPAGATION_MS, what: "backend 'extra' on gateway a" });
  const deleted = await http(`${a.adminUrl}/admin/backends/extra`, { method: 'DELETE' });
  assert.equal(deleted.status, 200, deleted.text);
  await waitFor(async () => (await http(`${b.adminUrl}/admin/backends/extra`)).status === 404, { timeoutMs: PROPAGATION_MS, what: "backend 'extra' to leave gateway b" });
});
