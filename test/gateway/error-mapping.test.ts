/**
 * Error mapping round trips: the fixture's Fail answers with the status, message, ErrorInfo
 * reason, domain and metadata each request asks for; the frontend's mappings (route overrides
 * first, first match wins) turn it into status, headers and body. Gateway-raised errors
 * (bindings, routing) take the same road. Then the default body for every gRPC code, and the
 * fixed fallback body when rendering itself fails.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Code, GatewayError } from '../../src/core/gateway-error.js';
import { compileErrorMapper } from '../../src/mapping/error-mapper.js';
import { defaultJsonOptions } from '../../src/mapping/message-json.js';
import { useGateway } from '../support/use-gateway.js';
import { assertNoInternals, defaultErrorBody, frontendHead, json, type HttpIn } from './round-trip.js';

const DEFINITION = `${frontendHead(
  'errors',
  `  fallback: { status: 500, body: { error_code: 50001, message: 'rendering failed' } }
  errors:
    - match: { reason: SUBJECT_NOT_FOUND }
      status: 404
      body: { object: { error_code: 40401, message: { from: error.message } } }
    - match: { code: NOT_FOUND, domain: other.prism.io }
      status: 410
      body: { object: { domain: { from: error.domain }, reason: { from: error.reason } } }
    - match: { code: 9 }
      status: 412
      headers: { X-Reason: { from: error.reason }, X-Code: { from: error.codeName } }
      body: { object: { codeName: { from: error.codeName }, code: { from: error.code }, http: { from: error.httpStatus } } }
    - match: { code: [ALREADY_EXISTS, 10] }
      body: { object: { conflict: true, status: { from: error.httpStatus } } }
    - match: { metadata: { kind: version } }
      status: 422
      body: { object: { error_code: 42202, field: { from: error.metadata.field }, message: { from: error.message } } }
    - match: { reason: [BINDING_TYPE, BINDING_RANGE], metadata: { param: id } }
      status: 404
      body: { object: { error_code: 40403, message: Schema not found } }
    - match: { reason: BINDING_MISSING }
      status: 422
      body: { object: { error_code: 42200, message: { from: error.message }, source: { from: error.metadata.source } } }
    - match: { reason: ROUTE_NOT_FOUND }
      body: { object: { error_code: 404, message: HTTP 404 Not Found } }
    - match: { reason: METHOD_NOT_ALLOWED }
      body: { object: { error_code: 405, message: HTTP 405 Method Not Allowed } }
    - match: { reason: MALFORMED_BODY }
      status: 400
      body: { object: { error_code: 400, message: Unrecognized JSON } }
`,
)}  routes:
    - id: fail
      method: POST
      path: /fail
      grpc: Fail
      params: [{ from: body, to: '*' }]
    - id: fail-override
      method: POST
      path: /fail-override
      grpc: Fail
      params: [{ from: body, to: '*' }]
      errors:
        - match: { reason: SUBJECT_NOT_FOUND }
          status: 400
          headers: { X-Route: override }
          body: { object: { route: true, askedCode: { from: request.code }, reason: { from: error.reason }, metadata: { from: error.metadata } } }
    - id: ids
      method: GET
      path: '/ids/{id}'
      grpc: Echo
      params: [{ from: path.id, to: f_int32 }]
    - id: required-body
      method: POST
      path: /required-body
      grpc: Echo
      params: [{ from: body, to: '*', required: true }]
`;

interface Row {
  name: string;
  req: HttpIn;
  /** The FailRequest the fixture received; undefined when no call must be made. */
  grpc?: Record<string, unknown>;
  status: number;
  headers?: Record<string, string | undefined>;
  body: unknown;
  todo?: string;
}

const fail = (request: Record<string, unknown>, url = '/fail'): HttpIn => ({ method: 'POST', url, body: request });

