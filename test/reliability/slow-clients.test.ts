/**
 * Slow clients (issue 13, item 10): 20,000 sockets each sending one body byte every 5 s filled
 * the process's descriptors and locked everyone out. Here a few hundred trickling sockets meet
 * small configured limits: connections over the per-address or per-listener limit are closed at
 * once and counted, a client from another address is still served, and a request that trickles
 * its body (or its headers) is answered 408 and closed once its read timeout passes. Bounds are
 * liveness bounds (10x the configured times), never latency assertions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { EventEmitter } from 'node:events';
import { DEFAULT_CONNECTION_LIMITS, guardConnections } from '../../src/routing/connection-guard.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { useSuite } from '../support/use-suite.js';
import type { RunningGateway } from '../../src/start-gateway.js';
import { FIXTURE_PROTO, probeBehind, refusals, startFromConfig, tempDir, until } from './support.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FRONTEND = `name: echo
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
    - { id: echo, method: GET, path: /echo, grpc: Echo, params: [{ const: "hi", to: f_string }] }
`;

interface Trickler {
  readonly socket: Socket;
  /** Resolves when the socket closes, with what the server sent before. */
  readonly closed: Promise<{ received: string; atMs: number }>;
  stop(): void;
}

/**
 * A client that sends a POST's head (or only part of it, with `headersOnly`) and then one byte
 * every `everyMs`, never finishing; from `localAddress` when given.
 */
function trickle(port: number, options: { localAddress?: string; everyMs?: number; headersOnly?: boolean } = {}): Trickler {
  const started = Date.now();
  const socket = connect({ host: '127.0.0.1', port, localAddress: options.localAddress });
  let received = '';
  let timer: NodeJS.Timeout | undefined;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => {});
  socket.on('connect', () => {
    socket.write(options.headersOnly ? 'POST /echo HTTP/1.1\r\nhost: slow\r\n' : 'POST /echo HTTP/1.1\r\nhost: slow\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n');
    timer = setInterval(() => socket.writable && socket.write(options.headersOnly ? 'x' : ' '), options.everyMs ?? 200);
  });
  const closed = new Promise<{ received: string; atMs: number }>((done) =>
    socket.on('close', () => {
      clearInterval(timer);
      done({ received, atMs: Date.now() - started });
    }),
  );
  return { socket, closed, stop: () => socket.destroy() };
}

/** GET /echo on a connection of its own, from `localAddress`. */
function echo(port: number, localAddress: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/echo', localAddress, agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode!));
    });
    req.on('timeout', () => req.destroy(new Error('GET /echo timed out')));
    req.on('error', fail);
    req.end();
  });
}

const suite = useSuite(async (scope) => {
  const dir = scope.own(tempDir('slow-clients'));
  writeFileSync(join(dir.path, 'echo.yaml'), FRONTEND);
  return { dir, fixture: scope.own(await startFixtureServer()) };
});

const start = (http: Record<string, unknown>) =>
  startFromConfig(suite.dir.path, { http, namespaces: [{ name: 'default', pattern: { target: suite.fixture.address, protos: [FIXTURE_PROTO] }, frontends: [{ file: 'echo.yaml' }] }] });
const portOf = (gateway: RunningGateway) => Number(new URL(gateway.url).port);

test('300 trickling sockets from one address: all but the per-address limit are closed at once, counted, and another address is still served', { timeout: 60_000 }, async () => {
  const gateway = await start({ maxConnectionsPerAddress: 50, maxConnections: 1000 });
  const port = portOf(gateway);
  const attackers = Array.from({ length: 300 }, () => trickle(port));
  try {
    await until(async () => (await refusals(gateway, 'public', 'max_connections_per_address')) >= 250, 20_000, '250 refusals counted');
    await probeBehind(
      attackers.map((a) => a.socket),
      port,
      '127.0.0.1',
    );
    assert.equal(await refusals(gateway, 'public', 'max_connections_per_address'), 251, 'exactly the connections over the limit, and the probe behind them');
    const open = attackers.filter((a) => !a.socket.destroyed && a.socket.readyState === 'open').length;
    assert.equal(open, 50, 'the first 50 are held (still trickling)');
    // A client from another loopback address is served while the flood holds its 50.
    for (let i = 0; i < 5; i++) assert.equal(await echo(port, '127.0.0.2'), 200);
  } finally {
    for (const a of attackers) a.stop();
    await gateway.close();
  }
});

test('the per-listener limit refuses everyone past it, and frees up when the flood goes', { timeout: 60_000 }, async () => {
  const gateway = await start({ maxConnections: 100 });
  const port = portOf(gateway);
  const attackers = Array.from({ length: 200 }, (_, i) => trickle(port, { localAddress: `127.0.0.${10 + (i % 50)}` }));
  try {
    await until(async () => (await refusals(gateway, 'public', 'max_connections')) >= 100, 20_000, '100 refusals counted');
    await assert.rejects(echo(port, '127.0.0.2'), 'a new connection is refused while 100 are held');
  } finally {
    for (const a of attackers) a.stop();
  }
  try {
    await until(async () => (await echo(port, '127.0.0.2').catch(() => 0)) === 200, 10_000, 'served again once the flood is gone');
  } finally {
    await gateway.close();
  }
});

