/**
 * SSE, WEBSOCKET and GRPC_WEB left the frontend `type` enum (DESIGN.md §8): a definition that
 * still names one fails to load with RETIRED_TYPE at /type, on its line, saying what to write
 * instead, and its other problems are still reported in the same pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DefinitionError } from '../../src/frontends/definition-error.js';
import { DiagnosticCode, type Diagnostic } from '../../src/frontends/diagnostics.js';
import { parseDefinitions } from '../../src/frontends/load-definition.js';

const STREAMING = 'write type: REST and bind the route to a streaming method; SSE, NDJSON and WebSocket are framings of REST routes';
const GRPC_WEB = "gRPC-Web and Connect are served for a namespace's gRPC interface: set grpcWeb: true on the namespace";

function problemsOf(text: string): readonly Diagnostic[] {
  try {
    parseDefinitions(text, 'retired.yaml', process.cwd());
  } catch (err) {
    if (err instanceof DefinitionError) return err.problems;
    throw err;
  }
  return [];
}

const REST = 'rest:\n  routes:\n    - { id: r, method: GET, path: /r }\n';

for (const [type, advice] of [
  ['SSE', STREAMING],
  ['WEBSOCKET', STREAMING],
  ['GRPC_WEB', GRPC_WEB],
] as const) {
  test(`type: ${type} fails with RETIRED_TYPE at /type, saying what to write instead`, () => {
    assert.deepEqual(problemsOf(`# a comment line\nname: events\ntype: ${type}\n${REST}`), [
      { code: DiagnosticCode.RETIRED_TYPE, file: 'retired.yaml', pointer: '/type', line: 3, column: 7, message: `type ${type} is no longer a frontend type: ${advice}` },
    ]);
  });
}

test('a retired type is one problem, not also "must be one of", and the rest of the file is still checked', () => {
  const problems = problemsOf(`name: events\ntype: SSE\nrest:\n  routes:\n    - { id: r, method: GOT, path: /r }\n`);
  assert.deepEqual(
    problems.map((p) => [p.code, p.pointer, p.line]),
    [
      [DiagnosticCode.RETIRED_TYPE, '/type', 2],
      [DiagnosticCode.SCHEMA, '/rest/routes/0/method', 5],
    ],
  );
});

test('each document of a file is judged on its own type', () => {
  const problems = problemsOf(`name: a\ntype: REST\n${REST}---\nname: b\ntype: WEBSOCKET\n${REST}`);
  assert.deepEqual(
    problems.map((p) => [p.code, p.pointer, p.line]),
    [[DiagnosticCode.RETIRED_TYPE, '/type', 8]],
  );
});

test('the error message names file, line and the advice', () => {
  assert.throws(
    () => parseDefinitions(`name: web\ntype: GRPC_WEB\n`, 'retired.yaml', process.cwd()),
    (err: Error) => err instanceof DefinitionError && err.message.includes(`retired.yaml:2:7: at /type: type GRPC_WEB is no longer a frontend type: ${GRPC_WEB}`),
  );
});

test('REST and GRAPHQL load; another unknown type is a plain schema problem', () => {
  assert.equal(parseDefinitions(`name: a\ntype: REST\n${REST}`, 'ok.yaml', process.cwd()).length, 1);
  assert.equal(parseDefinitions(`name: g\ntype: GRAPHQL\ngraphql: { query: { a: { grpc: pkg.Svc/Get } } }\n`, 'ok.yaml', process.cwd()).length, 1);
  assert.deepEqual(
    problemsOf(`name: x\ntype: SOAP\n`).map((p) => [p.code, p.pointer, p.message]),
    [[DiagnosticCode.SCHEMA, '/type', 'must be one of "REST", "GRAPHQL"']],
  );
});
