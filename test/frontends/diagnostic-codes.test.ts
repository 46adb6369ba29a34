/**
 * The diagnostic codes are a contract (fastify's error-codes test is the model): every
 * DiagnosticCode is documented in docs/frontend-reference.md, every code documented there
 * exists, and every code is produced by at least one case of the table below — definition
 * snippets through the loader and the compiler, configs through the config loader and the
 * binding builder.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { bindingsFromConfig } from '../../src/config/bindings-from-config.js';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { DefinitionError } from '../../src/frontends/definition-error.js';
import { DiagnosticCode } from '../../src/frontends/diagnostics.js';
import { loadAnyDefinitionFile, parseAnyDefinitions } from '../../src/frontends/load-any-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { attachRpcIndex } from '../../src/rpc/attach-rpc-index.js';

const dir = mkdtempSync(join(tmpdir(), 'prism-diagnostic-codes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const HEAD = `name: d
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
`;
const routes = (...r: string[]) => HEAD + r.map((x) => `    - ${x}\n`).join('');

type Case =
  | { name: string; code: DiagnosticCode; definition: string }
  | { name: string; code: DiagnosticCode; file: string }
  | { name: string; code: DiagnosticCode; config: string }
  | { name: string; code: DiagnosticCode; namespace: string }
  /** A definition bound to a namespace that serves gRPC-Web and Connect (the fixture's services at the root). */
  | { name: string; code: DiagnosticCode; rpc: string };
const CASES: Case[] = [
  { name: 'a file that is not there', code: 'UNREADABLE', file: join(dir, 'missing.yaml') },
  { name: 'YAML that does not parse', code: 'SYNTAX', definition: 'name: d\ntype: REST\nrest: { routes: [\n' },
  { name: 'a definition without routes', code: 'SCHEMA', definition: 'name: d\ntype: REST\nrest: {}\n' },
  { name: 'a retired frontend type', code: 'RETIRED_TYPE', definition: 'name: d\ntype: SSE\nrest: { routes: [] }\n' },
  { name: 'an unknown service', code: 'UNKNOWN_SERVICE', definition: routes('{ id: r, method: GET, path: /r, grpc: prism.test.v1.Nope/Echo }') },
  { name: 'an unknown method', code: 'UNKNOWN_METHOD', definition: routes('{ id: r, method: GET, path: /r, grpc: Ech0 }') },
  { name: 'an unknown target field', code: 'UNKNOWN_FIELD', definition: routes('{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: query.q, to: no_such_field }] }') },
  { name: 'a template reading an unknown field', code: 'UNKNOWN_FIELD', definition: routes('{ id: r, method: GET, path: /r, grpc: Echo, response: { body: { from: response.nope } } }') },
  { name: 'a query value into a message field', code: 'TYPE_MISMATCH', definition: routes('{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: query.q, to: nested }] }') },
  { name: 'a default that does not fit its field', code: 'TYPE_MISMATCH', definition: routes('{ id: r, method: GET, path: /r, grpc: Echo, params: [{ from: query.q, to: f_int32, default: abc }] }') },
  { name: 'one route id twice', code: 'DUPLICATE_NAME', definition: routes('{ id: r, method: GET, path: /a }', '{ id: r, method: GET, path: /b }') },
  { name: 'two routes for the same requests', code: 'ROUTE_CONFLICT', definition: routes('{ id: a, method: GET, path: /a }', '{ id: b, method: GET, path: /a }') },
  { name: 'two parameters with nothing between them', code: 'PATH_TEMPLATE', definition: routes('{ id: r, method: GET, path: "/x/{a}{b}" }') },
  { name: 'a path parameter bound to nothing', code: 'UNBOUND_PATH_PARAM', definition: routes('{ id: r, method: GET, path: "/r/{id}", grpc: Echo }') },
  { name: 'error outside an error template', code: 'TEMPLATE', definition: routes('{ id: r, method: GET, path: /r, grpc: Echo, response: { body: { from: error.message } } }') },
  { name: 'a proto that is not there', code: 'PROTO_LOAD', definition: HEAD.replace('prism/test/v1/everything.proto', 'no/such.proto') + '    - { id: r, method: GET, path: /r, grpc: Echo }\n' },
  { name: 'a streaming method on a route', code: 'UNSUPPORTED', definition: routes('{ id: r, method: GET, path: /r, grpc: Stream }') },
  { name: 'a stream block on a unary method', code: 'UNSUPPORTED', definition: routes('{ id: r, method: GET, path: /r, grpc: Echo, stream: {} }') },
  { name: 'a streaming route with no framing and no WebSocket', code: 'INVALID_VALUE', definition: routes('{ id: r, method: GET, path: /r, grpc: Stream, stream: { produces: [] } }') },
  { name: 'an unknown gRPC code in an error match', code: 'INVALID_VALUE', definition: routes('{ id: r, method: GET, path: /r, grpc: Echo, errors: [{ match: { code: NOPE }, status: 400 }] }') },
  { name: 'a frontend bound to an unknown namespace', code: 'UNKNOWN_REFERENCE', namespace: 'nope' },
  {
    name: 'a GraphQL field added to a type the schema does not have',
    code: 'GRAPHQL_SCHEMA',
    definition: 'name: g\ntype: GRAPHQL\nprotos: [prism/test/v1/everything.proto]\ngraphql:\n  service: prism.test.v1.EverythingService\n  query: { echo: { grpc: Echo } }\n  types: { Nope: { fields: { x: { grpc: Echo } } } }\n',
  },
  { name: 'a REST route on a gRPC-Web / Connect path', code: 'RESERVED_PATH', rpc: routes('{ id: r, method: POST, path: "/{service}/{method}", grpc: Echo, params: [{ from: path.service, to: f_string }, { from: path.method, to: f_bytes }] }') },
  {
    name: 'an admin listener beyond loopback without auth',
    code: 'EXPOSURE',
    config: 'admin: { host: 0.0.0.0, port: 0 }\nnamespaces:\n  - name: default\n    pattern: { target: 127.0.0.1:1 }\n    frontends: []\n',
  },
];