const MAPPED: Row[] = [
  {
    name: 'match by ErrorInfo reason; body template reads the gRPC message',
    req: fail({ code: 5, message: "Subject 'orders' not found.", reason: 'SUBJECT_NOT_FOUND', domain: 'registry.prism.io' }),
    grpc: { code: 5, message: "Subject 'orders' not found.", reason: 'SUBJECT_NOT_FOUND', domain: 'registry.prism.io' },
    status: 404,
    body: { error_code: 40401, message: "Subject 'orders' not found." },
  },
  {
    name: 'match by reason ignores the code',
    req: fail({ code: 13, message: 'odd', reason: 'SUBJECT_NOT_FOUND' }),
    grpc: { code: 13, message: 'odd', reason: 'SUBJECT_NOT_FOUND' },
    status: 404,
    body: { error_code: 40401, message: 'odd' },
  },
  {
    name: 'match by code name and domain; body reads domain and reason',
    req: fail({ code: 5, message: 'gone', reason: 'GONE', domain: 'other.prism.io' }),
    grpc: { code: 5, message: 'gone', reason: 'GONE', domain: 'other.prism.io' },
    status: 410,
    body: { domain: 'other.prism.io', reason: 'GONE' },
  },
  {
    name: 'same code in another domain does not match the domain rule',
    req: fail({ code: 5, message: 'missing', reason: 'GONE', domain: 'test.prism.io' }),
    grpc: { code: 5, message: 'missing', reason: 'GONE', domain: 'test.prism.io' },
    status: 404,
    body: defaultErrorBody(5, 'missing', 'GONE', {}, 'test.prism.io'),
  },
  {
    name: 'match by code number; headers and body read codeName, code and httpStatus',
    req: fail({ code: 9, message: 'precondition', reason: 'STALE' }),
    grpc: { code: 9, message: 'precondition', reason: 'STALE' },
    status: 412,
    headers: { 'x-reason': 'STALE', 'x-code': 'FAILED_PRECONDITION' },
    body: { codeName: 'FAILED_PRECONDITION', code: 9, http: 400 },
  },
  {
    name: 'match by a list of codes (name): status defaults to the code table',
    req: fail({ code: 6, message: 'exists' }),
    grpc: { code: 6, message: 'exists' },
    status: 409,
    body: { conflict: true, status: 409 },
  },
  {
    name: 'match by a list of codes (number): status defaults to the code table',
    req: fail({ code: 10, message: 'aborted' }),
    grpc: { code: 10, message: 'aborted' },
    status: 409,
    body: { conflict: true, status: 409 },
  },
  {
    name: 'match by ErrorInfo metadata; body reads a metadata entry',
    req: fail({ code: 3, message: 'bad version', reason: 'INVALID_VERSION', metadata: { kind: 'version', field: 'version' } }),
    grpc: { code: 3, message: 'bad version', reason: 'INVALID_VERSION', metadata: { kind: 'version', field: 'version' } },
    status: 422,
    body: { error_code: 42202, field: 'version', message: 'bad version' },
  },
  {
    name: 'metadata that differs does not match; the default body carries the ErrorInfo',
    req: fail({ code: 3, message: 'bad mode', reason: 'INVALID_MODE', metadata: { kind: 'mode' } }),
    grpc: { code: 3, message: 'bad mode', reason: 'INVALID_MODE', metadata: { kind: 'mode' } },
    status: 400,
    body: defaultErrorBody(3, 'bad mode', 'INVALID_MODE', { kind: 'mode' }, 'test.prism.io'),
  },
  {
    name: 'no mapping matches: grpc-gateway default body with no details when there is no ErrorInfo',
    req: fail({ code: 7, message: 'not yours' }),
    grpc: { code: 7, message: 'not yours' },
    status: 403,
    body: defaultErrorBody(7, 'not yours'),
  },
  {
    name: 'route mappings come before frontend mappings',
    req: fail({ code: 5, message: 'x', reason: 'SUBJECT_NOT_FOUND', metadata: { subject: 's' } }, '/fail-override'),
    grpc: { code: 5, message: 'x', reason: 'SUBJECT_NOT_FOUND', metadata: { subject: 's' } },
    status: 400,
    headers: { 'x-route': 'override' },
    body: { route: true, askedCode: 5, reason: 'SUBJECT_NOT_FOUND', metadata: { subject: 's' } },
  },
  {
    name: 'an error the route does not map falls through to the frontend mappings',
    req: fail({ code: 6, message: 'dup' }, '/fail-override'),
    grpc: { code: 6, message: 'dup' },
    status: 409,
    headers: { 'x-route': undefined },
    body: { conflict: true, status: 409 },
  },
  // Gateway-raised errors are matched like backend ones.
  {
    name: 'a binding type error matched by reason and metadata (non-integer id → 404)',
    req: { url: '/ids/abc' },
    status: 404,
    body: { error_code: 40403, message: 'Schema not found' },
  },
  {
    name: 'a binding range error matched by the same rule',
    req: { url: '/ids/99999999999' },
    status: 404,
    body: { error_code: 40403, message: 'Schema not found' },
  },
  {
    name: 'a missing body matched by BINDING_MISSING (→ 422)',
    req: { method: 'POST', url: '/required-body' },
    status: 422,
    body: { error_code: 42200, message: 'body is required', source: 'body' },
  },
  {
    name: 'malformed JSON matched by MALFORMED_BODY',
    req: { method: 'POST', url: '/required-body', body: '{nope', headers: { 'content-type': 'application/json' } },
    status: 400,
    body: { error_code: 400, message: 'Unrecognized JSON' },
  },
  {
    name: 'an unknown path goes through the frontend mapping (status from the routing error)',
    req: { url: '/no/such/thing' },
    status: 404,
    body: { error_code: 404, message: 'HTTP 404 Not Found' },
  },
  {
    name: 'a wrong method goes through the frontend mapping and keeps its Allow header',
    req: { method: 'DELETE', url: '/ids/1' },
    status: 405,
    headers: { allow: 'GET, HEAD' },
    body: { error_code: 405, message: 'HTTP 405 Method Not Allowed' },
  },
];

