/**
 * Graceful shutdown of the real CLI process: `prism-gateway serve` runs as a child process,
 * a request to a route calling the fixture's Slow is in flight when SIGTERM arrives; the
 * request completes with 200, new connections are no longer served, and the process exits 0.
 * The request's structured log line names its route, status and request id.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { FIXTURE_PROTO, FIXTURE_SERVICE, startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { loadProtoRoot } from '../../src/upstream/proto-root.js';
import { createServiceDefinition } from '../../src/upstream/service-definition.js';
import { CLI, echoFrontend, fixtureNamespace, sleep, spawnServing, startFromConfig, tempDir, writeConfig, type ServingProcess } from './support.js';

let fixture: FixtureServer;
let dir: ReturnType<typeof tempDir>;
let serving: ServingProcess | undefined;

const DELAY_MS = 1200;

before(async () => {
  fixture = await startFixtureServer();
  dir = tempDir('sigterm');
  writeFileSync(
    join(dir.path, 'slow.yaml'),
    echoFrontend('slowpoke', [{ id: 'quick', path: '/quick', marker: 'quick' }], `    - { id: slow, method: GET, path: /slow, grpc: Slow, params: [{ const: ${DELAY_MS}, to: delay_ms }] }
    - { id: body, method: POST, path: /body, grpc: Echo, params: [{ from: body, to: '*' }] }
`,
    ),
  );
  writeConfig(dir.path, { namespaces: [fixtureNamespace('fx', fixture.address, [{ file: 'slow.yaml' }])] });
});

after(async () => {
  serving?.kill();
  await fixture?.close();
  dir?.remove();
});

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
    serving = await spawnServing(process.execPath, ['--import', 'tsx', CLI, 'serve', '--config', join(dir.path, 'gateway.yaml'), '--host', '127.0.0.1', '--port', '0', '--data-dir', join(dir.path, 'data')]);
    const { url } = serving;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await freshGet(`${url}/quick`), 200);
    const echoed = await fetch(`${url}/body`, { method: 'POST', body: JSON.stringify({ fString: 'secret-body-value' }), headers: { 'content-type': 'application/json', 'x-request-id': 'with-a-body' } });
    assert.equal(echoed.status, 200);
    assert.equal(await echoed.text(), '{"fString":"secret-body-value"}');

    const started = Date.now();
    const slow = fetch(`${url}/slow`, { headers: { 'x-request-id': 'slow-during-sigterm', authorization: 'Bearer do-not-log-me' } }).then(async (r) => ({ status: r.status, text: await r.text() }));
    while (!fixture.received.some((r) => r.method === 'Slow')) {
      assert.ok(Date.now() - started < 10_000, 'the slow call reached the backend');
      await sleep(10);
    }
    assert.ok(serving.child.kill('SIGTERM'));
    sigtermAt = Date.now();
    await sleep(200);

    const late = await freshGet(`${url}/quick`);
    assert.notEqual(late, 200, 'a new connection after SIGTERM is not served normally');

    const answer = await slow;
    assert.deepEqual(answer, { status: 200, text: '{}' });
    assert.ok(Date.now() - started >= DELAY_MS - 50, 'it waited for the backend');
    assert.equal(fixture.received.filter((r) => r.method === 'Slow').length, 1, 'one call, not retried');
  });

  test('each request is logged as one structured line with route, status, latency, upstream code and request id, without bodies or credentials', async () => {
    // The line is written when the response finishes; give the pipe a moment.
    const deadline = Date.now() + 3000;
    let requestLine: Record<string, unknown> | undefined;
    while (!(requestLine = serving!.lines.find((l) => l.msg === 'request' && l.reqId === 'slow-during-sigterm')) && Date.now() < deadline) await sleep(20);
    assert.ok(requestLine, `a log line for the slow request: ${JSON.stringify(serving!.lines.filter((l) => l.msg === 'request'))}`);
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
    const configFile = writeConfig(scratch.path, { namespaces: [fixtureNamespace('fx', fixture.address)] });
    const gateway = await startFromConfig(configFile, join(scratch.path, 'data'));
    const Everything = grpc.makeGenericClientConstructor(createServiceDefinition(loadProtoRoot([FIXTURE_PROTO]).lookupService(FIXTURE_SERVICE)), 'Everything');
    type Slow = (req: Record<string, unknown>, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null) => void) => void;
    const client = new Everything(gateway.grpcAddress!, grpc.credentials.createInsecure()) as unknown as grpc.Client & { Slow: Slow };
    try {
      const before = fixture.received.filter((r) => r.method === 'Slow').length;
      const started = Date.now();
      const call = new Promise<grpc.status>((done) => client.Slow({ delay_ms: 800 }, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (err) => done(err ? err.code : grpc.status.OK)));
      while (fixture.received.filter((r) => r.method === 'Slow').length === before) {
        assert.ok(Date.now() - started < 10_000, 'the call reached the backend');
        await sleep(10);
      }
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
