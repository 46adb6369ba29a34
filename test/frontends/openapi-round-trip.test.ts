/**
 * The OpenAPI round trip: a frontend exported as an OpenAPI document (what `prism-gateway
 * openapi` prints) and imported again compiles to the same route plans (RoutePlan: every
 * decision compilation made, as plain data). Run for every frontend definition under
 * `examples/`, and for a definition that uses every part of the language the export has to
 * write back: HttpRule path forms, streams, roles, caches, deadlines, error mappings per route,
 * response headers and JSON options, templates with maps, defaults and omission rules.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { loadAnyDefinitionFile, parseAnyDefinitions } from '../../src/frontends/load-any-definition.js';
import type { LoadedDefinition } from '../../src/frontends/load-definition.js';
import { exportOpenApi, type OpenApiDocument, type OpenApiResponse } from '../../src/frontends/openapi-export.js';
import { isOpenApiDocument } from '../../src/frontends/openapi-import.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import type { RouteTable } from '../../src/routing/route-table.js';
import { structuralProblems } from '../openapi/openapi-checks.js';

/** Every file under examples/ that holds a frontend definition (YAML, JSON or OpenAPI). */
function exampleDefinitionFiles(dir = 'examples'): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) continue;
    if (statSync(full).isDirectory()) {
      out.push(...exampleDefinitionFiles(full));
      continue;
    }
    if (!/\.(ya?ml|json)$/.test(name)) continue;
    const documents = parseAllDocuments(readFileSync(full, 'utf8'));
    const values = (Array.isArray(documents) ? documents : [documents]).map((d) => d.toJS() as unknown);
    const isDefinition = (v: unknown) => isOpenApiDocument(v) || (typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string' && typeof (v as { type?: unknown }).type === 'string');
    if (values.some(isDefinition)) out.push(full);
  }
  return out;
}

/**
 * Route plans as data, by route id: what the round trip must keep. (A document lists its
 * operations by path, so an imported definition has its routes in path order; the order of
 * routes decides nothing, since the route table refuses two routes that match alike.)
 */
function plansOf(table: RouteTable): Map<string, unknown> {
  return new Map(table.routes.map((r) => [r.id, JSON.parse(JSON.stringify(r.plan)) as unknown]));
}

function assertSamePlans(again: RouteTable, table: RouteTable): void {
  const before = plansOf(table);
  const after = plansOf(again);
  assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
  for (const [id, plan] of before) assert.deepEqual(after.get(id), plan, `route ${id}`);
}

/**
 * Exports `loaded` and imports the document as text, as a file written next to the
 * definition would be read (its protos resolve against the same folder).
 */
function roundTrip(loaded: LoadedDefinition, withDefinition: boolean) {
  const table = compileRouteTable([{ loaded }]);
  const doc = exportOpenApi(table, loaded.definition.name, withDefinition ? { definition: loaded.definition } : {}) as unknown as OpenApiDocument;
  const text = JSON.stringify(doc, null, 2);
  const file = join(dirname(loaded.file), `${loaded.definition.name}.exported.openapi.json`);
  const [reloaded] = parseAnyDefinitions(text, file, loaded.baseDir);
  const again = compileRouteTable([{ loaded: reloaded }]);
  return { table, doc, reloaded, again };
}

const files = exampleDefinitionFiles();

test('the examples hold frontend definitions to round-trip (the todo and Confluent ones at least)', () => {
  assert.ok(files.includes(join('examples', 'todo', 'frontend.yaml')), files.join(', '));
  assert.ok(files.includes(join('examples', 'confluent-schema-registry', 'frontend.yaml')), files.join(', '));
});

for (const file of files) {
  describe(`round trip of ${file}`, () => {
    const definitions = loadAnyDefinitionFile(file).filter((l) => l.definition.type === 'REST');

    for (const loaded of definitions) {
      test(`${loaded.definition.name}: export → import gives identical route plans (with the definition at hand)`, () => {
        const { table, doc, reloaded, again } = roundTrip(loaded, true);
        assert.deepEqual(structuralProblems(doc), []);
        assert.ok(table.routes.length > 0);
        assertSamePlans(again, table);
        // What the plans cannot show is carried over from the definition as written.
        const original = loaded.definition.rest!;
        const imported = reloaded.definition.rest!;
        assert.deepEqual(reloaded.definition.protos, loaded.definition.protos);
        assert.equal(imported.basePath, original.basePath);
        assert.equal(imported.defaultRequestType, original.defaultRequestType);
        const produced = (list = [{ type: 'application/json' }] as { type: string; quality?: number }[]) => list.map((p) => ({ type: p.type, quality: p.quality ?? 1 }));
        assert.deepEqual(produced(imported.produces), produced(original.produces));
      });

      test(`${loaded.definition.name}: export → import gives identical route plans (from the route table alone, as the admin API exports)`, () => {
        const { table, again } = roundTrip(loaded, false);
        assertSamePlans(again, table);
      });

      test(`${loaded.definition.name}: exported twice, the document is the same (the import loses nothing the export writes)`, () => {
        const { doc, again } = roundTrip(loaded, true);
        const second = exportOpenApi(again, loaded.definition.name, { definition: loaded.definition });
        assert.deepEqual(second, doc);
      });
    }
  });
}

