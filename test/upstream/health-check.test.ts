/**
 * The health check, in one place (health-check.ts) for every `healthy()`: the Check request's
 * bytes per service, which replies mean SERVING, and what `withHealthCheck` puts around an
 * upstream (the upstream's own `unary`, a Check for the configured service, or a connection
 * to the target as grpc-target.ts reads it).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UnaryRequest, Upstream } from '../../src/upstream/upstream.js';
import { createHealthProbe, encodeHealthCheckRequest, HEALTH_CHECK_PATH, isServing, withHealthCheck } from '../../src/upstream/health-check.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('HealthCheckRequest bytes per service name', () => {
  const cases: [service: string, bytes: string][] = [
    ['', ''],
    ['a', '0a0161'],
    ['test.Ping', `0a09${hex(Buffer.from('test.Ping'))}`],
    ['é', '0a02c3a9'],
    // 200 bytes: the length is a two-byte varint.
    ['x'.repeat(200), `0ac801${'78'.repeat(200)}`],
  ];
  for (const [service, bytes] of cases) assert.equal(hex(encodeHealthCheckRequest(service)), bytes, service);
});

test('only 08 01 (status SERVING) is serving', () => {
  const cases: [reply: string, serving: boolean][] = [
    ['0801', true],
    ['', false], // UNKNOWN, the default, encodes as nothing
    ['0802', false], // NOT_SERVING
    ['0803', false], // SERVICE_UNKNOWN
    ['080100', false],
    ['1001', false],
  ];
  for (const [reply, serving] of cases) assert.equal(isServing(Buffer.from(reply, 'hex')), serving, reply);
});

/** An upstream whose calls are recorded and answered with `reply` (or fail when it is an Error). */
function fakeUpstream(target: string, reply: Buffer | Error = Buffer.from('0801', 'hex')): Upstream & { requests: UnaryRequest[] } {
  const requests: UnaryRequest[] = [];
  return {
    target,
    requests,
    unary: async (request) => {
      requests.push(request);
      if (reply instanceof Error) throw reply;
      return { message: reply, metadata: {} };
    },
    // Health checks are unary calls; a stream opened here would be a bug in the probe.
    stream: () => assert.fail('a health check opened a stream'),
    healthy: async () => false,
    close: () => {},
  };
}

test('createHealthProbe: Check on the health path, the timeout as deadline, false on any failure', async () => {
  const up = fakeUpstream('x:1');
  const healthy = createHealthProbe(up.unary, 'test.Ping', 750);
  assert.equal(await healthy(), true);
  assert.equal(await healthy(20), true);
  assert.deepEqual(
    up.requests.map((r) => [r.path, hex(r.message), r.deadlineMs]),
    [
      [HEALTH_CHECK_PATH, hex(encodeHealthCheckRequest('test.Ping')), 750],
      [HEALTH_CHECK_PATH, hex(encodeHealthCheckRequest('test.Ping')), 20],
    ],
  );
  assert.equal(await createHealthProbe(fakeUpstream('x:1', Buffer.from('0802', 'hex')).unary)(), false);
  assert.equal(await createHealthProbe(fakeUpstream('x:1', new Error('unavailable')).unary)(), false);
});

test('withHealthCheck keeps the upstream itself on the request path, and asks the configured service', async () => {
  const up = fakeUpstream('127.0.0.1:1');
  assert.equal(withHealthCheck(up, undefined), up);
  for (const health of ['off', { check: 'tcp' }, { service: 'test.Ping', timeoutMs: 300 }] as const) {
    const wrapped = withHealthCheck(up, health);
    assert.equal(wrapped.unary, up.unary, JSON.stringify(health));
    assert.equal(wrapped.close, up.close);
    assert.equal(wrapped.target, up.target);
  }
  assert.equal(await withHealthCheck(up, 'off').healthy(), true);
  assert.equal(await withHealthCheck(up, { service: 'test.Ping', timeoutMs: 300 }).healthy(), true);
  assert.deepEqual(up.requests.map((r) => [hex(r.message), r.deadlineMs]), [[hex(encodeHealthCheckRequest('test.Ping')), 300]]);
});

const dir = mkdtempSync(join(tmpdir(), 'prism-health-'));
const socketPath = join(dir, 'backend.sock');
let tcpServer: net.Server;
let unixServer: net.Server;
let port: number;

before(async () => {
  tcpServer = net.createServer((s) => s.destroy());
  unixServer = net.createServer((s) => s.destroy());
  await new Promise<void>((done) => tcpServer.listen(0, '127.0.0.1', done));
  await new Promise<void>((done) => unixServer.listen(socketPath, done));
  port = (tcpServer.address() as net.AddressInfo).port;
});
after(async () => {
  await new Promise((done) => tcpServer.close(done));
  await new Promise((done) => unixServer.close(done));
  rmSync(dir, { recursive: true, force: true });
});

test('check: tcp connects to the target in each spelling the HTTP/2 client takes', async () => {
  const targets = [`127.0.0.1:${port}`, `dns:127.0.0.1:${port}`, `dns:///127.0.0.1:${port}`, `ipv4:127.0.0.1:${port}`, `unix:${socketPath}`, `unix://${socketPath}`];
  for (const target of targets) assert.equal(await withHealthCheck(fakeUpstream(target), { check: 'tcp' }).healthy(), true, target);
  assert.equal(await withHealthCheck(fakeUpstream(`unix:${join(dir, 'nobody.sock')}`), { check: 'tcp' }).healthy(200), false);
});

test('check: tcp on a target no client here can dial fails when the namespace is set up, not at every check', () => {
  assert.throws(() => withHealthCheck(fakeUpstream('dns://8.8.8.8/backend:50051'), { check: 'tcp' }), /names a DNS server/);
  assert.throws(() => withHealthCheck(fakeUpstream('backend:http'), { check: 'tcp' }), /no valid port/);
});
