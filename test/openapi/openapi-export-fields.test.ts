/**
 * Schemas derived from proto types, one row per field kind of the fixture message
 * (proto/prism/test/v1/everything.proto), and from each mapping form: parameters by source,
 * body bindings, response templates, JSON options, error mappings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { exportOpenApi, type OpenApiDocument, type OpenApiResponse, type SchemaObject } from '../../src/frontends/openapi-export.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { compileSchemas, operationsOf, structuralProblems } from './openapi-checks.js';

const DEFINITION = `
name: fields
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  basePath: /api
  service: prism.test.v1.EverythingService
  consumes: [application/json, application/merge-patch+json]
  produces: [{ type: application/json }, { type: text/plain, quality: 0.1 }]
  errors:
    - { match: { reason: BODY_INVALID }, status: 422, body: { object: { problem: { from: error.message }, field: { from: error.metadata.field } } } }
    - { match: { code: NOT_FOUND } }
  routes:
    - id: echo
      method: POST
      path: /echo
      grpc: Echo
      params: [{ from: body, to: '*', required: true }]
    - id: params
      method: GET
      path: /things/{id}/{color}
      grpc: Echo
      params:
        - { from: path.id, to: f_int64 }
        - { from: path.color, to: color }
        - { from: query.n, to: f_int32, required: true }
        - { from: query.v, to: f_uint32, map: { latest: 4294967295 } }
        - { from: query.tags, to: r_string }
        - { from: query.colors, to: r_color }
        - { from: query.verbose, to: f_bool, coerce: lenient-bool }
        - { from: query.name, to: f_string, pattern: '^[a-z]+$', default: abc }
        - { from: query.when, to: ts }
        - { from: query.nested_name, to: nested.name }
        - { from: header.X-Big, to: f_uint64 }
    - id: body-parts
      method: PUT
      path: /parts
      grpc: Echo
      params:
        - { from: body.outer.text, to: f_string, required: true }
        - { from: body.outer.n, to: f_int32 }
        - { from: body.item, to: nested }
        - { from: body.list, to: r_int32 }
    - id: renamed
      method: PATCH
      path: /renamed
      grpc: Echo
      params: [{ from: body, to: '*', rename: { label: f_string }, ignore: [fString, f_string, color] }]
    - id: describe
      method: POST
      path: /describe
      grpc: Describe
      params: [{ from: body, to: nested }]
      errors:
        - { match: { code: FAILED_PRECONDITION }, status: 409, body: { const: { conflict: true } } }
      response:
        status: 201
        headers: { X-Count: { from: response.big } }
        body:
          object:
            text: { from: response.text }
            numbers: { from: response.numbers }
            big: { from: response.big, int64: number }
            items: { each: response.items, item: { object: { name: { from: item.name }, tags: { from: item.tags } } } }
            counts: { each: response.numbers }
            color: { from: response.color, map: { RED: warm } }
            maybe: { from: response.text, omitWhen: empty }
            received: { from: response.received }
            echoed: { from: request.f_string }
            fixed: [1, two, null]
    - id: raw
      method: GET
      path: /raw
      grpc: Echo
      response: { raw: true, body: { from: response.f_string } }
    - id: numbers
      method: GET
      path: /numbers
      grpc: Echo
      response: { json: { int64: number, names: original } }
    - id: static
      method: GET
      path: /
      response: { body: { const: { ok: true } } }
`;

const [loaded] = parseDefinitions(DEFINITION, 'fields.yaml', process.cwd());
const table = compileRouteTable([{ loaded }]);
// Read as plain JSON: the exporter's openapi-types document, walked with the loose shapes.
const doc = exportOpenApi(table, 'fields') as unknown as OpenApiDocument;
const schemas = doc.components!.schemas!;
const op = (id: string) => operationsOf(doc).find((o) => o.operation.operationId === id)!.operation;
const ok = (id: string, status = '200') => (op(id).responses[status] as OpenApiResponse).content!['application/json'].schema!;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const INT64 = { type: 'string', format: 'int64', pattern: '^-?[0-9]+$' };
const UINT64 = { type: 'string', format: 'uint64', pattern: '^[0-9]+$' };
const INT32 = { type: 'integer', format: 'int32' };
const UINT32 = { type: 'integer', minimum: 0, maximum: 4294967295 };

/** Every field of prism.test.v1.Everything, by its JSON name, as proto3 JSON writes it. */
const FIELD_KINDS: [string, SchemaObject][] = [
  ['fDouble', { type: 'number', format: 'double' }],
  ['fFloat', { type: 'number', format: 'float' }],
  ['fInt32', INT32],
  ['fInt64', INT64],
  ['fUint32', UINT32],
  ['fUint64', UINT64],
  ['fSint32', INT32],
  ['fSint64', INT64],
  ['fFixed32', UINT32],
  ['fFixed64', UINT64],
  ['fSfixed32', INT32],
  ['fSfixed64', INT64],
  ['fBool', { type: 'boolean' }],
  ['fString', { type: 'string' }],
  ['fBytes', { type: 'string', contentEncoding: 'base64' }],
  ['color', ref('prism.test.v1.Color')],
  ['rInt32', { type: 'array', items: INT32 }],
  ['rString', { type: 'array', items: { type: 'string' } }],
  ['rColor', { type: 'array', items: ref('prism.test.v1.Color') }],
  ['rNested', { type: 'array', items: ref('prism.test.v1.Nested') }],
  ['mCounts', { type: 'object', additionalProperties: INT32 }],
  ['mNested', { type: 'object', additionalProperties: ref('prism.test.v1.Nested'), propertyNames: { pattern: '^-?[0-9]+$' } }],
  ['choiceText', { type: 'string' }],
  ['choiceNumber', INT32],
  ['choiceNested', ref('prism.test.v1.Nested')],
  ['nested', ref('prism.test.v1.Nested')],
  ['wString', { type: 'string' }],
  ['wInt64', INT64],
  ['wBool', { type: 'boolean' }],
  ['ts', { type: 'string', format: 'date-time' }],
  ['dur', { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]{1,9})?s$' }],
  ['attrs', { type: 'object' }],
  ['optInt32', INT32],
];

