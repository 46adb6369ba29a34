/**
 * Routing and transport round trips under the default error mapping (grpc-gateway's body):
 * 404, 405 with Allow, 415, 406 with Accept negotiation, 413, malformed JSON, empty bodies,
 * deadlines, request ids and forwarded headers, trailing slashes, static and readiness routes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startHarness } from '../support/gateway-harness.js';
import { useGateway } from '../support/use-gateway.js';
import { waitFor } from '../support/wait-for.js';
import { assertNoInternals, defaultErrorBody, frontendHead, json, type HttpIn, type HttpOut } from './round-trip.js';

const VND = 'application/vnd.test.v1+json';
const BODY_LIMIT = 512;

const DEFINITION = `${frontendHead(
  'main',
  `  consumes: [application/json, ${VND}, application/octet-stream]
  produces: [{ type: ${VND}, quality: 1 }, { type: application/json, quality: 0.9 }]
  forwardHeaders: [X-Tenant]
`,
)}  routes:
    - { id: echo, method: POST, path: /echo, grpc: Echo, params: [{ from: body, to: '*' }] }
    - { id: item-get, method: GET, path: '/items/{id}', grpc: Echo, params: [{ from: path.id, to: f_int32 }] }
    - { id: item-put, method: PUT, path: '/items/{id}', grpc: Echo, params: [{ from: path.id, to: f_int32 }, { from: body, to: '*' }] }
    - { id: item-delete-all, method: DELETE, path: /items, grpc: Echo }
    - { id: slow, method: GET, path: /slow, grpc: Slow, deadlineMs: 150, params: [{ from: query.ms, to: delay_ms }] }
    - { id: slow-default, method: GET, path: /slow-default, grpc: Slow, params: [{ from: query.ms, to: delay_ms }] }
    - { id: static, method: GET, path: /static, response: { status: 202, headers: { X-Static: yes }, body: { object: { status: UP, checks: [] } } } }
    - { id: ready, method: GET, path: /ready, readiness: true, response: { body: { const: { ready: true } } } }
    - { id: raw, method: GET, path: '/raw/{text}', grpc: Describe, params: [{ from: path.text, to: f_string }], response: { raw: true, body: { from: response.text } } }
---
${frontendHead('tolerant', '  basePath: /tolerant\n  trailingSlash: true\n  defaultRequestType: application/json\n  deadlineMs: 120\n')}  routes:
    - { id: tolerant-slow, method: GET, path: /slow, grpc: Slow, params: [{ from: query.ms, to: delay_ms }] }
    - { id: things, method: POST, path: /things, grpc: Echo, params: [{ from: body, to: '*' }] }
    - { id: thing, method: GET, path: '/things/{name}', grpc: Echo, params: [{ from: path.name, to: f_string }] }
---
${frontendHead('exact', '  basePath: /exact\n')}  routes:
    - { id: exact-thing, method: GET, path: '/things/{name}', grpc: Echo, params: [{ from: path.name, to: f_string }] }
`;

const gateway = useGateway({ definition: DEFINITION, bodyLimit: BODY_LIMIT });

const send = (req: HttpIn) => gateway.exchange(req);

interface Expect {
  status: number;
  contentType: string;
  body?: unknown;
  /** A raw body, compared as text. */
  text?: string;
  headers?: Record<string, string | undefined>;
  /** Upstream calls made: method names. */
  calls?: string[];
}

function check(out: HttpOut, expected: Expect): void {
  assertNoInternals(out.text);
  assert.equal(out.status, expected.status, out.text);
  assert.equal(out.headers['content-type'], expected.contentType);
  for (const [name, value] of Object.entries(expected.headers ?? {})) assert.equal(out.headers[name], value, `header ${name}`);
  assert.deepEqual(
    out.calls.map((c) => c.method),
    expected.calls ?? [],
  );
  if (expected.text !== undefined) assert.equal(out.text, expected.text);
  else assert.deepEqual(json(out), expected.body);
}