/** A definition using every part of the language the export writes back, on the fixture proto. */
const KITCHEN_SINK = `
name: round-trip
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  basePath: /api
  service: prism.test.v1.EverythingService
  trailingSlash: true
  unknownQuery: reject
  lenientStrings: true
  consumes: [application/json, application/merge-patch+json]
  defaultRequestType: application/merge-patch+json
  produces: [{ type: application/json, quality: 1 }, { type: text/plain, quality: 0.2 }]
  deadlineMs: 4000
  forwardHeaders: [X-Tenant]
  json: { names: original, emitDefaults: true, int64: number }
  fallback: { status: 500, body: { error: broken } }
  errors:
    - { match: { reason: BODY_INVALID }, status: 422, body: { object: { problem: { from: error.message }, field: { from: error.metadata.field, omitWhen: empty } } } }
    - { match: { code: [NOT_FOUND, 5] }, headers: { X-Code: { from: error.codeName } } }
    - body: { object: { code: { from: error.code }, message: { from: error.message, default: unknown } } }
  routes:
    - id: book
      method: GET
      path: /v1/{f_string=shelves/*/books/*}
      grpc: Echo
      params: [{ from: path.f_string, to: f_string }]
    - id: file
      method: GET
      path: /files/{f_string=**}
      grpc: Echo
      params: [{ from: path.f_string, to: f_string }]
    - id: cancel
      method: POST
      path: /v1/{f_string=operations/*}:cancel
      grpc: Echo
      role: admin
      deadlineMs: 1500
      params: [{ from: path.f_string, to: f_string }]
      response: { status: 204 }
    - id: archive
      method: POST
      path: /v1/things/{f_int64}:archive
      grpc: Echo
      params: [{ from: path.f_int64, to: f_int64 }]
    - id: as-json
      method: GET
      path: /items/{f_int64}.json
      grpc: Echo
      params: [{ from: path.f_int64, to: f_int64, pattern: '^[0-9]+$' }]
      cache: { ttlMs: 1000, maxEntries: 10 }
    - id: version
      method: GET
      path: /v{f_int32}.{f_uint32}/*/info
      grpc: Describe
      params:
        - { from: path.f_int32, to: f_int32 }
        - { from: path.f_uint32, to: f_uint32 }
      response:
        headers: { X-Text: { from: response.text } }
        json: { names: json }
        body:
          object:
            text: { from: response.text, map: { '': none }, default: none }
            numbers: { each: response.numbers }
            items: { each: response.items, item: { object: { n: { from: item.name } } }, when: response.items }
            big: { from: response.big, int64: string, omitWhen: [empty, { equals: '0' }] }
            fixed: [1, two, { const: { three: 3 } }]
    - id: describe-one
      method: PUT
      path: /described/{f_string}
      grpc: Describe
      elevate: { query: force, role: admin }
      bodySchema:
        type: object
        required: [nested]
        properties: { nested: { $ref: '#/$defs/Part' } }
        $defs: { Part: { type: object, properties: { name: { type: string }, child: { $ref: '#/$defs/Part' } } } }
      params:
        - { from: path.f_string, to: f_string }
        - { from: body.nested, to: nested, required: true, rename: { label: name }, ignore: [extra] }
        - { from: query.flag, to: f_bool, coerce: lenient-bool, default: false }
        - { from: query.color, to: color, map: { red: RED }, mapOptions: { caseInsensitive: true, trim: true } }
        - { from: header.X-Count, to: f_int32, nullValue: 0 }
        - { const: 7, to: f_uint32 }
      errors:
        - { match: { reason: ITEM_GONE, domain: test.prism.io, metadata: { kind: item } }, status: 410, body: gone }
    - id: echo-body
      method: POST
      path: /echo
      grpc: Echo
      params: [{ from: body, to: '*', required: true }]
    - id: raw-text
      method: GET
      path: /raw
      grpc: Describe
      response: { raw: true, body: { from: response.text } }
    - id: stream
      method: GET
      path: /stream
      grpc: Stream
      params: [{ from: query.n, to: f_int32 }]
      stream:
        produces: [application/x-ndjson, text/event-stream]
        websocket: true
        sse: { event: { const: item }, id: { from: response.f_int32 }, retryMs: 500, heartbeatMs: 1000 }
        maxBufferedBytes: 65536
        idleTimeoutMs: 2000
        maxDurationMs: 60000
    - id: ready
      method: GET
      path: /ready
      readiness: true
      role: none
      response: { status: 200, body: { const: { ok: true } } }
`;

