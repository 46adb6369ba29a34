/**
 * The OpenAPI export of server-streaming routes: one media type per framing the route offers
 * (SSE, NDJSON), the body as text under `schema` and each message's schema under `x-itemSchema`
 * (OpenAPI 3.2's `itemSchema`, as an extension); errors, which leave before the stream starts,
 * in the frontend's fallback type. Checked on a small definition over the fixture proto and on
 * the Confluent frontend's `GET /prism/v1/events`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDefinitionFile, parseDefinitions } from '../../src/frontends/load-definition.js';
import { exportOpenApi, type OpenApiDocument, type OpenApiResponse, type SchemaObject } from '../../src/frontends/openapi-export.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { compileSchemas, loadOpenApiValidator, operationsOf, resolvePointer, structuralProblems } from './openapi-checks.js';

const DEFINITION = `
name: streams
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  produces: [{ type: application/json }]
  errors:
    - { match: { code: NOT_FOUND }, status: 404, body: { object: { problem: { from: error.message } } } }
  routes:
    - id: items
      method: GET
      path: /items
      grpc: Stream
      params: [{ from: query.count, to: f_int32 }]
      response: { body: { object: { n: { from: response.f_int32 }, name: { from: response.f_string } } } }
      stream:
        sse: { event: { const: item }, id: { from: response.f_int64 } }
    - id: lines
      method: GET
      path: /lines
      grpc: Stream
      stream: { produces: [application/x-ndjson] }
    - id: echo
      method: GET
      path: /echo
      grpc: Echo
`;

const doc = exportOpenApi(compileRouteTable(parseDefinitions(DEFINITION, 'streams.yaml', process.cwd()).map((loaded) => ({ loaded }))), 'streams') as OpenApiDocument;
const op = (document: OpenApiDocument, id: string) => operationsOf(document).find((o) => o.operation.operationId === id)!.operation;
const ok = (document: OpenApiDocument, id: string) => op(document, id).responses['200'] as OpenApiResponse;
const N_NAME = {
  type: 'object',
  properties: { n: { type: 'integer', format: 'int32' }, name: { type: 'string' } },
  additionalProperties: false,
  required: ['n', 'name'],
};

test('an SSE and NDJSON route: one media type per framing, in the route’s order, each with the message schema as x-itemSchema', () => {
  const content = ok(doc, 'items').content!;
  assert.deepEqual(Object.keys(content), ['text/event-stream', 'application/x-ndjson']);
  for (const media of Object.values(content)) {
    assert.deepEqual(media['x-itemSchema'], N_NAME);
    assert.equal((media.schema as SchemaObject).type, 'string');
  }
  assert.match(String((content['text/event-stream']!.schema as SchemaObject).description), /event: end/);
  assert.match(String((content['application/x-ndjson']!.schema as SchemaObject).description), /one message per line/);
});

test('a route that offers NDJSON only documents NDJSON only; without a template the item is the whole response message', () => {
  const content = ok(doc, 'lines').content!;
  assert.deepEqual(Object.keys(content), ['application/x-ndjson']);
  assert.deepEqual(content['application/x-ndjson']!['x-itemSchema'], { $ref: '#/components/schemas/prism.test.v1.Everything' });
});

test('errors of a streaming route are documented in the frontend’s type, not as a stream', () => {
  for (const id of ['items', 'lines']) {
    for (const [status, response] of Object.entries(op(doc, id).responses)) {
      if (status === '200') continue;
      const resolved = ('$ref' in response ? resolvePointer(doc, response.$ref as string) : response) as OpenApiResponse;
      assert.deepEqual(Object.keys(resolved.content!), ['application/json'], `${id} ${status}`);
    }
  }
  const notFound = resolvePointer(doc, (op(doc, 'items').responses['404'] as { $ref: string }).$ref) as OpenApiResponse;
  assert.deepEqual(notFound.content!['application/json']!.schema, { type: 'object', properties: { problem: { type: 'string' } }, additionalProperties: false, required: ['problem'] });
});

test('unary routes keep their plain media types, with no x-itemSchema', () => {
  const content = ok(doc, 'echo').content!;
  assert.deepEqual(Object.keys(content), ['application/json']);
  assert.equal('x-itemSchema' in content['application/json']!, false);
});

test('the document stays valid OpenAPI 3.1; every item schema compiles and accepts what the route streams', async () => {
  assert.deepEqual(structuralProblems(doc), []);
  const { validators, failures } = compileSchemas(doc);
  assert.deepEqual(failures, []);
  const item = validators.get('/paths/~1items/get/responses/200/content/text~1event-stream/x-itemSchema');
  assert.ok(item, 'the x-itemSchema was not compiled');
  assert.equal(item({ n: 1, name: 'a' }), true);
  assert.equal(item({ n: 'one', name: 'a' }), false);
  const lines = validators.get('/paths/~1lines/get/responses/200/content/application~1x-ndjson/x-itemSchema')!;
  assert.equal(lines({ fInt32: 3, fString: 'x' }), true);
  assert.equal(lines({ fInt32: 'x' }), false);
  const validator = await loadOpenApiValidator();
  if (validator) {
    const result = await validator.validate(structuredClone(doc));
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  }
});

test('the Confluent frontend documents GET /prism/v1/events as SSE and NDJSON of change JSON, 410 and 400 in error_code shape', () => {
  const [loaded] = loadDefinitionFile('examples/confluent-schema-registry/frontend.yaml');
  const confluent = exportOpenApi(compileRouteTable([{ loaded: loaded! }]), loaded!.definition.name) as OpenApiDocument;
  const events = operationsOf(confluent).find((o) => o.path === '/prism/v1/events')!;
  assert.equal(events.method, 'get');
  assert.equal(events.operation.operationId, 'prism-events');
  assert.deepEqual(
    events.operation.parameters!.map((p) => `${p.in}:${p.name}`),
    ['query:subjectPrefix', 'query:after', 'header:last-event-id'],
  );
  const content = (events.operation.responses['200'] as OpenApiResponse).content!;
  assert.deepEqual(Object.keys(content), ['text/event-stream', 'application/x-ndjson']);
  const { validators, failures } = compileSchemas(confluent);
  assert.deepEqual(failures, []);
  const item = validators.get('/paths/~1prism~1v1~1events/get/responses/200/content/text~1event-stream/x-itemSchema')!;
  const change = { sequence: '17', kind: 'SCHEMA_REGISTERED', subject: 'orders-value', version: 1, id: 3, schemaType: 'AVRO', time: '2026-12-03T07:00:00.000Z' };
  assert.equal(item(change), true, JSON.stringify(item.errors));
  assert.equal(item({ ...change, sequence: 17 }), false, 'the sequence is a string (int64: string)');
  for (const status of ['410', '400']) {
    const response = events.operation.responses[status]!;
    const resolved = ('$ref' in response ? resolvePointer(confluent, response.$ref as string) : response) as OpenApiResponse;
    const types = Object.keys(resolved.content!);
    assert.equal(types.includes('text/event-stream'), false, status);
    const schema = JSON.stringify(resolved.content![types[0]!]!.schema);
    assert.match(schema, /error_code/, status);
  }
  assert.deepEqual(structuralProblems(confluent), []);
});