test('the document is structurally valid and every schema compiles', () => {
  assert.deepEqual(structuralProblems(doc), []);
  assert.deepEqual(compileSchemas(doc).failures, []);
  assert.deepEqual(doc.servers, [{ url: '/api' }]);
  assert.deepEqual(Object.keys(doc.paths!).sort(), ['/', '/describe', '/echo', '/numbers', '/parts', '/raw', '/renamed', '/things/{id}/{color}']);
});

for (const [name, expected] of FIELD_KINDS) {
  test(`field kind: Everything.${name}`, () => {
    const message = schemas['prism.test.v1.Everything'] as { properties: Record<string, unknown>; required?: unknown };
    assert.deepEqual(message.properties[name], expected);
  });
}

test('messages are components named by full proto name; every field of Everything is described', () => {
  const message = schemas['prism.test.v1.Everything'] as { type: string; properties: Record<string, unknown>; required?: unknown };
  assert.equal(message.type, 'object');
  assert.deepEqual(Object.keys(message.properties), FIELD_KINDS.map(([n]) => n));
  // Fields holding defaults are omitted by default: none is required.
  assert.equal(message.required, undefined);
  assert.deepEqual(schemas['prism.test.v1.Color'], { type: 'string', title: 'prism.test.v1.Color', enum: ['COLOR_UNSPECIFIED', 'RED', 'GREEN'] });
  // The recursive message refers to itself.
  assert.deepEqual((schemas['prism.test.v1.Nested'] as { properties: Record<string, unknown> }).properties.child, ref('prism.test.v1.Nested'));
});

test('without a template the reply is the whole response message; `*` bodies are the request message', () => {
  assert.deepEqual(ok('echo'), ref('prism.test.v1.Everything'));
  const body = op('echo').requestBody!;
  assert.equal(body.required, true);
  assert.deepEqual(Object.keys(body.content), ['application/json', 'application/merge-patch+json']);
  assert.deepEqual(body.content['application/json'].schema, ref('prism.test.v1.Everything'));
});

test('parameters take their schemas from the fields they feed', () => {
  const params = Object.fromEntries(op('params').parameters!.map((p) => [`${p.in}:${p.name}`, p]));
  assert.deepEqual(Object.keys(params), ['path:id', 'path:color', 'query:n', 'query:v', 'query:tags', 'query:colors', 'query:verbose', 'query:name', 'query:when', 'query:nested_name', 'header:X-Big']);
  assert.deepEqual(params['path:id'].schema, INT64);
  assert.equal(params['path:id'].required, true);
  assert.deepEqual(params['path:color'].schema, ref('prism.test.v1.Color'));
  assert.deepEqual(params['query:n'].schema, INT32);
  assert.equal(params['query:n'].required, true);
  assert.deepEqual(params['query:v'].schema, { anyOf: [UINT32, { type: 'string', enum: ['latest'] }] });
  assert.equal(params['query:v'].required, undefined);
  assert.deepEqual(params['query:tags'].schema, { type: 'array', items: { type: 'string' } });
  assert.deepEqual(params['query:colors'].schema, { type: 'array', items: ref('prism.test.v1.Color') });
  assert.deepEqual(params['query:verbose'].schema, { type: 'boolean' });
  assert.deepEqual(params['query:name'].schema, { type: 'string', pattern: '^[a-z]+$', default: 'abc' });
  assert.deepEqual(params['query:when'].schema, { type: 'string', format: 'date-time' });
  assert.deepEqual(params['query:nested_name'].schema, { type: 'string' });
  assert.deepEqual(params['header:X-Big'].schema, UINT64);
});

