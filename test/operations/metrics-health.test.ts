/**
 * Metrics, health and readiness on the admin listener, against the fixture backend: the
 * request counter of a route (labelled with the route id, never the URL), the latency
 * histogram, the upstream call counter by method and code, default process metrics; /healthz
 * always 200; /readyz 200 while the backend's grpc.health.v1 answers SERVING, 503 when it turns
 * NOT_SERVING or the backend stops.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { echoFrontend, fixtureNamespace, http, putFrontend, sampleValue, useConfiguredGateway } from './support.js';

const METERED = echoFrontend(
  'metered',
  [{ id: 'hello', path: '/m/hello', marker: 'hi' }],
  `    - { id: item, method: GET, path: '/m/items/{name}', grpc: Echo, params: [{ from: path.name, to: f_string }] }
    - { id: missing, method: GET, path: /m/missing, grpc: Fail, params: [{ const: 5, to: code }, { const: gone, to: message }] }
`,
);

const metrics = async () => {
  const a = await http(`${stack.gateway.adminUrl}/metrics`);
  assert.equal(a.status, 200);
  return a;
};

// The last tests stop the fixture themselves; the suite's second close of it is a no-op.
const stack = useConfiguredGateway(
  'metrics',
  (fixture) => ({ namespaces: [fixtureNamespace('fx', fixture.address)] }),
  async ({ gateway }) => {
    const put = await putFrontend(gateway.adminUrl!, 'metered', METERED);
    assert.equal(put.status, 200, put.text);
  },
);

describe('/metrics', () => {
  test('is Prometheus text with the default process metrics, on the admin listener only', async () => {
    const m = await metrics();
    assert.match(m.type ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(m.text, /^process_cpu_user_seconds_total /m);
    assert.match(m.text, /^nodejs_heap_size_used_bytes /m);
    assert.equal((await http(`${stack.gateway.url}/metrics`)).status, 404, 'not on the public listener');
  });

  test('a request shows up under its frontend and route id, with its latency', async () => {
    const labels = { frontend: 'metered', route: 'hello', method: 'GET', status_class: '2xx' };
    assert.equal(sampleValue((await metrics()).text, 'prism_http_requests_total', labels), undefined, 'no sample before the first request');
    const a = await http(`${stack.gateway.url}/m/hello`);
    assert.equal(a.status, 200);
    const after1 = (await metrics()).text;
    assert.equal(sampleValue(after1, 'prism_http_requests_total', labels), 1);
    assert.equal(sampleValue(after1, 'prism_http_request_duration_seconds_count', { frontend: 'metered', route: 'hello' }), 1);
    await http(`${stack.gateway.url}/m/hello`);
    await http(`${stack.gateway.url}/m/hello`);
    assert.equal(sampleValue((await metrics()).text, 'prism_http_requests_total', labels), 3);
  });

  test('upstream calls are counted by gRPC method and status code', async () => {
    const before = (await metrics()).text;
    const echoOk = { method: '/prism.test.v1.EverythingService/Echo', code: 'OK' };
    const failNotFound = { method: '/prism.test.v1.EverythingService/Fail', code: 'NOT_FOUND' };
    const okBefore = sampleValue(before, 'prism_upstream_calls_total', echoOk) ?? 0;
    assert.equal(sampleValue(before, 'prism_upstream_calls_total', failNotFound), undefined);
    assert.equal((await http(`${stack.gateway.url}/m/hello`)).status, 200);
    const missing = await http(`${stack.gateway.url}/m/missing`);
    assert.equal(missing.status, 404, missing.text);
    const after = (await metrics()).text;
    assert.equal(sampleValue(after, 'prism_upstream_calls_total', echoOk), okBefore + 1);
    assert.equal(sampleValue(after, 'prism_upstream_calls_total', failNotFound), 1);
    assert.equal(sampleValue(after, 'prism_http_requests_total', { frontend: 'metered', route: 'missing', method: 'GET', status_class: '4xx' }), 1);
  });

  test('labels carry route ids, never raw URLs', async () => {
    assert.equal((await http(`${stack.gateway.url}/m/items/secret-value-123`)).status, 200);
    assert.equal((await http(`${stack.gateway.url}/unrouted-path-456`)).status, 404);
    const text = (await metrics()).text;
    assert.equal(sampleValue(text, 'prism_http_requests_total', { frontend: 'metered', route: 'item', method: 'GET', status_class: '2xx' }), 1);
    assert.doesNotMatch(text, /secret-value-123/);
    assert.doesNotMatch(text, /unrouted-path-456/);
  });

  test('route table reloads are counted by result', async () => {
    const before = (await metrics()).text;
    const ok = sampleValue(before, 'prism_route_table_reloads_total', { result: 'success' }) ?? 0;
    const failed = sampleValue(before, 'prism_route_table_reloads_total', { result: 'failure' }) ?? 0;
    assert.equal((await putFrontend(stack.gateway.adminUrl!, 'metered', METERED)).status, 200);
    assert.equal((await putFrontend(stack.gateway.adminUrl!, 'metered', METERED.replace('grpc: Fail', 'grpc: Nope'))).status, 400);
    const after = (await metrics()).text;
    assert.equal(sampleValue(after, 'prism_route_table_reloads_total', { result: 'success' }), ok + 1);
    assert.equal(sampleValue(after, 'prism_route_table_reloads_total', { result: 'failure' }), failed + 1);
  });
});

describe('/healthz and /readyz', () => {
  test('/healthz answers 200', async () => {
    const a = await http(`${stack.gateway.adminUrl}/healthz`);
    assert.equal(a.status, 200);
    assert.deepEqual(a.json(), { status: 'ok' });
  });

  test('/readyz is 200 while the backend is SERVING', async () => {
    const a = await http(`${stack.gateway.adminUrl}/readyz`);
    assert.equal(a.status, 200, a.text);
    assert.deepEqual((a.json() as { namespaces: unknown }).namespaces, { fx: 'SERVING' });
  });

  test('/readyz turns 503 when the backend reports NOT_SERVING, and back to 200', async () => {
    stack.fixture.serving = false;
    try {
      const a = await http(`${stack.gateway.adminUrl}/readyz`);
      assert.equal(a.status, 503, a.text);
      assert.deepEqual((a.json() as { namespaces: unknown }).namespaces, { fx: 'NOT_SERVING' });
      assert.equal((await http(`${stack.gateway.adminUrl}/healthz`)).status, 200, 'the process is still healthy');
    } finally {
      stack.fixture.serving = true;
    }
    assert.equal((await http(`${stack.gateway.adminUrl}/readyz`)).status, 200);
  });

  test('/readyz turns 503 when the backend stops', async () => {
    await stack.fixture.close();
    const a = await http(`${stack.gateway.adminUrl}/readyz`);
    assert.equal(a.status, 503, a.text);
    assert.deepEqual((a.json() as { namespaces: unknown }).namespaces, { fx: 'NOT_SERVING' });
    assert.equal((await http(`${stack.gateway.adminUrl}/healthz`)).status, 200);
  });

  test('calls to the stopped backend are counted as UNAVAILABLE', async () => {
    const labels = { method: '/prism.test.v1.EverythingService/Echo', code: 'UNAVAILABLE' };
    const before = sampleValue((await metrics()).text, 'prism_upstream_calls_total', labels) ?? 0;
    const a = await http(`${stack.gateway.url}/m/hello`);
    assert.equal(a.status, 503, a.text);
    const text = (await metrics()).text;
    assert.equal(sampleValue(text, 'prism_upstream_calls_total', labels), before + 1);
    assert.equal(sampleValue(text, 'prism_http_requests_total', { frontend: 'metered', route: 'hello', method: 'GET', status_class: '5xx' }), 1);
  });
});