describe('round trip of a definition using every part the export writes back', () => {
  const [loaded] = parseAnyDefinitions(KITCHEN_SINK, join(process.cwd(), 'round-trip.yaml'), process.cwd());

  test('export → import gives identical route plans, with and without the definition at hand', () => {
    for (const withDefinition of [true, false]) {
      const { table, doc, again } = roundTrip(loaded, withDefinition);
      assert.deepEqual(structuralProblems(doc), []);
      assertSamePlans(again, table);
    }
  });

  test('HttpRule templates keep their form in x-prism-path next to a best-effort OpenAPI path', () => {
    const { doc } = roundTrip(loaded, true);
    const paths = doc.paths!;
    const spelled = Object.fromEntries(Object.entries(paths).flatMap(([key, item]) => Object.values(item).map((op) => [op!.operationId!, { key, path: op!['x-prism-path'] }])));
    assert.deepEqual(spelled, {
      book: { key: '/v1/{f_string}', path: '/v1/{f_string=shelves/*/books/*}' },
      file: { key: '/files/{f_string}', path: '/files/{f_string=**}' },
      cancel: { key: '/v1/{f_string}:cancel', path: '/v1/{f_string=operations/*}:cancel' },
      archive: { key: '/v1/things/{f_int64}:archive', path: undefined },
      'as-json': { key: '/items/{f_int64}.json', path: undefined },
      version: { key: '/v{f_int32}.{f_uint32}/{_1}/info', path: '/v{f_int32}.{f_uint32}/*/info' },
      'describe-one': { key: '/described/{f_string}', path: undefined },
      'echo-body': { key: '/echo', path: undefined },
      'raw-text': { key: '/raw', path: undefined },
      stream: { key: '/stream', path: undefined },
      ready: { key: '/ready', path: undefined },
    });
    // The multi-segment value and the anonymous wildcard are described by their pattern.
    const book = paths['/v1/{f_string}'].get!.parameters!.find((p) => p.name === 'f_string')!;
    assert.equal(book.schema!.pattern, '^shelves/[^/]+/books/[^/]+$');
    assert.match(book.description!, /spans path segments/);
    const wildcard = paths['/v{f_int32}.{f_uint32}/{_1}/info'].get!.parameters!.find((p) => p.name === '_1')!;
    assert.deepEqual([wildcard.in, wildcard.required, wildcard.schema!.pattern], ['path', true, '^[^/]+$']);
  });

  test('a 204 route is documented without a body; a derived body schema is marked as not checked', () => {
    const { doc } = roundTrip(loaded, true);
    const cancel = doc.paths!['/v1/{f_string}:cancel'].post!;
    const noContent = cancel.responses['204'] as OpenApiResponse;
    assert.equal(noContent.content, undefined);
    assert.equal(typeof noContent.description, 'string');
    assert.equal(doc.paths!['/described/{f_string}'].put!.requestBody!['x-prism-validate'], undefined);
    // The route's own bodySchema is checked: its $defs became components.
    const schema = doc.paths!['/described/{f_string}'].put!.requestBody!.content['application/json'].schema as { properties: { nested: { $ref: string } } };
    assert.equal(schema.properties.nested.$ref, '#/components/schemas/Part');
    assert.equal(doc.paths!['/v1/{f_string}:cancel'].post!.requestBody, undefined);
    assert.equal(doc.paths!['/stream'].get!.requestBody, undefined);
    // A body bound without a bodySchema is described from the proto, and marked so that an
    // import does not start checking it.
    const derived = doc.paths!['/echo'].post!.requestBody!;
    assert.equal(derived['x-prism-validate'], false);
    assert.equal(derived.content['application/json'].schema!.$ref, '#/components/schemas/prism.test.v1.Everything');
  });

  test('two HttpRule templates with one OpenAPI spelling both survive (the second keyed by its template)', () => {
    const text = `
name: twins
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
    - { id: a, method: GET, path: '/v1/{f_string=shelves/*}', grpc: Echo, params: [{ from: path.f_string, to: f_string }] }
    - { id: b, method: GET, path: '/v1/{f_string=authors/*}', grpc: Echo, params: [{ from: path.f_string, to: f_string }] }
`;
    const [twins] = parseAnyDefinitions(text, join(process.cwd(), 'twins.yaml'), process.cwd());
    const { doc, table, again } = roundTrip(twins, true);
    assert.deepEqual(Object.keys(doc.paths!), ['/v1/{f_string}', '/v1/{f_string=authors/*}']);
    assertSamePlans(again, table);
  });
});

test('the todo example documents its 204 delete without a body', () => {
  const [loaded] = loadAnyDefinitionFile(join('examples', 'todo', 'frontend.yaml'));
  const doc = exportOpenApi(compileRouteTable([{ loaded }]), 'todo', { definition: loaded.definition }) as unknown as OpenApiDocument;
  const deleted = Object.values(doc.paths!).map((item) => item.delete).find((op) => op?.operationId === 'delete-todo')!;
  const answer = deleted.responses['204'] as OpenApiResponse;
  assert.ok(answer, Object.keys(deleted.responses).join(', '));
  assert.equal(answer.content, undefined);
});
