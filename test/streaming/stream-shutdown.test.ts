/**
 * Streams that must end although nobody reads them, and a listener that must close although
 * streams and sessions are open:
 * - an SSE/NDJSON write blocked on a reader that stopped reading ends when the call ends (the
 *   route's maximum duration; the shutdown), instead of waiting for 'drain' forever, so its
 *   stream slot comes back and the close is not held;
 * - a stream that registers after the shutdown began is ended at once;
 * - app.close() with a WebSocket session, an aborted SSE stream, a stalled reader and a
 *   connection that never sent a request finishes promptly (bounded generously: 10 s for what
 *   takes milliseconds; before, it waited for the keep-alive/headers timeout, about 70 s).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import WebSocket from 'ws';
import { createOpenStreams } from '../../src/core/open-streams.js';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { createHttpServer } from '../../src/routing/fastify-adapter.js';
import { createTableHolder } from '../../src/routing/table-holder.js';
import { createGrpcUpstream } from '../../src/upstream/grpc-upstream.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { useSuite } from '../support/use-suite.js';
import { waitFor } from '../support/wait-for.js';

const DEFINITION = `name: stalls
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
    - id: items
      method: GET
      path: /items
      grpc: Stream
      params: [{ from: query.count, to: f_int32 }, { from: query.hang, to: f_bool }, { from: query.pad, to: f_string }]
      response: { body: { object: { n: { from: response.f_int32 }, pad: { from: response.f_string } } } }
      stream: { produces: [application/x-ndjson, text/event-stream], sse: { heartbeatMs: 0 } }
    - id: bounded
      method: GET
      path: /bounded
      grpc: Stream
      params: [{ from: query.count, to: f_int32 }, { from: query.pad, to: f_string }]
      response: { body: { object: { n: { from: response.f_int32 }, pad: { from: response.f_string } } } }
      stream: { produces: [application/x-ndjson], maxDurationMs: 3000 }
    - id: socket
      method: GET
      path: /socket
      grpc: Stream
      params: [{ from: query.hang, to: f_bool }]
      stream: { websocket: true }
`;

/** Each message carries this much, so a stalled reader's socket fills after a few hundred. */
const PAD = 'x'.repeat(12_000);
/** More messages than any socket buffer holds: the stream can only end by its call ending. */
const MANY = 1_000_000;

const CLOSE_BOUND_MS = 10_000;

const suite = useSuite(async (scope) => {
  const fixture = await startFixtureServer();
  scope.onClose(() => fixture.close());
  const upstream = createGrpcUpstream(fixture.address);
  scope.onClose(() => upstream.close());
  const table = compileRouteTable(parseDefinitions(DEFINITION, 'stalls.yaml', process.cwd()).map((l) => ({ loaded: l, upstream })));
  /** A fresh gateway app per test (closing it is what some tests test). */
  const start = async (maxStreams?: number) => {
    const app = createHttpServer({ tables: createTableHolder(table), websocket: { pingIntervalMs: 0 }, ...(maxStreams ? { maxStreams } : {}) });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    return { app, base, port: Number(new URL(base).port) };
  };
  return { fixture, start };
});

/**
 * Sends a stream request on a raw socket and then stops reading once the response has begun:
 * the gateway's writes back up into its socket buffer and block. Resolves once the backend has
 * stopped writing (its flow-control window is exhausted behind the stalled socket).
 */
