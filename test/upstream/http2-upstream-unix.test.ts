/**
 * Unix-domain-socket targets, named as grpc-js names them (`unix:/abs/path`,
 * `unix:///abs/path`), against a real grpc-js server bound to the socket.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http2 from 'node:http2';
import { Code, GatewayError } from '../../src/core/gateway-error.js';
import { createHttp2Upstream } from '../../src/upstream/http2-upstream.js';
import { startRawServerOn, type RawServer } from './raw-server.js';

const dir = mkdtempSync(join(tmpdir(), 'prism-uds-'));
const socketPath = join(dir, 'backend.sock');
let server: RawServer;

before(async () => {
  server = await startRawServerOn(`unix:${socketPath}`);
});
after(async () => {
  server.kill();
  rmSync(dir, { recursive: true, force: true });
});

const echo = (target: string, text: string) => {
  const up = createHttp2Upstream(target);
  return up
    .unary({ path: '/raw.Raw/Echo', message: Buffer.from(text), metadata: {}, deadlineMs: 10_000 })
    .finally(() => up.close());
};

test('unix:/abs/path reaches a grpc-js server bound to that socket', async () => {
  const reply = await echo(`unix:${socketPath}`, 'over a unix socket');
  assert.equal(reply.message.toString(), 'over a unix socket');
});

test('unix:///abs/path names the same socket', async () => {
  const reply = await echo(`unix://${socketPath}`, 'three slashes');
  assert.equal(reply.message.toString(), 'three slashes');
});

test('the peer is the socket, and one connection carries every call', async () => {
  const up = createHttp2Upstream(`unix:${socketPath}`);
  try {
    const peers = await Promise.all(
      Array.from({ length: 5 }, () => up.unary({ path: '/raw.Raw/Peer', message: Buffer.alloc(0), metadata: {}, deadlineMs: 10_000 })),
    );
    assert.equal(new Set(peers.map((p) => p.message.toString())).size, 1);
  } finally {
    up.close();
  }
});

test('a socket path nobody listens on fails the call UNAVAILABLE', async () => {
  const err = await echo(`unix:${join(dir, 'nobody.sock')}`, 'x').then(
    () => assert.fail('the call succeeded'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof GatewayError);
  assert.equal(err.code, Code.UNAVAILABLE);
});

test('an empty unix path is refused when the upstream is made', () => {
  assert.throws(() => createHttp2Upstream('unix:'), /names no socket path/);
});

test(':authority is localhost, as grpc-js sends for unix targets', async () => {
  const path = join(dir, 'authority.sock');
  const h2 = http2.createServer();
  let authority: string | undefined;
  h2.on('stream', (stream, headers) => {
    authority = headers[':authority'];
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(Buffer.from([0, 0, 0, 0, 0]));
    stream.resume();
  });
  await new Promise<void>((done) => h2.listen(path, done));
  try {
    const reply = await echo(`unix:${path}`, 'x');
    assert.equal(reply.message.length, 0);
    assert.equal(authority, 'localhost');
  } finally {
    await new Promise<void>((done) => h2.close(() => done()));
  }
});