interface Row {
  name: string;
  req: HttpIn;
  expect: Expect;
  todo?: string;
}

const gw = (code: number, message: string, reason: string, metadata: Record<string, string> = {}) => defaultErrorBody(code, message, reason, metadata);

const ROUTING: Row[] = [
  {
    name: 'unknown path is 404 ROUTE_NOT_FOUND',
    req: { url: '/nothing/here' },
    expect: { status: 404, contentType: VND, body: gw(5, 'no route for GET /nothing/here', 'ROUTE_NOT_FOUND', { method: 'GET', path: '/nothing/here' }) },
  },
  {
    name: 'a path that differs only in case is 404 (matching is case-sensitive)',
    req: { url: '/ECHO', method: 'POST', body: {} },
    expect: { status: 404, contentType: VND, body: gw(5, 'no route for POST /ECHO', 'ROUTE_NOT_FOUND', { method: 'POST', path: '/ECHO' }) },
  },
  {
    name: 'an empty path parameter is 404, not an empty value',
    req: { url: '/items/' },
    expect: { status: 404, contentType: VND, body: gw(5, 'no route for GET /items/', 'ROUTE_NOT_FOUND', { method: 'GET', path: '/items/' }) },
  },
  {
    name: 'malformed percent-encoding in the path is 404 through the same mapping',
    req: { url: '/items/%ZZ' },
    expect: { status: 404, contentType: VND, body: gw(5, 'cannot route GET /items/%ZZ', 'ROUTE_NOT_FOUND') },
  },
  {
    name: 'wrong method is 405 with an Allow header listing the methods that match',
    req: { url: '/items/1', method: 'POST', body: {} },
    expect: { status: 405, contentType: VND, headers: { allow: 'GET, PUT, HEAD' }, body: gw(12, 'method POST is not allowed on /items/1', 'METHOD_NOT_ALLOWED', { method: 'POST', path: '/items/1' }) },
  },
  {
    name: 'unsupported content type is 415, rendered in the first produced type',
    req: { url: '/echo', method: 'POST', body: '{}', headers: { 'content-type': 'text/plain', accept: 'application/json' } },
    expect: { status: 415, contentType: VND, body: gw(3, "content type 'text/plain' is not supported", 'UNSUPPORTED_MEDIA_TYPE', { contentType: 'text/plain' }) },
  },
  {
    name: 'consumed types: a vendor +json type is parsed as JSON',
    req: { url: '/echo', method: 'POST', body: '{"fString":"v"}', headers: { 'content-type': VND } },
    expect: { status: 200, contentType: VND, body: { fString: 'v' }, calls: ['Echo'] },
  },
  {
    name: 'consumed types: application/octet-stream is parsed as JSON',
    req: { url: '/echo', method: 'POST', body: '{"fString":"o"}', headers: { 'content-type': 'application/octet-stream' } },
    expect: { status: 200, contentType: VND, body: { fString: 'o' }, calls: ['Echo'] },
  },
  {
    name: 'consumed types: parameters and case of the content type are ignored',
    req: { url: '/echo', method: 'POST', body: '{"fInt32":1}', headers: { 'content-type': 'Application/JSON; charset=utf-8' } },
    expect: { status: 200, contentType: VND, body: { fInt32: 1 }, calls: ['Echo'] },
  },
  {
    name: 'a body without a content type is read as the first consumed type',
    req: { url: '/echo', method: 'POST', body: '{"fInt32":2}' },
    expect: { status: 200, contentType: VND, body: { fInt32: 2 }, calls: ['Echo'] },
  },
  {
    name: 'a body without a content type is read as the declared defaultRequestType',
    req: { url: '/tolerant/things', method: 'POST', body: '{"fInt32":3}' },
    expect: { status: 200, contentType: 'application/json', body: { fInt32: 3 }, calls: ['Echo'] },
  },
  {
    name: 'malformed JSON is 400 MALFORMED_BODY and reaches no upstream',
    req: { url: '/echo', method: 'POST', body: '{"fInt32":', headers: { 'content-type': 'application/json' } },
    expect: { status: 400, contentType: VND, body: gw(3, 'malformed JSON body: Unexpected end of JSON input', 'MALFORMED_BODY') },
  },
  {
    name: 'an empty body with a JSON content type counts as no body',
    req: { url: '/echo', method: 'POST', body: '', headers: { 'content-type': 'application/json' } },
    expect: { status: 200, contentType: VND, body: {}, calls: ['Echo'] },
  },
  {
    name: 'a GET with a Content-Type and no body works',
    req: { url: '/items/4', headers: { 'content-type': 'application/json' } },
    expect: { status: 200, contentType: VND, body: { fInt32: 4 }, calls: ['Echo'] },
  },
  {
    name: 'a DELETE with a Content-Type and no body works',
    req: { url: '/items', method: 'DELETE', headers: { 'content-type': VND } },
    expect: { status: 200, contentType: VND, body: {}, calls: ['Echo'] },
  },
  {
    name: 'a body over the body limit is 413 PAYLOAD_TOO_LARGE through the same mapping',
    req: { url: '/echo', method: 'POST', body: { fString: 'x'.repeat(BODY_LIMIT) } },
    expect: { status: 413, contentType: VND, body: gw(8, 'request body is too large', 'PAYLOAD_TOO_LARGE') },
  },
  {
    name: 'a body exactly at the body limit passes',
    req: { url: '/echo', method: 'POST', body: { fString: 'y'.repeat(BODY_LIMIT - '{"fString":""}'.length) } },
    expect: { status: 200, contentType: VND, body: { fString: 'y'.repeat(BODY_LIMIT - '{"fString":""}'.length) }, calls: ['Echo'] },
  },
  {
    name: 'a 404 goes out in the type the client accepts when it is produced',
    req: { url: '/nothing', headers: { accept: 'application/json' } },
    expect: { status: 404, contentType: 'application/json', body: gw(5, 'no route for GET /nothing', 'ROUTE_NOT_FOUND', { method: 'GET', path: '/nothing' }) },
  },
  {
    name: 'a 404 for a client accepting nothing producible goes out in the first produced type',
    req: { url: '/nothing', headers: { accept: 'text/html' } },
    expect: { status: 404, contentType: VND, body: gw(5, 'no route for GET /nothing', 'ROUTE_NOT_FOUND', { method: 'GET', path: '/nothing' }) },
  },
  {
    name: 'an unknown path under a base path is rendered by that frontend (its produced type)',
    req: { url: '/tolerant/nothing' },
    expect: { status: 404, contentType: 'application/json', body: gw(5, 'no route for GET /tolerant/nothing', 'ROUTE_NOT_FOUND', { method: 'GET', path: '/tolerant/nothing' }) },
  },
  {
    name: 'a base path matches whole segments only (/tolerantx is not under /tolerant)',
    req: { url: '/tolerantx/nothing' },
    expect: { status: 404, contentType: VND, body: gw(5, 'no route for GET /tolerantx/nothing', 'ROUTE_NOT_FOUND', { method: 'GET', path: '/tolerantx/nothing' }) },
  },
  {
    name: 'a body nested deeper than 64 levels is refused before parsing',
    req: { url: '/echo', method: 'POST', body: '{"attrs":{"a":' + '['.repeat(64) + ']'.repeat(64) + '}}', headers: { 'content-type': 'application/json' } },
    expect: { status: 400, contentType: VND, body: gw(3, 'JSON body nested deeper than 64 levels', 'MALFORMED_BODY') },
  },
  {
    name: 'brackets inside JSON strings do not count as nesting',
    req: { url: '/echo', method: 'POST', body: { fString: '['.repeat(200) + '{\\"' } },
    expect: { status: 200, contentType: VND, body: { fString: '['.repeat(200) + '{\\"' }, calls: ['Echo'] },
  },
  {
    name: 'a Struct holding lists nested 40 deep goes through',
    req: { url: '/echo', method: 'POST', body: '{"attrs":{"a":' + '['.repeat(40) + ']'.repeat(40) + '}}', headers: { 'content-type': 'application/json' } },
    expect: { status: 200, contentType: VND, body: { attrs: { a: JSON.parse('['.repeat(40) + ']'.repeat(40)) } }, calls: ['Echo'] },
  },
  // Trailing slashes.
  {
    name: 'trailingSlash on: a trailing slash is tolerated',
    req: { url: '/tolerant/things/a/' },
    expect: { status: 200, contentType: 'application/json', body: { fString: 'a' }, calls: ['Echo'] },
  },
  {
    name: 'trailingSlash on: without the slash works too',
    req: { url: '/tolerant/things/a' },
    expect: { status: 200, contentType: 'application/json', body: { fString: 'a' }, calls: ['Echo'] },
  },
  {
    name: 'trailingSlash off: a trailing slash is 404',
    req: { url: '/exact/things/a/' },
    expect: { status: 404, contentType: 'application/json', body: gw(5, 'no route for GET /exact/things/a/', 'ROUTE_NOT_FOUND', { method: 'GET', path: '/exact/things/a/' }) },
  },
  // Static routes.
  {
    name: 'a static route answers its declared status, headers and body without a call',
    req: { url: '/static' },
    expect: { status: 202, contentType: VND, headers: { 'x-static': 'yes' }, body: { status: 'UP', checks: [] } },
  },
  {
    name: 'a raw body goes out under the negotiated type',
    req: { url: '/raw/plain%20words', headers: { accept: 'application/json' } },
    expect: { status: 200, contentType: 'application/json', text: 'plain words', calls: ['Describe'] },
  },
];