async function stalledReader(port: number, path: string): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/x-ndjson\r\n\r\n`);
  await new Promise<void>((resolve) => socket.once('data', () => resolve()));
  socket.pause();
  socket.on('error', () => {});
  return socket;
}

/** Waits until `count()` has not grown for a while: the writer is blocked. */
async function stopsGrowing(count: () => number, what: string): Promise<void> {
  let last = -1;
  let since = Date.now();
  await waitFor(() => {
    const now = count();
    if (now !== last) {
      last = now;
      since = Date.now();
      return false;
    }
    return Date.now() - since >= 300;
  }, { what, timeoutMs: 20_000 });
}

/** app.close(), failing when it takes longer than the bound. */
async function closesWithin(close: () => Promise<unknown>, boundMs: number): Promise<number> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`close took longer than ${boundMs} ms`)), boundMs);
  });
  try {
    await Promise.race([close(), late]);
  } finally {
    clearTimeout(timer);
  }
  return performance.now() - started;
}

describe('a write blocked on a reader that stopped reading', () => {
  test('ends when the call reaches its maximum duration: the stream slot comes back', { timeout: 30_000 }, async () => {
    const { app, base, port } = await suite.start(1);
    try {
      const written = suite.fixture.streamWritten;
      const stalled = await stalledReader(port, `/bounded?count=${MANY}&pad=${PAD}`);
      await stopsGrowing(() => suite.fixture.streamWritten, 'the backend to block behind the stalled reader');
      assert.ok(suite.fixture.streamWritten - written < MANY, 'the backend is held back, not drained');
      // The only slot frees once the 3 s limit ends the blocked stream, though its reader
      // still reads nothing.
      const text = await waitFor(async () => {
        const res = await fetch(`${base}/items?count=1`, { headers: { accept: 'application/x-ndjson' } });
        return res.status === 200 ? res.text() : (await res.arrayBuffer(), undefined);
      }, { what: 'the slot held by the stalled stream', timeoutMs: 10_000 });
      assert.equal(text, '{"n":1,"pad":""}\n');
      stalled.destroy();
    } finally {
      await app.close();
    }
  });

  test('ends at shutdown: app.close() does not wait for the reader', { timeout: 30_000 }, async () => {
    const { app, port } = await suite.start();
    const stalled = await stalledReader(port, `/items?count=${MANY}&pad=${PAD}`);
    await stopsGrowing(() => suite.fixture.streamWritten, 'the backend to block behind the stalled reader');
    const cancelled = suite.fixture.streamsCancelled;
    await closesWithin(() => app.close(), CLOSE_BOUND_MS);
    await waitFor(() => suite.fixture.streamsCancelled > cancelled, { what: 'the backend to see its stream cancelled' });
    stalled.destroy();
  });
});

describe('closing a listener with streams and sessions open', () => {
  test('a WebSocket session, an aborted SSE stream, a stalled reader and a connection that never sent a request: close finishes promptly', async () => {
    const { app, base, port } = await suite.start();
    const ws = new WebSocket(`${base.replace('http', 'ws')}/socket?hang=true`);
    const wsClosed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const aborted = new AbortController();
    const sse = await fetch(`${base}/items?hang=true`, { headers: { accept: 'text/event-stream' }, signal: aborted.signal });
    assert.equal(sse.status, 200);
    aborted.abort();
    const stalled = await stalledReader(port, `/items?count=${MANY}&pad=${PAD}`);
    // A client that opened a connection ahead of need (undici's pool does) and sent nothing.
    const unused = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => unused.once('connect', resolve));
    unused.on('error', () => {});

    await closesWithin(() => app.close(), CLOSE_BOUND_MS);
    assert.equal(await wsClosed, 1001);
    stalled.destroy();
    unused.destroy();
  });
});

describe('a stream that registers after the shutdown began', () => {
  test('is ended at once, with the shutdown reason; those registered before are ended once', () => {
    const streams = createOpenStreams();
    const early: string[] = [];
    streams.add((reason) => early.push(reason));
    streams.closeAll('shutdown');
    assert.deepEqual(early, ['shutdown']);
    const late: string[] = [];
    const unregister = streams.add((reason) => late.push(reason));
    assert.deepEqual(late, ['shutdown']);
    assert.equal(streams.size, 0);
    unregister();
    streams.closeAll('shutdown');
    assert.deepEqual(early, ['shutdown']);
    assert.deepEqual(late, ['shutdown']);
  });
});
