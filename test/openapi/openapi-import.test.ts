/**
 * A frontend written as an OpenAPI 3.1 document (test/openapi/fixtures/items.openapi.yaml)
 * against the real fixture gRPC server: operations route by their x-prism-* extensions,
 * bodies that break the document's schema are 400 before any gRPC call, valid bodies reach
 * the upstream. Then the problems of broken documents, each pointing into the document.
 */
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { DefinitionError } from '../../src/frontends/definition-error.js';
import { loadAnyDefinitionFile, parseAnyDefinitions } from '../../src/frontends/load-any-definition.js';
import { loadDefinitionFile, type LoadedDefinition } from '../../src/frontends/load-definition.js';
import { exportOpenApi, type OpenApiDocument, type OpenApiResponse } from '../../src/frontends/openapi-export.js';
import { convertOpenApi, isOpenApiDocument, openApiToDefinition } from '../../src/frontends/openapi-import.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { createHttpServer } from '../../src/routing/fastify-adapter.js';
import type { RouteTable } from '../../src/routing/route-table.js';
import { createTableHolder } from '../../src/routing/table-holder.js';
import { createGrpcUpstream } from '../../src/upstream/grpc-upstream.js';
import type { Upstream } from '../../src/upstream/upstream.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { compileSchemas, structuralProblems } from './openapi-checks.js';

const FIXTURE = 'test/openapi/fixtures/items.openapi.yaml';

describe('an OpenAPI-authored frontend against the fixture server', () => {
  let fixture: FixtureServer;
  let upstream: Upstream;
  let loaded: LoadedDefinition;
  let table: RouteTable;
  let app: FastifyInstance;

  before(async () => {
    fixture = await startFixtureServer();
    upstream = createGrpcUpstream(fixture.address);
    [loaded] = loadAnyDefinitionFile(FIXTURE);
    table = compileRouteTable([{ loaded, upstream }]);
    app = createHttpServer({ tables: createTableHolder(table) });
    await app.ready();
  });
  after(async () => {
    await app.close();
    upstream.close();
    await fixture.close();
  });

  const send = async (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) => {
    const before = fixture.received.length;
    const res = await app.inject({ method, url, payload: body === undefined ? undefined : JSON.stringify(body), headers: body === undefined ? {} : { 'content-type': 'application/json' } });
    return { status: res.statusCode, body: res.body === '' ? undefined : (JSON.parse(res.body) as unknown), calls: fixture.received.slice(before) };
  };

  test('the document converts into a definition: operations are routes, the body schema is self-contained', () => {
    const def = loaded.definition;
    assert.equal(def.name, 'items-openapi');
    assert.equal(def.rest!.basePath, '/v1');
    assert.deepEqual(def.rest!.consumes, ['application/json']);
    assert.deepEqual(def.rest!.routes.map((r) => `${r.id} ${r.method} ${r.path} ${r.grpc ?? '-'}`), [
      'create-item POST /items Echo',
      'get-item GET /items/{id} prism.test.v1.EverythingService/Echo',
      'delete-item DELETE /items/{id} Fail',
      'health GET /health -',
    ]);
    const schema = def.rest!.routes[0].bodySchema as { $ref: string; $defs: Record<string, { properties: Record<string, unknown> }> };
    assert.equal(schema.$ref, '#/$defs/NewItem');
    assert.deepEqual(Object.keys(schema.$defs), ['NewItem', 'Part']);
    assert.deepEqual(schema.$defs.NewItem.properties.nested, { $ref: '#/$defs/Part' });
    assert.deepEqual(schema.$defs.Part.properties.child, { $ref: '#/$defs/Part' });
  });

  test('a valid body reaches the upstream and the reply is mapped', async () => {
    const out = await send('POST', '/v1/items', { title: 'lamp', count: 3, nested: { name: 'base', child: { name: 'bulb' } } });
    assert.equal(out.status, 201);
    assert.deepEqual(out.body, { title: 'lamp', count: 3, nested: { name: 'base', child: { name: 'bulb' } } });
    assert.equal(out.calls.length, 1);
    assert.equal(out.calls[0].method, 'Echo');
    assert.deepEqual(out.calls[0].request, { f_string: 'lamp', f_int32: 3, nested: { name: 'base', child: { name: 'bulb' } } });
  });

  const INVALID: [string, unknown, RegExp][] = [
    ['a required property is missing', { nested: { name: 'x' } }, /must have required property 'title'/],
    ['a value is out of the schema range', { title: 't', count: 500, nested: { name: 'x' } }, /\/count must be <= 100/],
    ['a string is too short', { title: '', nested: { name: 'x' } }, /\/title must NOT have fewer than 1 characters/],
    ['a recursive component is broken deep down', { title: 't', nested: { name: 'x', child: { child: { name: 'z' } } } }, /\/nested\/child must have required property 'name'/],
    ['the body is not an object', [1, 2], /must be object/],
  ];
  for (const [name, body, message] of INVALID) {
    test(`a body that breaks the schema is 400 before any gRPC call: ${name}`, async () => {
      const out = await send('POST', '/v1/items', body);
      assert.equal(out.status, 400);
      const rendered = out.body as { error: string; detail: string };
      assert.equal(rendered.error, 'invalid-body');
      assert.match(rendered.detail, message);
      assert.deepEqual(out.calls, []);
    });
  }

  test('path parameters, constants, error mappings and static routes work as in any definition', async () => {
    const got = await send('GET', '/v1/items/42');
    assert.deepEqual([got.status, got.body], [200, { id: '42' }]);
    assert.deepEqual(got.calls[0].request, { f_int64: '42' });
    const gone = await send('DELETE', '/v1/items/7');
    assert.deepEqual([gone.status, gone.body], [410, { error: 'gone', message: '7' }]);
    const health = await send('GET', '/v1/health');
    assert.deepEqual([health.status, health.body, health.calls.length], [200, { ok: true }, 0]);
  });

  test('exported again, the document keeps its components, and real replies match its schemas', async () => {
    const doc = exportOpenApi(table, 'items-openapi') as unknown as OpenApiDocument;
    assert.deepEqual(structuralProblems(doc), []);
    const create = doc.paths!['/items'].post!;
    assert.deepEqual(create.requestBody!.content['application/json'].schema, { $ref: '#/components/schemas/NewItem' });
    assert.deepEqual((doc.components!.schemas!.NewItem as { properties: Record<string, unknown> }).properties.nested, { $ref: '#/components/schemas/Part' });
    const { validators, failures } = compileSchemas(doc);
    assert.deepEqual(failures, []);
    const created = await send('POST', '/v1/items', { title: 'lamp', nested: { name: 'base' } });
    const validate = validators.get('/paths/~1items/post/responses/201/content/application~1json/schema')!;
    assert.ok(validate(created.body), JSON.stringify(validate.errors));
    const gone = await send('DELETE', '/v1/items/7');
    const goneRef = (doc.paths!['/items/{id}'].delete!.responses['410'] as { $ref: string }).$ref;
    const validateGone = validators.get(`${goneRef.slice(1)}/content/application~1json/schema`)!;
    assert.ok(validateGone(gone.body), JSON.stringify(validateGone.errors));
    assert.equal((doc.paths!['/items/{id}'].get!.responses['200'] as OpenApiResponse).description, 'The reply of prism.test.v1.EverythingService/Echo');
  });
});