const ACCEPT: [string, string | undefined, string][] = [
  ['no Accept: the highest server quality', undefined, VND],
  ['Accept */*: the highest server quality', '*/*', VND],
  ['Accept * (HttpURLConnection): the highest server quality', '*', VND],
  ['Accept application/json: exactly that', 'application/json', 'application/json'],
  ['Accept the vendor type: exactly that', VND, VND],
  ['client q-values times server quality: json 0.9×0.9 beats vnd 0.5×1', `application/json;q=0.9, ${VND};q=0.5`, 'application/json'],
  ['a specific range overrides a wildcard for the same type', 'application/*;q=0.5, application/json', 'application/json'],
  ['a wildcard fallback behind an unproducible type', 'text/html, */*;q=0.1', VND],
  ['media type matching ignores case', 'APPLICATION/JSON', 'application/json'],
];

describe('routing failures and request plumbing', () => {
  for (const row of ROUTING) {
    test(row.name, row.todo ? { todo: row.todo } : {}, async () => check(await send(row.req), row.expect));
  }
});

describe('bodies within the JSON depth limit but deeper than protobuf encodes', () => {
  for (const [name, body] of [
    ['a Struct holding lists nested 60 deep (JSON depth 62)', '{"attrs":{"a":' + '['.repeat(60) + ']'.repeat(60) + '}}'],
    // Within the JSON limit, but past what protobufjs encodes (each list level is two messages).
    ['a Struct holding lists nested 55 deep (JSON depth 57)', '{"attrs":{"a":' + '['.repeat(55) + ']'.repeat(55) + '}}'],
  ]) {
    test(`${name} is a 400, not a 500`, async () => {
      const out = await send({ url: '/echo', method: 'POST', body, headers: { 'content-type': 'application/json' } });
      assertNoInternals(out.text);
      assert.deepEqual(out.calls, []);
      assert.equal(out.status, 400, out.text);
      assert.equal((json(out) as { code: number }).code, 3);
    });
  }
});

