/**
 * `protos:` + `rest: { fromAnnotations: true }` in a definition: the routes of the annotations
 * join the written ones at load (from-annotations.ts `expandAnnotatedRoutes`, called by
 * load-definition.ts): written routes stay first and win by id, written `json` and `errors` win.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { type FrontendDefinition } from '../../src/frontends/definition.js';
import { expandAnnotatedRoutes } from '../../src/frontends/from-annotations.js';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';

const base = (rest: Record<string, unknown>): FrontendDefinition =>
  ({ name: 'lib', type: 'REST', protos: ['annotated.proto'], rest: { service: 'prism.test.annotated.v1.Library', routes: [], ...rest } }) as FrontendDefinition;
const FIXTURES = resolve(import.meta.dirname, 'fixtures');


describe('expandAnnotatedRoutes', () => {
  test('a definition without fromAnnotations is returned as it is', () => {
    const def = base({});
    assert.equal(expandAnnotatedRoutes(def, FIXTURES).definition, def);
  });

  test('the generated routes follow the written ones; a written route replaces the generated one of its id', () => {
    const written = { id: 'GetBook', method: 'GET', path: '/v2/books/{name}', grpc: 'GetBook', params: [{ from: 'path.name', to: 'name' }] };
    const extra = { id: 'health', method: 'GET', path: '/healthz', response: { body: { const: 'ok' } } };
    const { definition, problems } = expandAnnotatedRoutes(base({ fromAnnotations: true, routes: [written, extra] }), FIXTURES);
    assert.deepEqual(problems, []);
    const routes = definition.rest!.routes;
    assert.deepEqual(routes.slice(0, 2), [written, extra]);
    assert.deepEqual(routes.slice(2).map((r) => r.id), ['GetBook-2', 'GetBook-3', 'UpdateBook', 'CreateBook', 'DeletePath', 'CancelOperation', 'ReplaceBook', 'WatchShelf', 'UploadBooks']);
    assert.deepEqual(definition.rest!.json, { names: 'json', emitDefaults: true });
  });

  test('protoNames: the v1 style; written json and errors win over the style', () => {
    const errors = [{ status: 500 }];
    const { definition } = expandAnnotatedRoutes(base({ fromAnnotations: { protoNames: true }, errors }), FIXTURES);
    assert.deepEqual(definition.rest!.json, { names: 'original', emitDefaults: false });
    assert.equal(definition.rest!.errors, errors);
  });

  test('without rest.service, the one annotated service of the protos; with two, a problem', () => {
    const { problems } = expandAnnotatedRoutes(base({ fromAnnotations: true, service: undefined }), FIXTURES);
    assert.deepEqual(problems.map((p) => [p.code, p.pointer]), [['UNKNOWN_SERVICE', '/rest/fromAnnotations']]);
    assert.match(problems[0].message, /several annotated services/);
  });

  const refusals: { name: string; def: FrontendDefinition; code: string; pointer: string }[] = [
    { name: 'no protos', def: { ...base({ fromAnnotations: true }), protos: [] }, code: 'PROTO_LOAD', pointer: '/rest/fromAnnotations' },
    { name: 'a proto that does not load', def: { ...base({ fromAnnotations: true }), protos: ['nope.proto'] }, code: 'PROTO_LOAD', pointer: '/protos' },
    { name: 'an unknown service', def: base({ fromAnnotations: true, service: 'x.Y' }), code: 'UNKNOWN_SERVICE', pointer: '/rest/service' },
    { name: 'a rule the import refuses', def: base({ fromAnnotations: true, service: 'prism.test.annotated.v1.Broken' }), code: 'UNSUPPORTED', pointer: '/rest/fromAnnotations' },
  ];
  for (const c of refusals) {
    test(`${c.name}: ${c.code} at ${c.pointer}`, () => {
      const { problems } = expandAnnotatedRoutes(c.def, FIXTURES);
      assert.deepEqual([problems[0]?.code, problems[0]?.pointer], [c.code, c.pointer]);
    });
  }
});

describe('a definition file with fromAnnotations', () => {
  test('loads with the generated routes and compiles', () => {
    const text = `name: lib\ntype: REST\nprotos: [annotated.proto]\nrest:\n  service: prism.test.annotated.v1.Library\n  fromAnnotations: true\n  routes:\n    - { id: CreateBook, method: POST, path: /v2/books, grpc: CreateBook, params: [{ from: body, to: '*' }] }\n`;
    const [loaded] = parseDefinitions(text, 'lib.yaml', FIXTURES);
    assert.equal(loaded.definition.rest!.routes[0].path, '/v2/books');
    assert.ok(loaded.definition.rest!.routes.some((r) => r.id === 'WatchShelf'));
    assert.equal(loaded.routeAt('/rest/routes/3/path'), loaded.definition.rest!.routes[3].id);
    compileRouteTable([{ loaded }]);
  });
});
