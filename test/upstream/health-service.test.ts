/**
 * The shared grpc.health.v1 service (src/grpc/health-service.ts), served by a real grpc-js
 * server on a loopback socket and asked by a grpc-js client and by the gateway's own health
 * probe: Check per service, NOT_FOUND for a name never set, Watch streaming each change once,
 * and shutdown ending the watchers' streams so a graceful server shutdown completes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { createHealthService, HEALTH_SERVICE_NAME, healthProtoFile, type HealthService } from '../../src/grpc/health-service.js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { createServiceDefinition } from '../../src/grpc/service-definition.js';
import { createGrpcUpstream } from '../../src/upstream/grpc-upstream.js';
import { withHealthCheck } from '../../src/upstream/health-check.js';

const PATTERN = 'prism.patterns.example.v1.Example';

interface HealthClient extends grpc.Client {
  Check(request: { service: string }, callback: (err: grpc.ServiceError | null, reply: { status: string }) => void): void;
  Watch(request: { service: string }): grpc.ClientReadableStream<{ status: string }>;
}
const HealthClient = grpc.makeGenericClientConstructor(createServiceDefinition(loadProtoRoot([healthProtoFile]).lookupService(HEALTH_SERVICE_NAME)), 'Health') as unknown as new (
  address: string,
  credentials: grpc.ChannelCredentials,
) => HealthClient;

/** A server with its own health service, and a client of it. */
async function serve(initial: Record<string, 'SERVING' | 'NOT_SERVING'>): Promise<{ server: grpc.Server; health: HealthService; client: HealthClient; address: string }> {
  const health = createHealthService(initial);
  const server = new grpc.Server();
  server.addService(health.definition, health.implementation);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  const address = `127.0.0.1:${port}`;
  return { server, health, client: new HealthClient(address, grpc.credentials.createInsecure()), address };
}

const check = (client: HealthClient, service: string) =>
  new Promise<string>((resolve, reject) => client.Check({ service }, (err, reply) => (err ? reject(err) : resolve(reply.status))));

/** Collects a Watch stream's statuses; `next(n)` waits until n have arrived, `ended` until it ends. */
function watch(client: HealthClient, service: string) {
  const stream = client.Watch({ service });
  const statuses: string[] = [];
  let wake = () => {};
  stream.on('data', (m: { status: string }) => {
    statuses.push(m.status);
    wake();
  });
  const ended = new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('error', () => resolve());
  });
  return {
    stream,
    statuses,
    ended,
    next: (n: number) =>
      new Promise<string[]>((resolve) => {
        wake = () => statuses.length >= n && resolve(statuses.slice());
        wake();
      }),
  };
}

let s: Awaited<ReturnType<typeof serve>>;
before(async () => {
  s = await serve({ '': 'SERVING', [PATTERN]: 'SERVING' });
});
after(() => {
  s.client.close();
  s.server.forceShutdown();
});

test('Check answers "" and the pattern service; a name never set is NOT_FOUND', async () => {
  assert.equal(await check(s.client, ''), 'SERVING');
  assert.equal(await check(s.client, PATTERN), 'SERVING');
  await assert.rejects(check(s.client, 'no.Such'), (err: grpc.ServiceError) => {
    assert.equal(err.code, grpc.status.NOT_FOUND);
    assert.equal(err.details, 'unknown service no.Such');
    return true;
  });
});

test('Check follows set(), and the gateway probe reads the same answers', async () => {
  const upstream = createGrpcUpstream(s.address);
  const perService = withHealthCheck(upstream, { service: PATTERN });
  try {
    assert.equal(await upstream.healthy(), true);
    assert.equal(await perService.healthy(), true);
    s.health.set(PATTERN, 'NOT_SERVING');
    assert.equal(await check(s.client, PATTERN), 'NOT_SERVING');
    assert.equal(s.health.status(PATTERN), 'NOT_SERVING');
    assert.equal(await perService.healthy(), false);
    assert.equal(await upstream.healthy(), true, 'the whole server is still SERVING');
    assert.equal(await withHealthCheck(upstream, { service: 'no.Such' }).healthy(), false);
  } finally {
    s.health.set(PATTERN, 'SERVING');
    upstream.close();
  }
});

test('Watch sends the status, then each change once; a name never set is SERVICE_UNKNOWN until set', async () => {
  const w = watch(s.client, PATTERN);
  const unknown = watch(s.client, 'later.Service');
  assert.deepEqual(await w.next(1), ['SERVING']);
  assert.deepEqual(await unknown.next(1), ['SERVICE_UNKNOWN']);
  s.health.set(PATTERN, 'NOT_SERVING');
  assert.deepEqual(await w.next(2), ['SERVING', 'NOT_SERVING']);
  s.health.set(PATTERN, 'NOT_SERVING'); // no change: nothing sent
  s.health.set('', 'NOT_SERVING'); // another service: nothing sent on this stream
  s.health.set(PATTERN, 'SERVING');
  assert.deepEqual(await w.next(3), ['SERVING', 'NOT_SERVING', 'SERVING']);
  s.health.set('later.Service', 'SERVING');
  assert.deepEqual(await unknown.next(2), ['SERVICE_UNKNOWN', 'SERVING']);
  assert.equal(await check(s.client, 'later.Service'), 'SERVING');
  s.health.set('', 'SERVING');
  w.stream.cancel();
  unknown.stream.cancel();
  await Promise.all([w.ended, unknown.ended]);
  assert.deepEqual(w.statuses, ['SERVING', 'NOT_SERVING', 'SERVING']);
});

// The timeout is a liveness bound: a watcher left open would hold tryShutdown forever.
test('shutdown: every service NOT_SERVING for good, watchers told and their streams ended, the server drains', { timeout: 30_000 }, async () => {
  const t = await serve({ '': 'SERVING', [PATTERN]: 'SERVING' });
  try {
    const whole = watch(t.client, '');
    const pattern = watch(t.client, PATTERN);
    await Promise.all([whole.next(1), pattern.next(1)]);
    t.health.shutdown();
    await Promise.all([whole.ended, pattern.ended]);
    assert.deepEqual(whole.statuses, ['SERVING', 'NOT_SERVING']);
    assert.deepEqual(pattern.statuses, ['SERVING', 'NOT_SERVING']);
    t.health.set(PATTERN, 'SERVING');
    assert.equal(await check(t.client, PATTERN), 'NOT_SERVING');
    const late = watch(t.client, '');
    await late.ended;
    assert.deepEqual(late.statuses, ['NOT_SERVING']);
    // No watcher holds the server open: a graceful shutdown completes on its own.
    await new Promise<void>((resolve) => t.server.tryShutdown(() => resolve()));
  } finally {
    t.client.close();
    t.server.forceShutdown();
  }
});