describe('Accept negotiation', () => {
  for (const [name, accept, type] of ACCEPT) {
    test(name, async () => {
      const out = await send({ url: '/items/5', headers: accept === undefined ? {} : { accept } });
      check(out, { status: 200, contentType: type, body: { fInt32: 5 }, calls: ['Echo'] });
    });
  }
  for (const [name, accept] of [
    ['nothing producible is 406, the body in the first produced type', 'text/html'],
    ['q=0 refuses a type: 406', 'application/json;q=0'],
  ]) {
    test(name, async () => {
      const out = await send({ url: '/items/5', headers: { accept } });
      check(out, { status: 406, contentType: VND, body: gw(3, 'none of the accepted media types can be produced', 'NOT_ACCEPTABLE', { accept }) });
    });
  }
});

describe('upstream plumbing', () => {
  test('x-request-id is forwarded as metadata and echoed in the response', async () => {
    const out = await send({ url: '/items/6', headers: { 'x-request-id': 'req-abc-123' } });
    check(out, { status: 200, contentType: VND, body: { fInt32: 6 }, headers: { 'x-request-id': 'req-abc-123' }, calls: ['Echo'] });
    assert.equal(out.calls[0].metadata['x-request-id'], 'req-abc-123');
  });

  test('x-request-id is generated when absent, the same value upstream and in the response', async () => {
    const out = await send({ url: '/items/7' });
    check(out, { status: 200, contentType: VND, body: { fInt32: 7 }, calls: ['Echo'] });
    const id = out.calls[0].metadata['x-request-id'];
    assert.match(String(id), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(out.headers['x-request-id'], id);
  });

  for (const [name, given] of [
    ['longer than 128 characters', 'r'.repeat(129)],
    ['holding a space', 'two words'],
    ['empty', ''],
  ]) {
    test(`an x-request-id ${name} is replaced by a generated one`, async () => {
      const out = await send({ url: '/items/11', headers: { 'x-request-id': given } });
      check(out, { status: 200, contentType: VND, body: { fInt32: 11 }, calls: ['Echo'] });
      const id = String(out.calls[0].metadata['x-request-id']);
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(out.headers['x-request-id'], id);
    });
  }

  test('an x-request-id of exactly 128 printable characters is kept', async () => {
    const given = 'id-' + 'x'.repeat(125);
    const out = await send({ url: '/items/12', headers: { 'x-request-id': given } });
    check(out, { status: 200, contentType: VND, body: { fInt32: 12 }, headers: { 'x-request-id': given }, calls: ['Echo'] });
    assert.equal(out.calls[0].metadata['x-request-id'], given);
  });

  test('generated request ids differ between requests', async () => {
    const a = await send({ url: '/items/8' });
    const b = await send({ url: '/items/8' });
    assert.notEqual(a.calls[0].metadata['x-request-id'], b.calls[0].metadata['x-request-id']);
  });

  test('every answer carries x-request-id, also a 413 and the 404 of a malformed URL', async () => {
    const tooLarge = await send({ url: '/echo', method: 'POST', body: { fString: 'x'.repeat(BODY_LIMIT) }, headers: { 'x-request-id': 'big-1' } });
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.headers['x-request-id'], 'big-1');
    const badUrl = await send({ url: '/items/%ZZ', headers: { 'x-request-id': 'bad-1' } });
    assert.equal(badUrl.status, 404);
    assert.equal(badUrl.headers['x-request-id'], 'bad-1');
  });

  test('forwardHeaders: only allow-listed headers become metadata (names matched case-insensitively)', async () => {
    const out = await send({ url: '/items/9', headers: { 'X-Tenant': 'blue', 'X-Other': 'secret', authorization: 'Bearer t' } });
    check(out, { status: 200, contentType: VND, body: { fInt32: 9 }, calls: ['Echo'] });
    const md = out.calls[0].metadata;
    assert.equal(md['x-tenant'], 'blue');
    assert.equal(md['x-other'], undefined);
    assert.equal(md['authorization'], undefined);
  });

  test('deadline exceeded gives 504 and the upstream sees the cancellation', async () => {
    const cancelledBefore = gateway.fixture.cancelled;
    const started = Date.now();
    const out = await send({ url: '/slow?ms=5000' });
    check(out, { status: 504, contentType: VND, body: defaultErrorBody(4, 'upstream deadline exceeded'), calls: ['Slow'] });
    assert.ok(Date.now() - started < 4000, 'the gateway must not wait for the slow reply');
    assert.deepEqual({ ...out.calls[0].request }, { delay_ms: 5000 });
    await waitFor(() => gateway.fixture.cancelled !== cancelledBefore, { what: 'the upstream call to be cancelled' });
    assert.equal(gateway.fixture.cancelled, cancelledBefore + 1);
  });

  test('a client that goes away cancels the upstream call', async () => {
    const address = await gateway.app.listen({ port: 0, host: '127.0.0.1' });
    const cancelledBefore = gateway.fixture.cancelled;
    const receivedBefore = gateway.fixture.received.length;
    const request = http.get(`${address}/slow-default?ms=5000`);
    request.on('error', () => {});
    await waitFor(() => gateway.fixture.received.length !== receivedBefore, { what: 'the upstream call to arrive' });
    assert.deepEqual(gateway.fixture.received.slice(receivedBefore).map((c) => [c.method, { ...c.request }]), [['Slow', { delay_ms: 5000 }]]);
    request.destroy();
    await waitFor(() => gateway.fixture.cancelled !== cancelledBefore, { what: 'the upstream call to be cancelled' });
    assert.equal(gateway.fixture.cancelled, cancelledBefore + 1);
  });

  test('the frontend deadline applies to routes that declare none', async () => {
    const cancelledBefore = gateway.fixture.cancelled;
    const out = await send({ url: '/tolerant/slow?ms=5000' });
    check(out, { status: 504, contentType: 'application/json', body: defaultErrorBody(4, 'upstream deadline exceeded'), calls: ['Slow'] });
    await waitFor(() => gateway.fixture.cancelled !== cancelledBefore, { what: 'the upstream call to be cancelled' });
    assert.equal(gateway.fixture.cancelled, cancelledBefore + 1);
  });

  test('an upstream that is down gives 503 without transport details; readiness says not ready', async () => {
    const down = await startHarness(DEFINITION, '127.0.0.1:1');
    try {
      const call = await down.app.inject({ method: 'GET', url: '/items/1' });
      assert.equal(call.statusCode, 503);
      assertNoInternals(call.body);
      assert.deepEqual(JSON.parse(call.body), defaultErrorBody(14, 'upstream unavailable'));
      const ready = await down.app.inject({ method: 'GET', url: '/ready' });
      assert.equal(ready.statusCode, 503);
      assert.deepEqual(JSON.parse(ready.body), gw(14, 'the backend is not ready', 'NOT_READY'));
      const stat = await down.app.inject({ method: 'GET', url: '/static' });
      assert.equal(stat.statusCode, 202, 'a static route needs no upstream');
    } finally {
      await down.close();
    }
  });

  test('a call within the deadline completes (default deadline)', async () => {
    const out = await send({ url: '/slow-default?ms=20' });
    check(out, { status: 200, contentType: VND, body: {}, calls: ['Slow'] });
  });

  test('readiness: a ready route answers while the upstream is SERVING', async () => {
    check(await send({ url: '/ready' }), { status: 200, contentType: VND, body: { ready: true } });
  });

  test('readiness: 503 NOT_READY while the upstream is NOT_SERVING, and back when it serves again', async () => {
    gateway.fixture.serving = false;
    try {
      check(await send({ url: '/ready' }), { status: 503, contentType: VND, body: gw(14, 'the backend is not ready', 'NOT_READY') });
    } finally {
      gateway.fixture.serving = true;
    }
    check(await send({ url: '/ready' }), { status: 200, contentType: VND, body: { ready: true } });
  });

  test('the route table survives every failure above: a normal request still works', async () => {
    check(await send({ url: '/items/10' }), { status: 200, contentType: VND, body: { fInt32: 10 }, calls: ['Echo'] });
  });
});
