/**
 * The OpenAPI export of the Confluent Schema Registry frontend (the large real definition):
 * a structurally valid OpenAPI 3.1 document describing every route, whose schemas all compile
 * as JSON Schema 2020-12 within the document.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDefinitionFile } from '../../src/frontends/load-definition.js';
import { exportOpenApi, type OpenApiResponse } from '../../src/frontends/openapi-export.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { compileSchemas, loadOpenApiValidator, operationsOf, resolvePointer, structuralProblems } from './openapi-checks.js';

const FILE = 'examples/confluent-schema-registry/frontend.yaml';
const [loaded] = loadDefinitionFile(FILE);
const table = compileRouteTable([{ loaded }]);
const doc = exportOpenApi(table, loaded.definition.name);
const validator = await loadOpenApiValidator();

test('every route of the definition is one operation, at its path and method', () => {
  const operations = operationsOf(doc);
  const routes = loaded.definition.rest!.routes;
  assert.equal(operations.length, routes.length);
  for (const route of routes) {
    const op = operations.find((o) => o.operation.operationId === route.id);
    assert.ok(op, `no operation for route '${route.id}'`);
    assert.equal(op.path, route.path);
    assert.equal(op.method, route.method.toLowerCase());
  }
});

test('the document keeps the structural rules of OpenAPI 3.1', () => {
  assert.deepEqual(structuralProblems(doc), []);
});

test('every schema compiles as JSON Schema 2020-12 and its references resolve', () => {
  const { validators, failures } = compileSchemas(doc);
  assert.deepEqual(failures, []);
  assert.ok(validators.size > 50);
});

test('validates against the OpenAPI 3.1 schema with @seriousme/openapi-schema-validator', { skip: validator ? false : '@seriousme/openapi-schema-validator is not installed (not a dependency yet)' }, async () => {
  const result = await validator!.validate(structuredClone(doc));
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
});

test('media types come from produces and consumes', () => {
  const register = operationsOf(doc).find((o) => o.operation.operationId === 'register')!.operation;
  assert.deepEqual(Object.keys(register.requestBody!.content), loaded.definition.rest!.consumes);
  assert.equal(register.requestBody!.required, true);
  const ok = register.responses['200'] as OpenApiResponse;
  assert.deepEqual(Object.keys(ok.content!), loaded.definition.rest!.produces!.map((p) => p.type));
});

test('response templates become schemas: a field, an object with omission rules, each, raw text', () => {
  const op = (id: string) => operationsOf(doc).find((o) => o.operation.operationId === id)!.operation;
  const schemaOf = (id: string, status = '200') => Object.values((op(id).responses[status] as OpenApiResponse).content!)[0].schema;
  // `from: response.versions` (repeated int32) is a bare array.
  assert.deepEqual(schemaOf('list-versions'), { type: 'array', items: { type: 'integer', format: 'int32' } });
  // `{ id: from response.id, … }`: id always; the whole schema only when the registry changed it.
  const register = schemaOf('register') as { required: string[]; properties: Record<string, unknown> };
  assert.deepEqual(register.required, ['id']);
  assert.deepEqual(register.properties.id, { type: 'integer', format: 'int32' });
  assert.deepEqual(Object.keys(register.properties), ['id', 'version', 'schemaType', 'references', 'metadata', 'ruleSet', 'schema']);
  // Omitted-when-empty keys are not required.
  const entity = schemaOf('get-version') as { required: string[]; properties: Record<string, unknown> };
  assert.deepEqual(entity.required, ['subject', 'version', 'id', 'schema']);
  assert.deepEqual(Object.keys(entity.properties), ['subject', 'version', 'id', 'schemaType', 'references', 'metadata', 'ruleSet', 'schema', 'schemaTags']);
  // `each` over a repeated message field.
  const list = schemaOf('list-schemas') as { type: string; items: { properties: Record<string, unknown> } };
  assert.equal(list.type, 'array');
  assert.deepEqual(Object.keys(list.items.properties), ['subject', 'version', 'id', 'schemaType', 'references', 'metadata', 'ruleSet', 'schema']);
  // A raw body is text.
  assert.deepEqual(schemaOf('get-version-schema'), { type: 'string' });
  // A constant.
  assert.deepEqual(schemaOf('metadata-version'), { const: { version: '7.9.9', commitId: 'prism-gateway' } });
});

test('error mappings become responses by status, plus default', () => {
  const op = operationsOf(doc).find((o) => o.operation.operationId === 'get-version')!.operation;
  assert.ok(op.responses.default);
  const notFound = op.responses['404'] as { $ref: string };
  const resolved = resolvePointer(doc, notFound.$ref) as OpenApiResponse;
  const schema = Object.values(resolved.content!)[0].schema as { anyOf: { properties: { error_code: { const: number } } }[] };
  const codes = schema.anyOf.map((s) => s.properties.error_code.const);
  for (const code of [40401, 40402, 40403, 404]) assert.ok(codes.includes(code), `404 lists error_code ${code}`);
  assert.match(resolved.description, /SUBJECT_NOT_FOUND/);
  // ROUTE_NOT_FOUND and METHOD_NOT_ALLOWED never answer a matched route: no 405.
  assert.equal(op.responses['405'], undefined);
  // The catch-all and the fallback body both answer 500.
  assert.ok(op.responses['500']);
});

test('a frontend mounted in two namespaces is one API with one server per mount', () => {
  const twice = compileRouteTable([
    { loaded, pathPrefix: '/ns/orders' },
    { loaded, pathPrefix: '/ns/billing' },
  ]);
  const both = exportOpenApi(twice, loaded.definition.name);
  assert.deepEqual(both.servers, [{ url: '/ns/orders' }, { url: '/ns/billing' }]);
  assert.deepEqual(both.paths, doc.paths);
  assert.deepEqual(exportOpenApi(twice, loaded.definition.name, { mountPath: '/ns/billing' }).servers, [{ url: '/ns/billing' }]);
});

test('an unknown frontend is an error that names the known ones', () => {
  assert.throws(() => exportOpenApi(table, 'nope'), /no such frontend \(it has confluent-schema-registry\)/);
});
