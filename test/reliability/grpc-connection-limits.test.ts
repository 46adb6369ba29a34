/**
 * The gRPC passthrough listener has the connection limits of the HTTP listeners (slow-clients
 * tests): raw sockets that never speak HTTP/2 meet a small per-address or per-listener limit;
 * the connections over it are closed at once and counted in
 * prism_connections_refused_total{listener="grpc"}, and a grpc-js client still completes a call
 * (from another address, or once the flood is gone). grpc-js cannot bind a client's local
 * address, so the flood comes from 127.0.0.2 and the client from 127.0.0.1. Bounds are liveness
 * bounds, never latency assertions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { startFixtureServer } from '../support/fixture-server.js';
import { useSuite } from '../support/use-suite.js';
import { FIXTURE_PROTO, probeBehind, refusals, startFromConfig, tempDir, until } from './support.js';

const ECHO = '/prism.test.v1.EverythingService/Echo';
const raw = (b: Buffer) => b;

interface Held {
  readonly socket: Socket;
}

/** A TCP connection that sends nothing, from `localAddress`. */
function hold(address: string, localAddress: string): Held {
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  socket.on('error', () => {});
  return { socket };
}

/** One unary Echo through the passthrough on a channel of its own; resolves with the status code. */
function echo(address: string): Promise<grpc.status> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise<grpc.status>((done) =>
    client.makeUnaryRequest(ECHO, raw, raw, Buffer.alloc(0), { deadline: Date.now() + 5_000 }, (err) => done(err ? err.code : grpc.status.OK)),
  ).finally(() => client.close());
}

const suite = useSuite(async (scope) => ({ dir: scope.own(tempDir('grpc-connection-limits')), fixture: scope.own(await startFixtureServer()) }));

const start = (grpcListener: Record<string, unknown>) =>
  startFromConfig(suite.dir.path, { grpc: grpcListener, namespaces: [{ name: 'default', pattern: { target: suite.fixture.address, protos: [FIXTURE_PROTO] }, frontends: [] }] });

test('60 idle sockets from one address: all but the per-address limit are closed at once, counted, and a client from another address completes a call', { timeout: 60_000 }, async () => {
  const gateway = await start({ maxConnectionsPerAddress: 10, maxConnections: 1000 });
  const address = gateway.grpcAddress!;
  const flood = Array.from({ length: 60 }, () => hold(address, '127.0.0.2'));
  try {
    await until(async () => (await refusals(gateway, 'grpc', 'max_connections_per_address')) >= 50, 20_000, '50 refusals counted');
    // Liveness: the refused ones are closed by the gateway, not left to time out.
    await until(() => flood.filter((h) => h.socket.destroyed).length >= 50, 10_000, '50 sockets closed by the gateway');
    await probeBehind(
      flood.map((h) => h.socket),
      Number(address.slice(address.lastIndexOf(':') + 1)),
      '127.0.0.2',
    );
    assert.equal(await refusals(gateway, 'grpc', 'max_connections_per_address'), 51, 'exactly the connections over the limit, and the probe behind them');
    assert.equal(flood.filter((h) => !h.socket.destroyed && h.socket.readyState === 'open').length, 10, 'the first 10 are held');
    for (let i = 0; i < 3; i++) assert.equal(await echo(address), grpc.status.OK);
  } finally {
    for (const h of flood) h.socket.destroy();
    await gateway.close();
  }
});

test('the per-listener limit refuses everyone past it, and frees up when the flood goes', { timeout: 60_000 }, async () => {
  const gateway = await start({ maxConnections: 20 });
  const address = gateway.grpcAddress!;
  const flood = Array.from({ length: 40 }, (_, i) => hold(address, `127.0.0.${10 + (i % 10)}`));
  try {
    await until(async () => (await refusals(gateway, 'grpc', 'max_connections')) >= 20, 20_000, '20 refusals counted');
    assert.equal(await echo(address), grpc.status.UNAVAILABLE, 'a new connection is refused while 20 are held');
  } finally {
    for (const h of flood) h.socket.destroy();
  }
  try {
    await until(async () => (await echo(address)) === grpc.status.OK, 15_000, 'served again once the flood is gone');
  } finally {
    await gateway.close();
  }
});