test('a request that trickles its body is answered 408 and closed after requestTimeoutMs; one that trickles its headers after headersTimeoutMs', { timeout: 60_000 }, async () => {
  const gateway = await start({ requestTimeoutMs: 1000, headersTimeoutMs: 500 });
  const port = portOf(gateway);
  const body = trickle(port, { everyMs: 100 });
  const head = trickle(port, { everyMs: 100, headersOnly: true });
  try {
    const [b, h] = await Promise.all([body.closed, head.closed]);
    // Liveness: closed within 10x the timeouts although a byte arrives every 100 ms.
    assert.ok(b.atMs < 10_000, `body trickler closed after ${b.atMs} ms`);
    assert.ok(h.atMs < 5_000, `header trickler closed after ${h.atMs} ms`);
    assert.match(b.received, /^HTTP\/1\.1 408 /);
    assert.match(h.received, /^HTTP\/1\.1 408 /);
    assert.equal(await refusals(gateway, 'public', 'request_timeout'), 2);
    // An ordinary request is unaffected.
    assert.equal(await echo(port, '127.0.0.1'), 200);
  } finally {
    body.stop();
    head.stop();
    await gateway.close();
  }
});

test('header timeout may not exceed the request timeout (refused at start, as node would)', async () => {
  await assert.rejects(start({ headersTimeoutMs: 5000, requestTimeoutMs: 1000 }), /http\.headersTimeoutMs \(5000\) must not exceed http\.requestTimeoutMs \(1000\)/);
});

/** A socket as the guard sees it: an address, destroy(), and 'close' once destroyed. */
function fakeSocket(remoteAddress: string): Socket {
  const socket = new EventEmitter() as EventEmitter & { remoteAddress: string; destroyed: boolean; destroy(): void };
  socket.remoteAddress = remoteAddress;
  socket.destroyed = false;
  socket.destroy = () => {
    if (socket.destroyed) return;
    socket.destroyed = true;
    socket.emit('close');
  };
  return socket as unknown as Socket;
}

test('the per-address limit counts one client however its address is written: IPv4-mapped IPv6 as IPv4, IPv6 by its /64', () => {
  // In-process: a bare server the guard is installed on, and connections emitted by hand.
  const server = Object.assign(new EventEmitter(), { setTimeout() {} }) as unknown as Server;
  const refused: string[] = [];
  const guard = guardConnections(server, { ...DEFAULT_CONNECTION_LIMITS, maxConnectionsPerAddress: 2 }, (reason) => refused.push(reason));
  const connect = (address: string) => {
    const socket = fakeSocket(address);
    server.emit('connection', socket);
    return socket;
  };
  for (const [first, second, third] of [
    ['192.0.2.7', '::ffff:192.0.2.7', '192.0.2.7'],
    ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:aaaa:bbbb:cccc:dddd'],
  ]) {
    const held = [connect(first), connect(second)];
    assert.deepEqual(held.map((s) => s.destroyed), [false, false], first);
    assert.equal(connect(third).destroyed, true, `${third} is the same client as ${first}`);
    assert.equal(guard.open(second), 2);
    for (const s of held) s.destroy();
    assert.equal(guard.open(first), 0);
  }
  assert.deepEqual(refused, ['max_connections_per_address', 'max_connections_per_address']);
  // Another /64 is another client.
  const other = [connect('2001:db8:1:2::1'), connect('2001:db8:1:3::1'), connect('2001:db8:1:3::2')];
  assert.deepEqual(other.map((s) => s.destroyed), [false, false, false]);
});

test('a refused connection is closed without node\'s own connection listener ever seeing it', { timeout: 30_000 }, async () => {
  // node's HTTP server adds its connection listener (the parser; for HTTPS, the TLS socket) when
  // it is created, before the guard is installed; a listener added at the same point stands in for it.
  const server = createHttpServer((_req, res) => res.end('ok'));
  const seen: boolean[] = [];
  server.on('connection', (socket: Socket) => seen.push(socket.destroyed));
  let refused = 0;
  guardConnections(server, { ...DEFAULT_CONNECTION_LIMITS, maxConnectionsPerAddress: 1 }, () => refused++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const sockets = [connect({ host: '127.0.0.1', port }), connect({ host: '127.0.0.1', port })];
  for (const s of sockets) s.on('error', () => {});
  try {
    await until(async () => seen.length + refused === 2, 10_000, 'both connections accepted');
    assert.equal(refused, 1);
    assert.deepEqual(seen, [false], 'only the admitted connection reaches the server\'s own listener');
    // The admitted connection is served as usual.
    sockets[0].write('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    let answer = '';
    sockets[0].on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    await until(async () => /^HTTP\/1\.1 200 [\s\S]*\r\n\r\n[\s\S]*ok/.test(answer), 10_000, 'the admitted connection answered');
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  }
});