test('body paths build an object; renames and ignored keys shape a whole-message body', () => {
  assert.deepEqual(op('body-parts').requestBody!.content['application/json'].schema, {
    type: 'object',
    properties: {
      outer: { type: 'object', properties: { text: { type: 'string' }, n: INT32 }, required: ['text'] },
      item: ref('prism.test.v1.Nested'),
      list: { type: 'array', items: INT32 },
    },
  });
  assert.equal(op('body-parts').requestBody!.required, true);
  const renamed = op('renamed').requestBody!.content['application/json'].schema as { properties: Record<string, unknown> };
  assert.deepEqual(renamed.properties.label, { type: 'string' });
  assert.equal(renamed.properties.fString, undefined);
  assert.equal(renamed.properties.color, undefined);
  assert.deepEqual(renamed.properties.fInt32, INT32);
  // A body bound to one field is that field's value.
  assert.deepEqual(op('describe').requestBody!.content['application/json'].schema, ref('prism.test.v1.Nested'));
});

test('an object template: fields, each, value maps, omission, int64 override, request reads, constant arrays', () => {
  assert.ok(op('describe').responses['201']);
  assert.equal(op('describe').responses['200'], undefined);
  assert.deepEqual(ok('describe', '201'), {
    type: 'object',
    properties: {
      text: { type: 'string' },
      numbers: { type: 'array', items: INT32 },
      big: { type: 'integer', format: 'int64' },
      items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } }, additionalProperties: false, required: ['name', 'tags'] } },
      counts: { type: 'array', items: INT32 },
      color: { anyOf: [ref('prism.test.v1.Color'), { enum: ['warm'] }] },
      maybe: { type: 'string' },
      received: { anyOf: [ref('prism.test.v1.Everything'), { type: 'null' }] },
      echoed: { type: 'string' },
      fixed: { type: 'array', prefixItems: [{ const: 1 }, { const: 'two' }, { type: 'null' }], items: false, minItems: 3 },
    },
    additionalProperties: false,
    required: ['text', 'numbers', 'big', 'items', 'counts', 'color', 'received', 'echoed', 'fixed'],
  });
  assert.deepEqual((op('describe').responses['201'] as OpenApiResponse).headers, { 'X-Count': { schema: { type: 'string' } } });
});

test('raw bodies are text under every produced type; static routes describe their constant', () => {
  const raw = (op('raw').responses['200'] as OpenApiResponse).content!;
  assert.deepEqual(Object.keys(raw), ['application/json', 'text/plain']);
  assert.deepEqual(raw['text/plain'].schema, { type: 'string' });
  assert.deepEqual(ok('static'), { const: { ok: true } });
  assert.equal(op('static')['x-prism-grpc'], undefined);
  assert.equal(op('echo')['x-prism-grpc'], 'prism.test.v1.EverythingService/Echo');
});

test('other JSON options name another component of the same message', () => {
  assert.deepEqual(ok('numbers'), ref('prism.test.v1.Everything_names-original_int64-number'));
  const variant = schemas['prism.test.v1.Everything_names-original_int64-number'] as { properties: Record<string, unknown> };
  assert.deepEqual(variant.properties.f_int64, { type: 'integer', format: 'int64' });
  assert.deepEqual(variant.properties.f_uint64, { type: 'integer', format: 'uint64', minimum: 0 });
  assert.deepEqual(variant.properties.r_nested, { type: 'array', items: ref('prism.test.v1.Nested_names-original_int64-number') });
});

test('error mappings: route first, by status; unmatched errors are google.rpc.Status under default', () => {
  const responses = op('describe').responses;
  const resolve = (r: unknown) => {
    const name = (r as { $ref: string }).$ref.split('/').pop()!;
    return doc.components!.responses![name];
  };
  assert.deepEqual(resolve(responses['409']).content!['application/json'].schema, { const: { conflict: true } });
  assert.deepEqual(resolve(responses['422']).content!['application/json'].schema, {
    type: 'object',
    properties: { problem: { type: 'string' }, field: { type: 'string' } },
    additionalProperties: false,
    required: ['problem'],
  });
  // NOT_FOUND has no status of its own: it keeps the error's, so it is one of the defaults.
  const fallback = resolve(responses.default);
  assert.deepEqual(fallback.content!['application/json'].schema, ref('google.rpc.Status'));
  assert.match(fallback.description, /code NOT_FOUND; any other error/);
  assert.deepEqual((schemas['google.rpc.Status'] as { required: string[] }).required, ['code', 'message', 'details']);
  // Routes without their own mappings share the frontend's responses.
  assert.deepEqual(op('echo').responses['422'], op('raw').responses['422']);
});
