/**
 * A backend update under `serve --workers 2`: the keyvalue patterns run in the primary, the
 * admin call reaches one worker, and the slot is re-bound in the primary (validate-then-swap)
 * with the answer telling the outcome. Writes made through either worker afterwards land in the
 * new store; calls made while it happens do not fail; a MEMSTORE backend's entries survive a
 * config change; an update that cannot connect is refused (503) with the old binding serving;
 * and the other worker's admin API shows the new config.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { createSqliteDefinitionStore } from '../../src/admin/definition-store.js';
import { CLI, spawnServing, tempDir, writeConfig } from '../operations/support.js';
import { deleteRedisKeys, REDIS_TEST_URL } from '../patterns/keyvalue/redis-test-keys.js';
import { waitFor } from '../support/wait-for.js';

const SERVICE = 'prism.patterns.keyvalue.v1.KeyValue';

/** One request on a connection of its own, so that successive ones reach both workers. */
function fresh(url: string, method: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; pid?: string }> {
  return new Promise((done, fail) => {
    const req = request(url, { method, agent: false, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => done({ status: res.statusCode!, text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

async function call(url: string, namespace: string, method: string, body: object): Promise<{ status: number; text: string }> {
  return fresh(`${url}/${SERVICE}/${method}`, 'POST', JSON.stringify(body), { 'x-prism-namespace': namespace });
}

async function set(url: string, namespace: string, key: string): Promise<void> {
  const res = await call(url, namespace, 'Set', { key: b64(key), value: b64(`value of ${key}`), contentType: 'text/plain' });
  if (res.status !== 200) throw new Error(`Set ${key}: ${res.status} ${res.text}`);
}

test('a backend update under --workers re-binds the pattern in the primary and answers the outcome', { timeout: 180_000 }, async (t) => {
  const dir = tempDir('rebind-workers');
  const run = randomUUID();
  const first = `prism:test:workers:${run}:one:`;
  const second = `prism:test:workers:${run}:two:`;
  const redis = new Redis(REDIS_TEST_URL, { protocol: 2 });
  const dataDir = join(dir.path, 'data');
  t.after(async () => {
    redis.disconnect();
    await deleteRedisKeys(`prism:test:workers:${run}:`);
  });

  // Registered before the start (a slot is bound to a backend at start), in the workers' store.
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dataDir, { recursive: true });
  const store = createSqliteDefinitionStore(join(dataDir, 'gateway-admin.db'));
  await store.putBackend({ name: 'kv', type: 'REDIS', config: { url: REDIS_TEST_URL, keyPrefix: first }, deleted: false });
  await store.putBackend({ name: 'kv-mem', type: 'MEMSTORE', config: {}, deleted: false });
  await store.close();

  const config = writeConfig(dir.path, {
    grpc: { enabled: false },
    backends: [],
    namespaces: [
      { name: 'kv', pattern: { embedded: 'patterns/keyvalue', slots: { store: 'kv' } }, frontends: [], grpcWeb: true },
      { name: 'mem', pattern: { embedded: 'patterns/keyvalue', slots: { store: 'kv-mem' } }, frontends: [], grpcWeb: true },
    ],
  });
  const gateway = await spawnServing(process.execPath, ['--import', 'tsx', CLI, 'serve', '--config', config, '--port', '0', '--data-dir', dataDir, '--workers', '2', '--log-level', 'info'], {
    ready: (entry) => entry.workers === 2,
    timeoutMs: 120_000,
  });
  t.after(async () => {
    gateway.kill();
    await gateway.exited;
    dir.remove();
  });
  const { url, adminUrl } = gateway;
  assert.ok(adminUrl);
  const putBackend = (name: string, body: object) => fresh(`${adminUrl}/admin/backends/${name}`, 'PUT', JSON.stringify(body));

  await set(url, 'kv', 'before');
  assert.equal(await redis.exists(`${first}e:before`), 1);
  await set(url, 'mem', 'kept');

  // Calls run through both workers while the backend moves to the second prefix.
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const load = Promise.all(
    Array.from({ length: 4 }, async (_, caller) => {
      for (let i = 0; running; i++) {
        try {
          await set(url, 'kv', `load/${caller}/${i}`);
          ok += 1;
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    }),
  );
  await waitFor(() => ok >= 20 || failures.length > 0, { timeoutMs: 60_000, what: 'calls before the re-bind' });
  const moved = await putBackend('kv', { type: 'REDIS', config: { url: REDIS_TEST_URL, keyPrefix: second } });
  assert.equal(moved.status, 200, moved.text);
  assert.deepEqual((JSON.parse(moved.text) as { rebound: unknown }).rebound, [{ namespace: 'kv', slot: 'store' }]);
  const okAtAnswer = ok;
  await waitFor(() => ok >= okAtAnswer + 20 || failures.length > 0, { timeoutMs: 60_000, what: 'calls after the re-bind' });
  running = false;
  await load;
  assert.deepEqual(failures, [], `${failures.length} of ${ok + failures.length} calls failed`);

  // Every write from now on, through either worker, lands under the new prefix.
  for (let i = 0; i < 6; i++) await set(url, 'kv', `after/${i}`);
  assert.equal(await redis.exists(...Array.from({ length: 6 }, (_, i) => `${second}e:after/${i}`)), 6);
  assert.equal(await redis.exists(...Array.from({ length: 6 }, (_, i) => `${first}e:after/${i}`)), 0);
  assert.ok(gateway.lines.some((l) => l.msg === 'embedded pattern re-bound' && l.namespace === 'kv'), 'the primary logs the re-bind');

  // Both workers' admin APIs show the new config (the other one hears through the primary).
  await waitFor(
    async () => {
      for (let i = 0; i < 4; i++) {
        const got = await fresh(`${adminUrl}/admin/backends/kv`, 'GET');
        if ((JSON.parse(got.text) as { config: { keyPrefix?: string } }).config.keyPrefix !== second) return false;
      }
      return true;
    },
    { timeoutMs: 20_000, what: "every worker's admin API to show the new prefix" },
  );

  // An update that cannot connect: refused with the reason; the old binding keeps serving.
  const refused = await putBackend('kv', { type: 'REDIS', config: { url: 'redis://127.0.0.1:1', keyPrefix: first } });
  assert.equal(refused.status, 503, refused.text);
  assert.match(refused.text, /BACKEND_REBIND_FAILED/);
  assert.match(refused.text, /namespace 'kv'/);
  await set(url, 'kv', 'still');
  assert.equal(await redis.exists(`${second}e:still`), 1);

  // A MEMSTORE config change re-binds in the primary and keeps the entries.
  const mem = await putBackend('kv-mem', { type: 'MEMSTORE', config: { maxEntries: 100 } });
  assert.equal(mem.status, 200, mem.text);
  for (let i = 0; i < 4; i++) {
    const got = await call(url, 'mem', 'Get', { key: b64('kept') });
    assert.equal(got.status, 200, got.text);
    assert.equal(Buffer.from((JSON.parse(got.text) as { value: string }).value, 'base64').toString(), 'value of kept');
  }
});