/** grpc-gateway's code → HTTP table, with what the default body says for each code. */
const CODES: [number, number, string][] = [
  [1, 499, 'call cancelled'],
  [2, 500, 'app says 2'],
  [3, 400, 'app says 3'],
  [4, 504, 'upstream deadline exceeded'],
  [5, 404, 'app says 5'],
  [6, 409, 'app says 6'],
  [7, 403, 'app says 7'],
  [8, 429, 'app says 8'],
  [9, 400, 'app says 9'],
  [10, 409, 'app says 10'],
  [11, 400, 'app says 11'],
  [12, 501, 'app says 12'],
  [13, 500, 'app says 13'],
  [14, 503, 'upstream unavailable'],
  [15, 500, 'app says 15'],
  [16, 401, 'app says 16'],
];

const gateway = useGateway({ definition: DEFINITION });

describe('error mappings', () => {
  for (const row of MAPPED) {
    test(row.name, row.todo ? { todo: row.todo } : {}, async () => {
      const out = await gateway.exchange(row.req);
      assertNoInternals(out.text);
      if (row.grpc) {
        assert.deepEqual(out.calls.map((c) => [c.method, { ...c.request }]), [[row.req.url.startsWith('/fail') ? 'Fail' : 'Echo', row.grpc]]);
      } else {
        assert.deepEqual(out.calls, []);
      }
      assert.equal(out.status, row.status, out.text);
      assert.equal(out.headers['content-type'], 'application/json');
      for (const [name, value] of Object.entries(row.headers ?? {})) assert.equal(out.headers[name], value, `header ${name}`);
      assert.deepEqual(json(out), row.body);
    });
  }
});

describe('default mapping: every gRPC code', () => {
  // Codes 6, 9 and 10 have frontend rules above (6 and 10 keep the table's status); every
  // other code reaches the default body.
  for (const [code, status, message] of CODES) {
    const mapped = code === 9 || code === 6 || code === 10;
    test(`code ${code} → HTTP ${status}${mapped ? ' (through its mapping)' : ''}`, async () => {
      const out = await gateway.exchange(fail({ code, message: `app says ${code}` }));
      assertNoInternals(out.text);
      assert.deepEqual(out.calls.map((c) => c.method), ['Fail']);
      assert.equal(out.status, mapped && code === 9 ? 412 : status, out.text);
      if (!mapped) assert.deepEqual(json(out), defaultErrorBody(code, message));
    });
  }

  test('an application message on UNAVAILABLE with an ErrorInfo is kept', async () => {
    const out = await gateway.exchange(fail({ code: 14, message: 'store is down', reason: 'STORE_ERROR' }));
    assert.equal(out.status, 503);
    assert.deepEqual(json(out), defaultErrorBody(14, 'store is down', 'STORE_ERROR', {}, 'test.prism.io'));
  });
});

describe('fallback body', () => {
  const fallback = { status: 500, body: { error_code: 50001, message: 'rendering failed' } };
  const explosive = { toString: () => { throw new Error('cannot render'); } } as unknown as string;

  test('when rendering a mapping throws, the frontend fallback goes out', () => {
    const mapError = compileErrorMapper([{ match: { code: 'NOT_FOUND' }, headers: { 'X-Detail': { from: 'error.metadata.detail' } }, body: { const: 'unused' } }], { json: defaultJsonOptions }, fallback);
    const rendered = mapError(new GatewayError(Code.NOT_FOUND, 'missing', { reason: 'X', metadata: { detail: explosive } }));
    assert.deepEqual(rendered, { status: 500, headers: {}, body: { error_code: 50001, message: 'rendering failed' } });
  });

  test('the fallback body is a fresh copy each time', () => {
    const mapError = compileErrorMapper([{ match: { code: 5 }, headers: { 'X-Detail': { from: 'error.metadata.detail' } } }], { json: defaultJsonOptions }, fallback);
    const error = new GatewayError(Code.NOT_FOUND, 'missing', { reason: 'X', metadata: { detail: explosive } });
    const first = mapError(error);
    (first.body as Record<string, unknown>).message = 'changed';
    assert.deepEqual(mapError(error).body, fallback.body);
  });

  test('without a declared fallback the generic one is used', () => {
    const mapError = compileErrorMapper([{ match: { code: 5 }, headers: { 'X-Detail': { from: 'error.metadata.detail' } } }], { json: defaultJsonOptions });
    const rendered = mapError(new GatewayError(Code.NOT_FOUND, 'missing', { metadata: { detail: explosive } }));
    assert.deepEqual(rendered, { status: 500, headers: {}, body: { code: 13, message: 'internal error' } });
  });

  test('a mapping that renders fine does not use the fallback', () => {
    const mapError = compileErrorMapper([{ match: { code: 5 }, status: 404, body: { object: { m: { from: 'error.message' } } } }], { json: defaultJsonOptions }, fallback);
    assert.deepEqual(mapError(new GatewayError(Code.NOT_FOUND, 'missing')), { status: 404, headers: {}, body: { m: 'missing' } });
  });
});
