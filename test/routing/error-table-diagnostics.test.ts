/**
 * Error mappings are planned like every other part of a route: every problem of every mapping
 * (frontend and route) is reported once, with its own code and a pointer to the property at
 * fault, and the route plan's error table holds what the error mapper renders from.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code, GatewayError } from '../../src/core/gateway-error.js';
import { renderError } from '../../src/core/render-error.js';
import { DefinitionError } from '../../src/frontends/definition-error.js';
import { parseAnyDefinitions } from '../../src/frontends/load-any-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';

const HEAD = `name: d
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
`;

function compile(text: string) {
  return compileRouteTable(parseAnyDefinitions(HEAD + text, 'test.yaml', process.cwd()).map((loaded) => ({ loaded })));
}

function problemsOf(text: string): string[] {
  try {
    compile(text);
  } catch (err) {
    if (err instanceof DefinitionError) return err.problems.map((p) => `${p.code} ${p.pointer}${p.route ? ` (${p.route})` : ''}: ${p.message}`);
    throw err;
  }
  assert.fail('the definition compiled');
}

test('every problem of every error mapping is reported once, with its code', () => {
  const problems = problemsOf(`  errors:
    - { match: { code: [NOPE, 5, 99] }, status: 400, body: { from: response.x }, headers: { X-A: { from: error.message }, X-B: { from: response.y } } }
    - { match: { reason: R }, body: { object: { a: { from: request.x } } } }
  routes:
    - { id: r, method: GET, path: /r, grpc: Echo, errors: [{ match: { code: NOPE2 }, body: { from: request.no_field } }] }
`);
  assert.deepEqual(problems, [
    "INVALID_VALUE /rest/errors/0/match/code: unknown gRPC code 'NOPE'",
    "INVALID_VALUE /rest/errors/0/match/code: unknown gRPC code '99'",
    "TEMPLATE /rest/errors/0/body/from: 'response' is not available here",
    "TEMPLATE /rest/errors/0/headers/X-B/from: 'response' is not available here",
    "TEMPLATE /rest/errors/1/body/object/a/from: 'request' is not available here",
    "INVALID_VALUE /rest/routes/0/errors/0/match/code (r): unknown gRPC code 'NOPE2'",
    "UNKNOWN_FIELD /rest/routes/0/errors/0/body/from (r): unknown field 'no_field' in prism.test.v1.Everything",
  ]);
});

test('a broken frontend mapping does not hide the problems of the routes', () => {
  const problems = problemsOf(`  errors:
    - { match: { code: NOPE } }
  routes:
    - { id: r, method: GET, path: /r, grpc: Ech0 }
`);
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems[0], /^INVALID_VALUE \/rest\/errors\/0\/match\/code/);
  assert.match(problems[1], /^UNKNOWN_METHOD \/rest\/routes\/0\/grpc \(r\)/);
});

test("the plan's error table is what renders: route mappings first, then the frontend's, header templates included", () => {
  const table = compile(`  errors:
    - { match: { code: NOT_FOUND }, status: 404, headers: { X-Reason: { from: error.reason } }, body: { object: { error_code: { const: 40401 }, message: { from: error.message } } } }
  routes:
    - { id: r, method: GET, path: "/r/{id}", grpc: Echo, params: [{ from: path.id, to: f_string }], errors: [{ match: { reason: BINDING_TYPE }, status: 422 }] }
`);
  const route = table.routes.find((r) => r.id === 'r')!;
  assert.deepEqual(
    route.plan.errors.map((e) => [e.scope, e.status, Object.keys(e.headers)]),
    [
      ['route', 422, []],
      ['frontend', 404, ['X-Reason']],
    ],
  );
  assert.deepEqual(route.plan.errors[1].headers['X-Reason'], { kind: 'read', source: { path: 'error.reason', root: 'error', keys: ['reason'], shape: { kind: 'plain' } } });

  const notFound = renderError(new GatewayError(Code.NOT_FOUND, 'no such thing', { reason: 'THING_NOT_FOUND' }), { mapError: route.mapError });
  assert.deepEqual(notFound, { status: 404, headers: { 'content-type': 'application/json', 'x-reason': 'THING_NOT_FOUND' }, body: '{"error_code":40401,"message":"no such thing"}' });
  const badType = renderError(new GatewayError(Code.INVALID_ARGUMENT, 'bad', { reason: 'BINDING_TYPE' }), { mapError: route.mapError });
  assert.equal(badType.status, 422);
  assert.equal(JSON.parse(badType.body).message, 'bad');
});
