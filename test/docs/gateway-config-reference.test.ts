/**
 * docs/gateway-config.md against the config's schema: every object of GatewayConfigSchema has a
 * table, every field a row, and no row names a field that does not exist; the defaults the
 * document states are the ones the code exports; and the document's YAML examples load.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { checkGatewayConfigText, GatewayConfigSchema } from '../../src/config/gateway-config.js';
import { DEFAULT_MAX_STREAMS } from '../../src/core/open-streams.js';
import { DEFAULT_CONNECTION_LIMITS } from '../../src/routing/connection-guard.js';
import { DEFAULT_ALLOW_HEADERS, DEFAULT_ALLOW_METHODS, DEFAULT_EXPOSE_HEADERS } from '../../src/routing/cors.js';
import { DEFAULT_BODY_LIMIT } from '../../src/routing/fastify-adapter.js';
import { DEFAULT_MAX_CONCURRENT } from '../../src/routing/public-routes-plugin.js';
import { WEBSOCKET_DEFAULTS } from '../../src/routing/websocket-route.js';
import { BASIC_AUTH_DEFAULTS } from '../../src/security/authenticator.js';
import { H2_DEFAULTS } from '../../src/upstream/h2-connection.js';
import { DEFAULT_HEALTH_TIMEOUT_MS } from '../../src/upstream/health-check.js';
import { defaultDifferences, documentedObjects, documentedTables, fieldDifferences, schemaObjects } from './schema-fields.js';

const DOC = resolve(import.meta.dirname, '../../docs/gateway-config.md');
const markdown = readFileSync(DOC, 'utf8');
const tables = documentedObjects(documentedTables(markdown));

test('every object and field of the config schema is documented, and nothing else', () => {
  const problems = fieldDifferences(schemaObjects(GatewayConfigSchema), tables);
  assert.deepEqual(problems, [], `docs/gateway-config.md and GatewayConfigSchema differ:\n  ${problems.join('\n  ')}`);
});

test('the schema walk sees nested objects, arrays and unions (so the check above can fail)', () => {
  const objects = schemaObjects(GatewayConfigSchema);
  assert.ok(objects.get('namespaces[].pattern.http2')?.has('keepaliveIntervalMs'));
  assert.ok(objects.get('namespaces[].health')?.has('service'), 'the object branch of health: off | {…}');
  assert.ok(objects.get('auth.basic.limits')?.has('failureBurst'));
  assert.ok(objects.get('namespaces[].frontends[].cors')?.has('allowOrigins'));
  const withoutOne = new Map(tables);
  withoutOne.delete('probes');
  assert.match(fieldDifferences(objects, withoutOne).join('\n'), /no table documents 'probes'/);
});

/** Defaults the code exports, by the path of the field they apply to. */
const EXPORTED_DEFAULTS: Record<string, unknown> = {
  bodyLimit: DEFAULT_BODY_LIMIT,
  'http.maxConcurrent': DEFAULT_MAX_CONCURRENT,
  'http.maxStreams': DEFAULT_MAX_STREAMS,
  ...prefixed('http', DEFAULT_CONNECTION_LIMITS),
  ...prefixed('http.websocket', WEBSOCKET_DEFAULTS),
  'http.cors.allowMethods': DEFAULT_ALLOW_METHODS,
  'http.cors.allowHeaders': DEFAULT_ALLOW_HEADERS,
  'http.cors.exposeHeaders': DEFAULT_EXPOSE_HEADERS,
  'grpc.maxConnections': DEFAULT_CONNECTION_LIMITS.maxConnections,
  'grpc.maxConnectionsPerAddress': DEFAULT_CONNECTION_LIMITS.maxConnectionsPerAddress,
  ...prefixed('auth.basic.limits', BASIC_AUTH_DEFAULTS),
  ...prefixed('namespaces[].pattern.http2', H2_DEFAULTS),
  'namespaces[].health.timeoutMs': DEFAULT_HEALTH_TIMEOUT_MS,
};

function prefixed(path: string, values: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${path}.${k}`, v]));
}

test('the documented defaults are the ones the code exports', () => {
  assert.deepEqual(defaultDifferences(tables, EXPORTED_DEFAULTS), []);
});

test('every row states a type, a default (or "none"/"required") and a meaning', () => {
  const empty: string[] = [];
  for (const table of new Set(tables.values())) {
    for (const row of table.fields) {
      for (const column of ['type', 'default', 'meaning']) if (!row.cells[column]) empty.push(`line ${row.line}: '${row.name}' has no ${column}`);
    }
  }
  assert.deepEqual(empty, []);
});

test("the document's complete example is a config the gateway accepts", () => {
  const blocks = [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  const complete = blocks.filter((b) => b.startsWith('# complete example'));
  assert.ok(complete.length >= 1, 'a ```yaml block starting with "# complete example"');
  for (const text of complete) {
    const check = checkGatewayConfigText(text, join(import.meta.dirname, 'gateway.yaml'));
    assert.deepEqual(check.problems.map((p) => `${p.line}:${p.column} ${p.pointer} ${p.message} [${p.code}]`), []);
  }
});

test('every yaml fragment in the document fits the config schema once wrapped in a minimal config', () => {
  // A fragment shows one section; merged into a config with one namespace it must load with
  // no shape problem, so a misspelt field in an example fails here as it would at start.
  const minimal = 'namespaces:\n  - name: example\n    pattern: { target: "127.0.0.1:50051" }\n    frontends: []\n';
  const problems: string[] = [];
  for (const match of markdown.matchAll(/```yaml\n([\s\S]*?)```/g)) {
    const text = match[1];
    if (text.startsWith('# complete example')) continue;
    const line = markdown.slice(0, match.index).split('\n').length + 1;
    const wrapped = /^namespaces:/m.test(text) ? text : `${text}\n${minimal}`;
    const check = checkGatewayConfigText(wrapped, join(import.meta.dirname, 'gateway.yaml'));
    for (const p of check.problems) if (p.code === 'SCHEMA' || p.code === 'SYNTAX') problems.push(`block at line ${line}: ${p.pointer} ${p.message}`);
  }
  assert.deepEqual(problems, []);
});
