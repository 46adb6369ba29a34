/**
 * Streaming calls through both upstream clients, from one case table: the lean HTTP/2 client
 * and the grpc-js one carry server-streaming, client-streaming and bidi calls against a real
 * grpc-js server over real sockets, and end them the same way (same code, reason, ErrorInfo).
 * Liveness waits are generous bounds (waitFor), never timing assertions.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Code, GatewayError } from '../../src/core/gateway-error.js';
import { createGrpcUpstream } from '../../src/upstream/grpc-upstream.js';
import { createHttp2Upstream } from '../../src/upstream/http2-upstream.js';
import type { StreamRequest, Upstream, UpstreamStream } from '../../src/upstream/upstream.js';
import { useSuite } from '../support/use-suite.js';
import { waitFor } from '../support/wait-for.js';
import { listMessage, startStreamServer, STREAMS, type FailSpec, type ListRequest, type StreamServer } from './stream-server.js';

const path = (m: string) => `/${STREAMS}/${m}`;
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function open(up: Upstream, method: string, extra: Partial<StreamRequest> = {}): UpstreamStream {
  return up.stream!({ path: path(method), metadata: {}, deadlineMs: 0, ...extra });
}

/** A server-streaming call: one request message, then END_STREAM. */
function serverStream(up: Upstream, method: string, request: unknown, extra: Partial<StreamRequest> = {}): UpstreamStream {
  const call = open(up, method, extra);
  void call.write(json(request)).catch(() => {});
  call.end();
  return call;
}

/** Every message, and the error the iteration ended with (undefined for OK). */
async function drain(call: AsyncIterable<Uint8Array>): Promise<{ messages: Buffer[]; error: GatewayError | undefined }> {
  const messages: Buffer[] = [];
  try {
    for await (const m of call) messages.push(Buffer.from(m));
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    return { messages, error: err };
  }
  return { messages, error: undefined };
}

async function rejection(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    return err;
  }
  assert.fail('the promise resolved');
}

const shape = (e: GatewayError | undefined) => e && { code: e.code, message: e.message, reason: e.reason, domain: e.domain, metadata: e.metadata };

/** Whether `p` is still pending after `ms` (a liveness check: it only bounds a wait). */
async function pendingAfter(p: Promise<unknown>, ms: number): Promise<boolean> {
  const marker = Symbol('pending');
  const outcome = await Promise.race([p.then(() => 'settled', () => 'settled'), sleep(ms).then(() => marker)]);
  return outcome === marker;
}

const clients: [string, (target: string) => Upstream][] = [
  ['http2', (target) => createHttp2Upstream(target)],
  ['grpc-js', (target) => createGrpcUpstream(target)],
];

