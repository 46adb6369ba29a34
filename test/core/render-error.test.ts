/**
 * renderError (src/core/render-error.ts): the default body, a mapped body, and the fallback
 * when what the mapping rendered cannot be serialised (the frontend's declared fallback; the
 * generic one only when the frontend declares none).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code, gatewayError, GatewayError, GatewayReason } from '../../src/core/gateway-error.js';
import { DEFAULT_FALLBACK, renderError, type ErrorMapper } from '../../src/core/render-error.js';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';

const notFound = gatewayError(Code.NOT_FOUND, GatewayReason.ROUTE_NOT_FOUND, 'no route for GET /x', { method: 'GET', path: '/x' });

test('without a mapping: grpc-gateway {code, message, details} with the ErrorInfo as a typed detail, in JSON', () => {
  const reply = renderError(notFound);
  assert.equal(reply.status, 404);
  assert.deepEqual(reply.headers, { 'content-type': 'application/json' });
  assert.deepEqual(JSON.parse(reply.body), {
    code: 5,
    message: 'no route for GET /x',
    details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ROUTE_NOT_FOUND', domain: 'gateway.prism.io', metadata: { method: 'GET', path: '/x' } }],
  });
});

test('further typed details follow the ErrorInfo; an error without a reason has no ErrorInfo', () => {
  const violation = { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'a.yaml#/rest', description: 'bad', reason: 'SCHEMA' }] };
  const rejected = gatewayError(Code.INVALID_ARGUMENT, GatewayReason.DEFINITION_INVALID, 'rejected', {}, [violation]);
  assert.deepEqual(JSON.parse(renderError(rejected).body).details.map((d: { '@type': string }) => d['@type']), ['type.googleapis.com/google.rpc.ErrorInfo', 'type.googleapis.com/google.rpc.BadRequest']);
  const bare = new GatewayError(Code.UNAVAILABLE, 'upstream down');
  assert.deepEqual(JSON.parse(renderError(bare).body), { code: 14, message: 'upstream down', details: [] });
});

test('the content type is the one asked for; the table adds Retry-After over whatever the mapping said', () => {
  const overloaded = gatewayError(Code.RESOURCE_EXHAUSTED, GatewayReason.OVERLOADED, 'busy');
  const mapError: ErrorMapper = () => ({ status: 503, headers: { 'retry-after': '60', 'x-mapped': 'yes' }, body: { busy: true } });
  const reply = renderError(overloaded, { mapError, contentType: 'application/vnd.test+json' });
  assert.deepEqual(reply, { status: 503, headers: { 'content-type': 'application/vnd.test+json', 'retry-after': '1', 'x-mapped': 'yes' }, body: '{"busy":true}' });
});

test("a compiled frontend's mapping decides status, headers and body; templates see error.httpStatus from the table", () => {
  const table = compileRouteTable(
    parseDefinitions(
      `name: mapped
type: REST
rest:
  errors:
    - { match: { reason: ROUTE_NOT_FOUND }, status: 410, headers: { X-Path: { from: error.metadata.path } }, body: { object: { error_code: 41000, message: { from: error.message }, http: { from: error.httpStatus } } } }
  routes:
    - { id: hello, method: GET, path: /hello, response: { body: { const: { hi: true } } } }
`,
      'mapped.yaml',
      process.cwd(),
    ).map((loaded) => ({ loaded })),
  );
  const reply = renderError(notFound, { mapError: table.frontends[0]!.mapError });
  assert.equal(reply.status, 410);
  assert.equal(reply.headers['x-path'], '/x');
  assert.deepEqual(JSON.parse(reply.body), { error_code: 41000, message: 'no route for GET /x', http: 404 });
});

test('a mapped body that cannot be serialised: the frontend’s declared fallback goes out', () => {
  const declared = { status: 500, body: { error_code: 50001, message: 'rendering failed' } };
  const unserialisable: ErrorMapper = Object.assign(() => ({ status: 404, headers: { 'x-lost': 'yes' }, body: { id: 10n } }), { fallback: declared });
  const reply = renderError(notFound, { mapError: unserialisable, contentType: 'application/vnd.test+json' });
  assert.deepEqual(reply, { status: 500, headers: { 'content-type': 'application/vnd.test+json' }, body: '{"error_code":50001,"message":"rendering failed"}' });
});

test('a mapping that throws, or a frontend without a declared fallback: the generic fallback', () => {
  const throwing: ErrorMapper = () => {
    throw new Error('template bug');
  };
  const noFallback: ErrorMapper = () => ({ status: 404, headers: {}, body: { id: 10n } });
  for (const mapError of [throwing, noFallback]) {
    const reply = renderError(notFound, { mapError });
    assert.equal(reply.status, DEFAULT_FALLBACK.status);
    assert.deepEqual(JSON.parse(reply.body), DEFAULT_FALLBACK.body);
  }
});

test("the compiled mapper carries the frontend's declared fallback, and the generic one when none is declared", () => {
  const compile = (fallback: string) =>
    compileRouteTable(
      parseDefinitions(`name: fb\ntype: REST\nrest:\n${fallback}  routes:\n    - { id: hello, method: GET, path: /hello, response: { body: { const: { hi: true } } } }\n`, 'fb.yaml', process.cwd()).map((loaded) => ({ loaded })),
    ).frontends[0]!.mapError.fallback;
  assert.deepEqual(compile("  fallback: { status: 503, body: { error_code: 50301, message: 'down' } }\n"), { status: 503, body: { error_code: 50301, message: 'down' } });
  assert.deepEqual(compile(''), DEFAULT_FALLBACK);
});
