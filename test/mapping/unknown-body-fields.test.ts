/**
 * `unknownFields: reject` (on a route, or for every route under `rest`): a body key no field
 * takes is refused with BODY_INVALID naming it, at any depth, instead of being dropped; without
 * the option (or with `ignore`) it is dropped, as proto3 JSON parsers do by default.
 * The definition is written in YAML; the compiled route's request mapper is driven directly with
 * the values a request carries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code, GatewayError, GatewayReason } from '../../src/core/gateway-error.js';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';

const DEFINITION = `name: strict
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
    - { id: whole, method: POST, path: /whole, grpc: Echo, params: [{ from: body, to: '*', rename: { label: f_string }, ignore: [comment] }] }
    - { id: field, method: POST, path: /field, grpc: Echo, params: [{ from: body, to: nested }] }
    - { id: named, method: POST, path: /named, grpc: Echo, params: [{ from: body.n, to: nested }, { from: body.count.value, to: f_int32 }] }
    - { id: lenient, method: POST, path: /lenient, grpc: Echo, params: [{ from: body, to: '*' }] }
`;

/** Compiles the definition with `unknownFields` written in the YAML (on the routes, or once under `rest`). */
function routes(level: 'route' | 'rest') {
  const text =
    level === 'rest'
      ? DEFINITION.replace('rest:\n', 'rest:\n  unknownFields: reject\n').replace("grpc: Echo, params: [{ from: body, to: '*' }] }", "grpc: Echo, unknownFields: ignore, params: [{ from: body, to: '*' }] }")
      : DEFINITION.replace(/(- \{ id: (whole|field|named), method: POST, path: \/\w+, grpc: Echo),/g, '$1, unknownFields: reject,');
  const [loaded] = parseDefinitions(text, 'strict.yaml', process.cwd());
  const table = compileRouteTable([{ loaded }]);
  return (id: string, body: unknown) => table.routes.find((r) => r.id === id)!.mapRequest({ params: {}, query: {}, headers: {}, body });
}

const accepted: [route: string, body: unknown][] = [
  ['whole', { fInt32: 1, f_int64: '2', nested: { name: 'a', child: { tags: ['x'] } }, rNested: [{ count: 1 }], mNested: { '1': { name: 'b' } }, attrs: { anything: { goes: 1 } }, label: 'renamed', comment: 'ignored' }],
  ['whole', { ts: '2026-01-01T00:00:00Z', wString: 'x', choiceNested: { name: 'n' } }],
  ['field', { name: 'a', child: { count: 2 } }],
  ['named', { n: { name: 'a' }, count: { value: 3 } }],
  ['lenient', { whatever: 1, nested: { nope: true } }],
];

const refused: [route: string, body: unknown, path: string, pointer: string][] = [
  ['whole', { fInt32: 1, fInt33: 2 }, 'fInt33', '/fInt33'],
  ['whole', { nested: { child: { nmae: 'x' } } }, 'nested.child.nmae', '/nested/child/nmae'],
  ['whole', { rNested: [{}, { tagz: [] }] }, 'rNested.1.tagz', '/rNested/1/tagz'],
  ['whole', { mNested: { '7': { a: 1 } } }, 'mNested.7.a', '/mNested/7/a'],
  ['whole', { 'a/b~c': 1 }, 'a/b~c', '/a~1b~0c'],
  ['field', { name: 'a', fInt32: 1 }, 'fInt32', '/fInt32'],
  ['named', { n: { name: 'a' }, other: 1 }, 'other', '/other'],
  ['named', { n: { nope: 'a' } }, 'n.nope', '/n/nope'],
];

for (const level of ['route', 'rest'] as const) {
  const map = routes(level);
  for (const [route, body] of accepted) {
    test(`${level} level: ${route} accepts ${JSON.stringify(body)}`, () => {
      assert.doesNotThrow(() => map(route, body));
    });
  }
  for (const [route, body, path, pointer] of refused) {
    test(`${level} level: ${route} refuses ${JSON.stringify(body)}`, () => {
      let error: unknown;
      try {
        map(route, body);
      } catch (err) {
        error = err;
      }
      assert.ok(error instanceof GatewayError, `expected a GatewayError, got ${String(error)}`);
      assert.equal(error.code, Code.INVALID_ARGUMENT);
      assert.equal(error.reason, GatewayReason.BODY_INVALID);
      assert.equal(error.httpStatus, 400);
      assert.equal(error.message, `request body has the unknown field '${path}'`);
      assert.equal(error.metadata.field, pointer);
    });
  }
}

test('without the option unknown keys are dropped', () => {
  const [loaded] = parseDefinitions(DEFINITION, 'strict.yaml', process.cwd());
  const table = compileRouteTable([{ loaded }]);
  const mapped = table.routes.find((r) => r.id === 'whole')!.mapRequest({ params: {}, query: {}, headers: {}, body: { fInt33: 1, fInt32: 2 } });
  assert.deepEqual(mapped, { f_int32: 2 });
});