let counter = 0;
/** The codes a case produces. */
function codesOf(c: Case): string[] {
  const collect = (run: () => void): string[] => {
    try {
      run();
      return [];
    } catch (err) {
      const problems = (err as { problems?: readonly { code?: string }[] }).problems;
      if (err instanceof DefinitionError || Array.isArray(problems)) return (problems ?? []).map((p) => String(p.code));
      throw err;
    }
  };
  if ('definition' in c) return collect(() => compileRouteTable(parseAnyDefinitions(c.definition, 'test.yaml', process.cwd()).map((loaded) => ({ loaded }))));
  if ('file' in c) return collect(() => loadAnyDefinitionFile(c.file));
  if ('rpc' in c) {
    return collect(() => {
      const bindings = parseAnyDefinitions(c.rpc, 'test.yaml', process.cwd()).map((loaded) => ({ loaded, namespace: 'default' }));
      attachRpcIndex(compileRouteTable(bindings), [{ name: 'default', grpcWeb: true, protoFiles: ['prism/test/v1/everything.proto'] }], [{ namespace: 'default' }], bindings);
    });
  }
  if ('namespace' in c) {
    const { problems } = bindingsFromConfig([{ namespace: c.namespace, text: routes(), source: 'test.yaml' }], new Map([['default', { name: 'default', protoFiles: [] }]]), process.cwd());
    return problems.map((p) => p.code);
  }
  const file = join(dir, `config-${counter++}.yaml`);
  writeFileSync(file, c.config);
  return collect(() => loadGatewayConfig(file));
}

describe('every case produces its code', () => {
  for (const c of CASES) {
    test(`${c.code}: ${c.name}`, () => {
      const codes = codesOf(c);
      assert.ok(codes.includes(c.code), `expected ${c.code}, got ${codes.join(', ') || 'no problem'}`);
    });
  }
});

const codes = Object.values(DiagnosticCode);
// The codes' table is in the reference's "Diagnostics" part (the gateway reasons have a table of their own above it).
const diagnosticsPart = readFileSync('docs/frontend-reference.md', 'utf8').split(/^## Diagnostics$/m)[1] ?? '';
const documented = [...diagnosticsPart.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);

test('every code is documented in docs/frontend-reference.md, and every documented code exists', () => {
  assert.deepEqual([...documented].sort(), [...codes].sort());
  assert.equal(new Set(documented).size, documented.length, 'a code is documented twice');
});

test('every code is produced by at least one case', () => {
  assert.deepEqual(codes.filter((code) => !CASES.some((c) => c.code === code)), []);
});
