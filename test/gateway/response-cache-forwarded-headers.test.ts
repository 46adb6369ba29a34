/**
 * Regression: the response cache keyed answers by the encoded request alone, so with
 * `forwardHeaders: [x-tenant]` one tenant's cached answer was served to another. Every
 * forwarded value (but x-request-id, unique per request) is now part of the key.
 */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { useGateway } from '../support/use-gateway.js';

const yaml = `
name: tenants
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  forwardHeaders: [x-tenant, x-region]
  routes:
    - id: read
      method: GET
      path: /items/{id}
      grpc: Echo
      params: [{ from: path.id, to: f_int32 }]
      cache: {}
`;

const h = useGateway({ definition: yaml });
const get = (url: string, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url, headers });
const tenantsSeen = () => h.fixture.received.map((r) => `${String(r.metadata['x-tenant'] ?? '-')}/${String(r.metadata['x-region'] ?? '-')}`);

// Each test reads its own item id, so answers cached by one test never serve another.
beforeEach(() => {
  h.fixture.received.length = 0;
});

test('each tenant gets its own cached answer: a second tenant reaches the backend', async () => {
  assert.equal((await get('/items/1', { 'x-tenant': 'a' })).statusCode, 200);
  assert.equal((await get('/items/1', { 'x-tenant': 'b' })).statusCode, 200);
  assert.equal((await get('/items/1')).statusCode, 200);
  assert.deepEqual(tenantsSeen(), ['a/-', 'b/-', '-/-']);
});

test('the same forwarded values hit the cache, whatever the request id', async () => {
  await get('/items/2', { 'x-tenant': 'a', 'x-request-id': 'one' });
  await get('/items/2', { 'x-tenant': 'a', 'x-request-id': 'two' });
  assert.deepEqual(tenantsSeen(), ['a/-']);
});

test('values cannot be shifted between headers to collide', async () => {
  await get('/items/3', { 'x-tenant': 'a', 'x-region': 'b' });
  await get('/items/3', { 'x-tenant': 'a\nb' }).catch(() => undefined);
  await get('/items/3', { 'x-region': 'a' });
  await get('/items/3', { 'x-tenant': 'a' });
  assert.deepEqual(tenantsSeen(), ['a/b', '-/a', 'a/-']);
});