describe('choosing the loader and reporting problems', () => {
  const problemsOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof DefinitionError) return err.problems;
      throw err;
    }
    assert.fail('expected a DefinitionError');
  };
  const HEAD = `openapi: 3.1.0
info: { title: Broken Things, version: '1' }
x-prism-frontend: { protos: [prism/test/v1/everything.proto], service: prism.test.v1.EverythingService }
paths:
`;

  test('isOpenApiDocument tells the two forms apart; a definition file loads as before', () => {
    assert.equal(isOpenApiDocument({ openapi: '3.1.0' }), true);
    assert.equal(isOpenApiDocument({ name: 'x', type: 'REST' }), false);
    assert.equal(isOpenApiDocument([]), false);
    const file = 'examples/confluent-schema-registry/frontend.yaml';
    assert.deepEqual(loadAnyDefinitionFile(file).map((l) => l.definition), loadDefinitionFile(file).map((l) => l.definition));
    assert.match(problemsOf(() => loadAnyDefinitionFile('test/openapi/fixtures/missing.yaml'))[0].message, /cannot read file/);
  });

  test('document problems are all reported, each with a pointer into the document and its line', () => {
    const text = `${HEAD}  /a:
    get:
      x-prism-grpc: Echo
  /b:
    post:
      operationId: b
      x-prism-grpc: Echo
      x-prism-parms: []
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Missing' }
    trace:
      operationId: t
`;
    const problems = problemsOf(() => parseAnyDefinitions(text, 'broken.yaml', process.cwd()));
    assert.deepEqual(problems.map((p) => [p.pointer, p.line, p.route]), [
      ['/paths/~1a/get', 7, undefined],
      ['/paths/~1b/post/x-prism-parms', 12, 'b'],
      ['/paths/~1b/post/requestBody/content/application~1json/schema/$ref', 16, 'b'],
      ['/paths/~1b/trace', 18, undefined],
    ]);
    assert.match(problems[0].message, /missing 'operationId'/);
    assert.match(problems[1].message, /unknown extension 'x-prism-parms'/);
    assert.match(problems[2].message, /does not resolve/);
    assert.ok(problems.every((p) => p.file === 'broken.yaml'));
  });

  test('shape problems of the converted definition point at the extension they came from', () => {
    const text = `${HEAD}  /c:
    get:
      operationId: c
      x-prism-grpc: Echo
      x-prism-params:
        - { from: query.x }
      x-prism-response: { status: 99 }
`;
    const problems = problemsOf(() => parseAnyDefinitions(text, 'shape.yaml', process.cwd()));
    const byPointer = Object.fromEntries(problems.map((p) => [p.pointer, p]));
    assert.match(byPointer['/paths/~1c/get/x-prism-params/0'].message, /missing required property 'to'/);
    assert.equal(byPointer['/paths/~1c/get/x-prism-params/0'].line, 10);
    assert.equal(byPointer['/paths/~1c/get/x-prism-params/0'].route, 'c');
    assert.equal(byPointer['/paths/~1c/get/x-prism-response/status'].line, 11);
  });

  test('compile problems carry the line in the OpenAPI document', () => {
    const text = `${HEAD}  /d/{n}:
    get:
      operationId: d
      x-prism-grpc: Echo
      x-prism-params:
        - { from: path.n, to: no_such_field }
`;
    const [loaded] = parseAnyDefinitions(text, 'compile.yaml', process.cwd());
    assert.equal(loaded.definition.name, 'broken-things');
    const problems = problemsOf(() => compileRouteTable([{ loaded }]));
    const unknown = problems.find((p) => /unknown field 'no_such_field'/.test(p.message))!;
    assert.equal(unknown.route, 'd');
    assert.equal(unknown.line, 10);
    assert.equal(loaded.locate('/rest/routes/0/params/0')?.line, 10);
  });

  test('only OpenAPI 3.1 is accepted; x-prism-frontend is required', () => {
    const problems = convertOpenApi({ openapi: '3.0.3', info: { title: 'x', version: '1' }, paths: {} }, 'old.yaml').problems;
    assert.deepEqual(problems.map((p) => p.pointer), ['/openapi', '']);
    assert.match(problems[0].message, /only 3\.1\.x/);
    assert.throws(() => openApiToDefinition({ openapi: '3.0.3' }, 'old.yaml'), DefinitionError);
  });

  test('x-prism-path gives the route its HttpRule template; x-prism-validate: false leaves the body unchecked', () => {
    const text = `${HEAD}  /files/{path}:
    get:
      operationId: file
      x-prism-path: /files/{f_string=**}
      x-prism-grpc: Echo
      x-prism-params: [{ from: path.f_string, to: f_string }]
      x-prism-role: none
      x-prism-cache: { ttlMs: 100 }
  /echo:
    post:
      operationId: echo
      x-prism-grpc: Echo
      x-prism-params: [{ from: body, to: '*' }]
      requestBody:
        x-prism-validate: false
        content: { application/json: { schema: { type: object, required: [never] } } }
`;
    const [loaded] = parseAnyDefinitions(text, 'paths.yaml', process.cwd());
    const [file, echo] = loaded.definition.rest!.routes;
    assert.deepEqual([file.path, file.role, file.cache], ['/files/{f_string=**}', 'none', { ttlMs: 100 }]);
    assert.equal(echo.bodySchema, undefined);
    assert.deepEqual(loaded.definition.rest!.consumes, ['application/json']);
    // Problems in the route's path point at x-prism-path, where the path came from.
    assert.equal(loaded.locate('/rest/routes/0/path')?.line, 8);
    const table = compileRouteTable([{ loaded }]);
    assert.equal(table.match('GET', '/files/a/b/c.txt').route?.id, 'file');
  });

  test('request body extensions are checked: a non-boolean x-prism-validate, an unknown extension', () => {
    const text = `${HEAD}  /e:
    post:
      operationId: e
      x-prism-grpc: Echo
      requestBody:
        x-prism-validate: 'no'
        x-prism-checked: false
        content: { application/json: { schema: { type: object } } }
`;
    const problems = problemsOf(() => parseAnyDefinitions(text, 'bodies.yaml', process.cwd()));
    assert.deepEqual(problems.map((p) => [p.code, p.pointer, p.route]), [
      ['UNKNOWN_FIELD', '/paths/~1e/post/requestBody/x-prism-checked', 'e'],
      ['SCHEMA', '/paths/~1e/post/requestBody/x-prism-validate', 'e'],
    ]);
  });

  test('request bodies: a referenced request body resolves; different schemas per media type are refused', () => {
    const doc = {
      openapi: '3.1.0',
      info: { title: 'bodies', version: '1' },
      'x-prism-frontend': { protos: ['prism/test/v1/everything.proto'] },
      paths: {
        '/one': { post: { operationId: 'one', requestBody: { $ref: '#/components/requestBodies/Thing' }, responses: {} } },
        '/two': {
          post: {
            operationId: 'two',
            requestBody: { content: { 'application/json': { schema: { type: 'object' } }, 'text/json': { schema: { type: 'array' } } } },
            responses: {},
          },
        },
      },
      components: { requestBodies: { Thing: { content: { 'application/json': { schema: { type: 'object', required: ['a'] } } } } } },
    };
    const conversion = convertOpenApi(doc, 'bodies.json');
    assert.deepEqual(conversion.definition.rest!.routes[0].bodySchema, { type: 'object', required: ['a'] });
    assert.deepEqual(conversion.definition.rest!.consumes, ['application/json', 'text/json']);
    assert.deepEqual(conversion.problems.map((p) => p.pointer), ['/paths/~1two/post/requestBody/content/text~1json/schema']);
    assert.equal(conversion.sourcePointer('/rest/routes/0/bodySchema/required'), '/components/requestBodies/Thing/content/application~1json/schema/required');
  });
});
