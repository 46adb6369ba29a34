/**
 * Graceful shutdown of the real CLI process: `prism-gateway serve` runs as a child process,
 * a request to a route calling the fixture's Slow is in flight when SIGTERM arrives; the
 * request completes with 200, new connections are no longer served, and the process exits 0.
 * The request's structured log line names its route, status and request id.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { FIXTURE_PROTO, FIXTURE_SERVICE, startFixtureServer } from '../support/fixture-server.js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { createServiceDefinition } from '../../src/grpc/service-definition.js';
import { CLI, echoFrontend, fixtureNamespace, sleep, spawnServing, startFromConfig, tempDir, writeConfig, type ServingProcess } from './support.js';
import { useSuite } from '../support/use-suite.js';
import { waitFor } from '../support/wait-for.js';

const DELAY_MS = 1200;

/** The gateway process the first describe starts (and the suite kills at the end). */
let serving: ServingProcess | undefined;

const suite = useSuite(async (scope) => {
  const fixture = scope.own(await startFixtureServer());
  const dir = scope.own(tempDir('sigterm'));
  scope.onClose(() => serving?.kill());
  writeFileSync(
    join(dir.path, 'slow.yaml'),
    echoFrontend('slowpoke', [{ id: 'quick', path: '/quick', marker: 'quick' }], `    - { id: slow, method: GET, path: /slow, grpc: Slow, params: [{ const: ${DELAY_MS}, to: delay_ms }] }
    - { id: body, method: POST, path: /body, grpc: Echo, params: [{ from: body, to: '*' }] }
`,
    ),
  );
  writeConfig(dir.path, { namespaces: [fixtureNamespace('fx', fixture.address, [{ file: 'slow.yaml' }])] });
  return { fixture, dir };
});

const slowCalls = () => suite.fixture.received.filter((r) => r.method === 'Slow').length;

/** One GET on a fresh connection (no pooling): the status, or the connection error's code. */
function freshGet(url: string): Promise<number | string> {
  return new Promise((done) => {
    const req = httpRequest(url, { agent: false, timeout: 3000 }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    req.end();
  });
}

describe('SIGTERM during a slow request', () => {
  let sigtermAt = 0;

  test('the request completes with 200 and new connections are refused', async () => {
    serving = await spawnServing(process.execPath, ['--import', 'tsx', CLI, 'serve', '--config', join(suite.dir.path, 'gateway.yaml'), '--host', '127.0.0.1', '--port', '0', '--data-dir', join(suite.dir.path, 'data')]);
    const { url } = serving;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await freshGet(`${url}/quick`), 200);
    const echoed = await fetch(`${url}/body`, { method: 'POST', body: JSON.stringify({ fString: 'secret-body-value' }), headers: { 'content-type': 'application/json', 'x-request-id': 'with-a-body' } });
    assert.equal(echoed.status, 200);
    assert.equal(await echoed.text(), '{"fString":"secret-body-value"}');

    const started = Date.now();
    const slow = fetch(`${url}/slow`, { headers: { 'x-request-id': 'slow-during-sigterm', authorization: 'Bearer do-not-log-me' } }).then(async (r) => ({ status: r.status, text: await r.text() }));
    await waitFor(() => slowCalls() > 0, { what: 'the slow call to reach the backend' });
    assert.ok(serving.child.kill('SIGTERM'));
    sigtermAt = Date.now();

    // The slow request is still in flight (DELAY_MS) while the listener stops taking connections.
    let late: number | string = 200;
    await waitFor(async () => (late = await freshGet(`${url}/quick`)) !== 200, {
      intervalMs: 50,
      what: 'a new connection after SIGTERM not to be served normally',
      detail: () => `last answer: ${late}`,
    });

    const answer = await slow;
    assert.deepEqual(answer, { status: 200, text: '{}' });
    assert.ok(Date.now() - started >= DELAY_MS - 50, 'it waited for the backend');
    assert.equal(slowCalls(), 1, 'one call, not retried');
  });

  test('each request is logged as one structured line with route, status, latency, upstream code and request id, without bodies or credentials', async () => {
    // The line is written when the response finishes; it may still be in the pipe.
    const requestLine = await waitFor(() => serving!.lines.find((l) => l.msg === 'request' && l.reqId === 'slow-during-sigterm'), {
      what: 'a log line for the slow request',
      detail: () => `request lines: ${JSON.stringify(serving!.lines.filter((l) => l.msg === 'request'))}`,
    });
    assert.equal(requestLine.route, 'slow');
    assert.equal(requestLine.status, 200);
    assert.equal(typeof requestLine.ms, 'number');
    assert.ok((requestLine.ms as number) >= DELAY_MS - 50);
    assert.equal(requestLine.upstream, 0, 'the upstream status code (OK)');
    assert.equal(serving!.lines.find((l) => l.msg === 'shutting down')?.signal, 'SIGTERM');
    const bodyLine = serving!.lines.find((l) => l.msg === 'request' && l.reqId === 'with-a-body');
    assert.equal(bodyLine?.route, 'body');
    assert.equal(bodyLine?.status, 200);
    assert.doesNotMatch(JSON.stringify(serving!.lines), /secret-body-value/, 'bodies are never logged');
    assert.doesNotMatch(JSON.stringify(serving!.lines), /do-not-log-me/, 'credentials are never logged');
  });

  test(
    'the process exits 0 soon after the in-flight request finished',
    {},
    async () => {
      const exit = await Promise.race([serving!.exited, sleep(5_000).then(() => 'still running 5 s after the request finished' as const)]);
      assert.deepEqual(exit, { code: 0, signal: null }, serving!.stderr());
      assert.ok(Date.now() - sigtermAt < DELAY_MS + 5_000);
    },
  );
});

describe('closing a gateway during a passthrough call', () => {
  test('a gRPC call in flight on the passthrough listener completes OK, then close() resolves', async () => {
    const scratch = tempDir('sigterm-grpc');
    const configFile = writeConfig(scratch.path, { namespaces: [fixtureNamespace('fx', suite.fixture.address)] });
    const gateway = await startFromConfig(configFile, join(scratch.path, 'data'));
    const Everything = grpc.makeGenericClientConstructor(createServiceDefinition(loadProtoRoot([FIXTURE_PROTO]).lookupService(FIXTURE_SERVICE)), 'Everything');
    type Slow = (req: Record<string, unknown>, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null) => void) => void;
    const client = new Everything(gateway.grpcAddress!, grpc.credentials.createInsecure()) as unknown as grpc.Client & { Slow: Slow };
    try {
      const before = slowCalls();
      const call = new Promise<grpc.status>((done) => client.Slow({ delay_ms: 800 }, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (err) => done(err ? err.code : grpc.status.OK)));
      await waitFor(() => slowCalls() > before, { what: 'the call to reach the backend' });
      const closed = gateway.close().then(() => Date.now());
      assert.equal(await call, grpc.status.OK);
      const finishedAt = Date.now();
      const closedAt = await Promise.race([closed, sleep(5_000).then(() => Infinity)]);
      assert.ok(closedAt - finishedAt < 2_000, 'close() resolved soon after the call finished');
    } finally {
      client.close();
      scratch.remove();
    }
  });
});
