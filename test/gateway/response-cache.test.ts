/**
 * Declared response caching: repeated reads skip the upstream, writes through the frontend
 * clear the cache, entries expire after ttlMs, errors are never cached, and keys separate
 * requests and negotiated types.
 */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { startHarness } from '../support/gateway-harness.js';
import { useGateway } from '../support/use-gateway.js';

const yaml = `
name: cached
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  produces: [{ type: application/json }, { type: application/vnd.test+json, quality: 0.5 }]
  routes:
    - id: read
      method: GET
      path: /items/{id}
      grpc: Echo
      params: [{ from: path.id, to: f_int32 }]
      cache: { maxEntries: 2 }
    - id: short
      method: GET
      path: /short/{id}
      grpc: Echo
      params: [{ from: path.id, to: f_int32 }]
      cache: { ttlMs: 50 }
    - id: failing
      method: GET
      path: /fail/{code}
      grpc: Fail
      params: [{ from: path.code, to: code }]
      cache: {}
    - id: write
      method: POST
      path: /items
      grpc: Echo
`;

const h = useGateway({ definition: yaml });
const calls = () => h.fixture.received.length;
const get = (url: string, accept?: string) => h.app.inject({ method: 'GET', url, headers: accept ? { accept } : {} });

beforeEach(async () => {
  await h.app.inject({ method: 'POST', url: '/items', payload: {} });
  h.fixture.received.length = 0;
});

test('a repeated read is answered from the cache, with the same reply', async () => {
  const first = await get('/items/1');
  const second = await get('/items/1');
  assert.equal(calls(), 1);
  assert.equal(second.statusCode, 200);
  assert.equal(second.body, first.body);
  assert.equal(second.headers['content-type'], first.headers['content-type']);
});

test('different requests and different negotiated types are different entries', async () => {
  await get('/items/1');
  await get('/items/2');
  await get('/items/1', 'application/vnd.test+json');
  assert.equal(calls(), 3);
  assert.equal((await get('/items/1', 'application/vnd.test+json')).headers['content-type'], 'application/vnd.test+json');
  assert.equal(calls(), 3);
});

test('a successful write through the frontend clears the cache', async () => {
  await get('/items/1');
  await h.app.inject({ method: 'POST', url: '/items', payload: {} });
  await get('/items/1');
  assert.deepEqual(h.fixture.received.map((r) => r.method), ['Echo', 'Echo', 'Echo']);
});

test('entries expire after ttlMs', async (t) => {
  // The cache ages entries by Date.now: a mocked Date moves past the 50 ms at once.
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  await get('/short/1');
  t.mock.timers.tick(49);
  await get('/short/1');
  assert.equal(calls(), 1, 'still fresh 49 ms after it was stored');
  t.mock.timers.tick(2);
  await get('/short/1');
  assert.equal(calls(), 2, 'expired 51 ms after it was stored');
});

test('the least recently used entry leaves first when the route is full', async () => {
  await get('/items/1');
  await get('/items/2');
  await get('/items/1');
  await get('/items/3'); // evicts 2, the least recently used
  const before = calls();
  await get('/items/1');
  assert.equal(calls(), before);
  await get('/items/2');
  assert.equal(calls(), before + 1);
});

test('errors are not cached', async () => {
  assert.equal((await get('/fail/5')).statusCode, 404);
  assert.equal((await get('/fail/5')).statusCode, 404);
  assert.equal(calls(), 2);
});

test('only GET routes that call gRPC may declare a cache', async () => {
  await assert.rejects(
    startHarness(yaml.trimEnd() + '\n      cache: {}\n', h.fixture.address),
    /only GET routes that call a gRPC method can be cached/,
  );
});