for (const [name, make] of clients) {
  describe(`streaming calls through the ${name} client`, () => {
    const suite = useSuite(async (scope) => {
      const server = await startStreamServer();
      scope.onClose(() => server.kill());
      const up = make(server.address);
      scope.onClose(() => up.close());
      return { server, up };
    });

    test('server streaming: one message, headers, trailers, metadata sent', async () => {
      const call = serverStream(suite.up, 'List', { count: 1, size: 10 } satisfies ListRequest, { metadata: { 'x-request-id': 'r-1' } });
      const headers = await call.headers;
      assert.equal(headers['content-type'], 'application/grpc+proto');
      const { messages, error } = await drain(call);
      assert.equal(error, undefined);
      assert.deepEqual(messages, [listMessage(0, 10)]);
      assert.equal(typeof (await call.trailers), 'object');
      assert.equal(suite.server.metadata.List['x-request-id'], 'r-1');
    });

    test('server streaming: 1000 messages, in order', async () => {
      const { messages, error } = await drain(serverStream(suite.up, 'List', { count: 1000, size: 100 } satisfies ListRequest));
      assert.equal(error, undefined);
      assert.equal(messages.length, 1000);
      messages.forEach((m, i) => assert.ok(m.equals(listMessage(i, 100)), `message ${i}`));
    });

    test('server streaming: messages larger than a frame and than the buffer arrive whole', async () => {
      const size = 1024 * 1024 + 7;
      const { messages, error } = await drain(serverStream(suite.up, 'List', { count: 5, size } satisfies ListRequest));
      assert.equal(error, undefined);
      assert.equal(messages.length, 5);
      messages.forEach((m, i) => assert.ok(m.equals(listMessage(i, size)), `message ${i}`));
    });

    test('server streaming: zero messages ends OK', async () => {
      const { messages, error } = await drain(serverStream(suite.up, 'List', { count: 0, size: 1 } satisfies ListRequest));
      assert.equal(error, undefined);
      assert.equal(messages.length, 0);
    });

    test('client streaming: many writes, one reply', async () => {
      const call = open(suite.up, 'Collect', { metadata: { 'x-tenant': 'acme' } });
      for (let i = 0; i < 100; i++) await call.write(Buffer.alloc(1024, i));
      call.end();
      const { messages, error } = await drain(call);
      assert.equal(error, undefined);
      assert.deepEqual(JSON.parse(messages[0].toString()), { count: 100, bytes: 102_400 });
      assert.equal(suite.server.metadata.Collect['x-tenant'], 'acme');
    });

    test('bidi: ping-pong, one message each way at a time', async () => {
      const call = open(suite.up, 'Chat');
      const it = call[Symbol.asyncIterator]();
      for (let i = 0; i < 50; i++) {
        await call.write(Buffer.from(`ping ${i}`));
        const r = await it.next();
        assert.equal(r.done, false);
        assert.equal(Buffer.from(r.value!).toString(), `ping ${i}`);
      }
      call.end();
      assert.deepEqual(await it.next(), { value: undefined, done: true });
    });

    test('a trailers-only error: headers rejects, iteration throws the same error with its ErrorInfo', async () => {
      const spec: FailSpec = { code: Code.NOT_FOUND, message: 'subject not found', reason: 'SUBJECT_NOT_FOUND', metadata: { subject: 'orders' } };
      const call = serverStream(suite.up, 'Fail', spec);
      const early = await rejection(call.headers);
      assert.deepEqual(shape(early), { code: Code.NOT_FOUND, message: 'subject not found', reason: 'SUBJECT_NOT_FOUND', domain: 'test.prism.io', metadata: { subject: 'orders' } });
      const { messages, error } = await drain(call);
      assert.equal(messages.length, 0);
      assert.deepEqual(shape(error), shape(early));
    });

    test('an error after some messages: the messages, then the error with code, reason and ErrorInfo', async () => {
      const fail: FailSpec = { code: Code.FAILED_PRECONDITION, message: 'changes expired', reason: 'CHANGES_EXPIRED', metadata: { oldest: '17' } };
      const call = serverStream(suite.up, 'List', { count: 3, size: 8, fail } satisfies ListRequest);
      await call.headers;
      const { messages, error } = await drain(call);
      assert.equal(messages.length, 3);
      assert.deepEqual(shape(error), { code: Code.FAILED_PRECONDITION, message: 'changes expired', reason: 'CHANGES_EXPIRED', domain: 'test.prism.io', metadata: { oldest: '17' } });
    });

    test('the deadline ends a call that sends nothing, and the server sees it cancelled', async () => {
      const before = suite.server.hang.cancelledAt.length;
      const call = open(suite.up, 'Hang', { deadlineMs: 200 });
      const { error } = await drain(call);
      assert.equal(error?.code, Code.DEADLINE_EXCEEDED);
      await waitFor(() => suite.server.hang.cancelledAt.length > before, { timeoutMs: 2000, what: 'the server to see the call end' });
    });

    const cancellations: [string, (call: UpstreamStream, abort: AbortController) => Promise<unknown>][] = [
      ['cancel()', async (call) => call.cancel()],
      ['the signal', async (_call, abort) => abort.abort()],
      ['leaving a for-await early', async (call) => {
        for await (const _ of call) break;
      }],
    ];
    for (const [how, stop] of cancellations) {
      test(`cancellation by ${how}: CANCELLED here, and the server sees it within 10x the expected time`, async () => {
        const before = suite.server.hang.cancelledAt.length;
        const abort = new AbortController();
        const call = open(suite.up, 'Hang', { signal: abort.signal });
        await call.headers;
        await waitFor(() => suite.server.hang.open > 0);
        if (how === 'leaving a for-await early') await call.write(Buffer.from('x'));
        const stoppedAt = performance.now();
        const stopping = stop(call, abort);
        if (how !== 'leaving a for-await early') {
          const { error } = await drain(call);
          assert.equal(error?.code, Code.CANCELLED);
          assert.equal(error?.message, 'call cancelled');
        }
        await stopping;
        // A cancellation crosses loopback in about a millisecond; 10x a generous 100 ms.
        await waitFor(() => suite.server.hang.cancelledAt.length > before, { timeoutMs: 1000, what: 'the server to see the cancellation' });
        assert.ok(suite.server.hang.cancelledAt.at(-1)! >= stoppedAt);
        call.cancel();
      });
    }

    test('a message larger than maxMessageBytes: RESOURCE_EXHAUSTED, and the stream is cancelled', async () => {
      const before = suite.server.listCancelled.count;
      const call = serverStream(suite.up, 'List', { count: 10, size: 2000, intervalMs: 20 } satisfies ListRequest, { limits: { maxMessageBytes: 1000 } });
      const { messages, error } = await drain(call);
      assert.equal(messages.length, 0);
      assert.equal(error?.code, Code.RESOURCE_EXHAUSTED);
      await waitFor(() => suite.server.listCancelled.count > before, { timeoutMs: 2000, what: 'the server to see the stream cancelled' });
    });

    test('the idle timeout ends a silent stream with DEADLINE_EXCEEDED (STREAM_IDLE_TIMEOUT)', async () => {
      const { error } = await drain(open(suite.up, 'Hang', { limits: { idleTimeoutMs: 100 } }));
      assert.equal(error?.code, Code.DEADLINE_EXCEEDED);
      assert.equal(error?.reason, 'STREAM_IDLE_TIMEOUT');
    });

    test('the idle timeout leaves a stream alone while messages flow', async () => {
      const { messages, error } = await drain(serverStream(suite.up, 'List', { count: 10, size: 4, intervalMs: 30 } satisfies ListRequest, { limits: { idleTimeoutMs: 300 } }));
      assert.equal(error, undefined);
      assert.equal(messages.length, 10);
    });

    test('the maximum duration ends a stream that is still sending (STREAM_MAX_DURATION)', async () => {
      const before = suite.server.listCancelled.count;
      const { messages, error } = await drain(serverStream(suite.up, 'List', { count: 1000, size: 4, intervalMs: 20 } satisfies ListRequest, { limits: { maxDurationMs: 200 } }));
      assert.ok(messages.length > 0 && messages.length < 1000);
      assert.equal(error?.code, Code.DEADLINE_EXCEEDED);
      assert.equal(error?.reason, 'STREAM_MAX_DURATION');
      await waitFor(() => suite.server.listCancelled.count > before, { timeoutMs: 2000, what: 'the server to see the stream cancelled' });
    });

    test('limits out of range fail the call, not the caller', async () => {
      const call = open(suite.up, 'Chat', { limits: { maxBufferedBytes: -1 } });
      const error = await rejection(call.headers);
      assert.equal(error.code, Code.INVALID_ARGUMENT);
      assert.match(error.message, /maxBufferedBytes/);
    });

    // grpc-js' forceShutdown resets its streams (CANCEL) as it closes the connection: a client
    // may hear either first (upstream-stream-wire.test.ts takes each on its own).
    test('the backend going away mid-stream: UNAVAILABLE or CANCELLED', async () => {
      const server = await startStreamServer();
      const up = make(server.address);
      try {
        const call = open(up, 'Hang');
        await call.headers;
        server.kill();
        const { error } = await drain(call);
        assert.ok(error?.code === Code.UNAVAILABLE || error?.code === Code.CANCELLED, `code ${error?.code}`);
      } finally {
        up.close();
      }
    });

    test('backpressure: a consumer reading one message per 50 ms blocks a flooding server', async () => {
      const server = await startStreamServer();
      const up = make(server.address);
      const size = 16 * 1024;
      const maxBufferedBytes = 256 * 1024;
      try {
        const call = serverStream(up, 'Flood', { size, total: 2000 }, { limits: { maxBufferedBytes } });
        const it = call[Symbol.asyncIterator]();
        let most = 0;
        for (let i = 0; i < 12; i++) {
          const r = await it.next();
          assert.equal(r.done, false);
          assert.ok(Buffer.from(r.value!).equals(listMessage(i, size)), `message ${i}`);
          await sleep(50);
          most = Math.max(most, call.bufferedBytes);
        }
        // The server could not write on: its write() said false and it waits for 'drain'.
        assert.ok(server.flood.refused > 0, 'the server never saw write() return false');
        assert.equal(server.flood.finished, false);
        // What it wrote is what the windows allowed: far less than the 2000 messages (32 MiB).
        assert.ok(server.flood.written < 200, `the server wrote ${server.flood.written} messages`);
        if (name === 'http2') assert.ok(most <= maxBufferedBytes + size + 5, `${most} bytes buffered here`);
        call.cancel();
      } finally {
        up.close();
        server.kill();
      }
    });

    test('backpressure: a server that does not read keeps write() pending until it reads', async () => {
      const server = await startStreamServer();
      const up = make(server.address);
      try {
        const call = open(up, 'SlowRead');
        const chunk = Buffer.alloc(64 * 1024, 1);
        let written = 0;
        let blocked: Promise<void> | undefined;
        // The backend's windows (64 KiB by default) fill within a few messages.
        for (let i = 0; i < 200 && !blocked; i++) {
          const w = call.write(chunk);
          if (await pendingAfter(w, 200)) blocked = w;
          else written++;
        }
        assert.ok(blocked, 'every write resolved although the server reads nothing');
        assert.ok(written < 200);
        server.releaseSlowRead();
        await blocked;
        call.end();
        const { messages, error } = await drain(call);
        assert.equal(error, undefined);
        assert.deepEqual(JSON.parse(messages[0].toString()), { count: written + 1, bytes: (written + 1) * chunk.length });
      } finally {
        up.close();
        server.kill();
      }
    });
  });
}
