/**
 * A re-bind keeps the store when the change does not replace it: the keyvalue pattern's
 * `store` slot bound to a MEMSTORE backend keeps its entries across an UPDATE_BACKEND that
 * changes the MEMSTORE's config (the entries live with the backend, not with one pattern
 * instance), and one bound to a SQLITE backend re-binds to a new setting of the same file (its
 * lock was held by the instance being replaced). A change of type is a new store: the MEMSTORE
 * entries are not carried into SQLite.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway, type RunningGateway } from '../../src/start-gateway.js';
import { http, tempDir, writeConfig } from '../operations/support.js';

const SERVICE = 'prism.patterns.keyvalue.v1.KeyValue';

async function start(dir: string, slots: { mem: string; lite: string }): Promise<RunningGateway> {
  const file = writeConfig(dir, {
    backends: [{ name: 'scratch', type: 'MEMSTORE' }],
    namespaces: [
      { name: 'mem', pattern: { embedded: 'patterns/keyvalue', slots: { store: slots.mem } }, frontends: [], grpcWeb: true },
      { name: 'lite', pattern: { embedded: 'patterns/keyvalue', slots: { store: slots.lite } }, frontends: [], grpcWeb: true },
    ],
  });
  return startGateway(loadGatewayConfig(file), { host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), logger: false });
}

const putBackend = (g: RunningGateway, name: string, body: object) =>
  http(`${g.adminUrl}/admin/backends/${name}`, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** One Connect JSON call to a namespace's keyvalue service: the status and the answer. */
async function call(g: RunningGateway, namespace: string, method: string, request: object): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${g.url}/${SERVICE}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-prism-namespace': namespace }, body: JSON.stringify(request) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function setKey(g: RunningGateway, namespace: string, key: string, value: string): Promise<void> {
  const answer = await call(g, namespace, 'Set', { key: b64(key), value: b64(value), contentType: 'text/plain' });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
}

async function getKey(g: RunningGateway, namespace: string, key: string): Promise<string | undefined> {
  const answer = await call(g, namespace, 'Get', { key: b64(key) });
  if (answer.status === 404) return undefined;
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return Buffer.from(answer.body.value as string, 'base64').toString();
}

test('a re-bind that keeps the store keeps its data; a change of type is a new store', async () => {
  const dir = tempDir('rebind-memstore');
  let gateway = await start(dir.path, { mem: 'scratch', lite: 'scratch' });
  try {
    // Registered first; the slots are bound to them at the next start.
    assert.equal((await putBackend(gateway, 'kv-mem', { type: 'MEMSTORE', config: {} })).status, 201);
    assert.equal((await putBackend(gateway, 'kv-lite', { type: 'SQLITE', config: { path: 'kv.db' } })).status, 201);
    await gateway.close();
    gateway = await start(dir.path, { mem: 'kv-mem', lite: 'kv-lite' });

    await setKey(gateway, 'mem', 'kept', 'in memory');
    await setKey(gateway, 'lite', 'kept', 'in the file');

    // MEMSTORE → MEMSTORE with another config: the same store, its entries kept.
    const mem = await putBackend(gateway, 'kv-mem', { type: 'MEMSTORE', config: { maxEntries: 1000 } });
    assert.equal(mem.status, 200, mem.text);
    assert.deepEqual((mem.json() as { rebound: unknown }).rebound, [{ namespace: 'mem', slot: 'store' }]);
    assert.equal(await getKey(gateway, 'mem', 'kept'), 'in memory');
    await setKey(gateway, 'mem', 'later', 'after the re-bind');

    // SQLITE → SQLITE on the same file with another setting: re-bound, the file's data served.
    const lite = await putBackend(gateway, 'kv-lite', { type: 'SQLITE', config: { path: 'kv.db', synchronous: 'FULL' } });
    assert.equal(lite.status, 200, lite.text);
    assert.equal(await getKey(gateway, 'lite', 'kept'), 'in the file');
    // And once more, back: the previous instance's hold on the file is gone.
    assert.equal((await putBackend(gateway, 'kv-lite', { type: 'SQLITE', config: { path: 'kv.db' } })).status, 200);
    assert.equal(await getKey(gateway, 'lite', 'kept'), 'in the file');

    // MEMSTORE → SQLITE: another store; what the memory held is not carried over.
    const moved = await putBackend(gateway, 'kv-mem', { type: 'SQLITE', config: { path: 'moved.db' } });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(await getKey(gateway, 'mem', 'kept'), undefined);
    assert.equal(await getKey(gateway, 'mem', 'later'), undefined);

    // Back to MEMSTORE: a fresh memory store (the old one closed with the instance that held it).
    assert.equal((await putBackend(gateway, 'kv-mem', { type: 'MEMSTORE', config: {} })).status, 200);
    assert.equal(await getKey(gateway, 'mem', 'kept'), undefined);
  } finally {
    await gateway.close();
    dir.remove();
  }
});
