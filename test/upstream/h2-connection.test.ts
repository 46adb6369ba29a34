/**
 * The HTTP/2 the lean upstream speaks, against node:http2 servers that push it where gRPC
 * servers rarely go: a concurrent-stream limit, tiny flow-control windows, header blocks
 * that need CONTINUATION both ways, padded frames, PINGs, and a GOAWAY while calls queue.
 * Each server answers in gRPC's framing: the request body back, status in trailers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createHttp2Upstream } from '../../src/upstream/http2-upstream.js';

interface EchoServer {
  readonly address: string;
  readonly server: http2.Http2Server;
  /** Most streams open at once, as the server saw them. */
  maxOpen: number;
  /** Request headers of the last stream. */
  lastHeaders: http2.IncomingHttpHeaders;
  readonly sessions: http2.ServerHttp2Session[];
  close(): Promise<void>;
}

/** Echoes each call's body; `trailers` adds metadata to the trailers; `holdMs` delays the answer. */
async function echoServer(options: http2.ServerOptions, extra: { trailers?: http2.OutgoingHttpHeaders; holdMs?: number } = {}): Promise<EchoServer> {
  const server = http2.createServer(options);
  let open = 0;
  const state = { maxOpen: 0, lastHeaders: {} as http2.IncomingHttpHeaders, sessions: [] as http2.ServerHttp2Session[] };
  server.on('session', (session) => state.sessions.push(session));
  server.on('stream', (stream, headers) => {
    state.lastHeaders = headers;
    open++;
    state.maxOpen = Math.max(state.maxOpen, open);
    stream.on('close', () => open--);
    stream.on('error', () => {});
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      setTimeout(() => {
        if (stream.destroyed) return;
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', ...extra.trailers }));
        stream.end(Buffer.concat(chunks));
      }, extra.holdMs ?? 0);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return Object.assign(state, {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () =>
      new Promise<void>((done) => {
        for (const s of state.sessions) s.destroy();
        server.close(() => done());
      }),
  });
}

const call = (up: ReturnType<typeof createHttp2Upstream>, body: Buffer, metadata: Record<string, string> = {}) =>
  up.unary({ path: '/test.Echo/Echo', message: body, metadata, deadlineMs: 10_000 });

test('a server limit of 2 concurrent streams: 20 calls queue and all succeed', async () => {
  const server = await echoServer({ settings: { maxConcurrentStreams: 2 } }, { holdMs: 20 });
  const up = createHttp2Upstream(server.address);
  try {
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => call(up, Buffer.from(`call ${i}`))));
    assert.deepEqual(replies.map((r) => r.message.toString()), Array.from({ length: 20 }, (_, i) => `call ${i}`));
    assert.ok(server.maxOpen <= 2, `the server saw ${server.maxOpen} streams at once`);
  } finally {
    up.close();
    await server.close();
  }
});

test('flow control: a 300 KB body through a 100-byte stream window, and back', async () => {
  const server = await echoServer({ settings: { initialWindowSize: 100 } });
  const up = createHttp2Upstream(server.address);
  try {
    const body = Buffer.alloc(300 * 1024, 7);
    for (let i = 0; i < body.length; i += 997) body[i] = i & 0xff;
    const reply = await call(up, body);
    assert.ok(reply.message.equals(body));
  } finally {
    up.close();
    await server.close();
  }
});

test('header blocks over one frame: 40 KB of metadata each way (CONTINUATION)', async () => {
  const big = 'v'.repeat(40 * 1024);
  const server = await echoServer({ maxHeaderListPairs: 128, settings: { maxHeaderListSize: 256 * 1024 } }, { trailers: { 'x-big-trailer': big } });
  const up = createHttp2Upstream(server.address);
  try {
    const reply = await call(up, Buffer.from('hi'), { 'x-big-request': big });
    assert.equal(server.lastHeaders['x-big-request'], big, 'the server got the request metadata whole');
    assert.equal(reply.metadata['x-big-trailer'], big, 'the client got the trailer whole');
  } finally {
    up.close();
    await server.close();
  }
});

test('padded HEADERS and DATA frames are read past their padding', async () => {
  const server = await echoServer({ paddingStrategy: http2.constants.PADDING_STRATEGY_MAX });
  const up = createHttp2Upstream(server.address);
  try {
    for (let i = 0; i < 5; i++) assert.equal((await call(up, Buffer.from(`padded ${i}`))).message.toString(), `padded ${i}`);
  } finally {
    up.close();
    await server.close();
  }
});

test('a PING from the server is answered', async () => {
  const server = await echoServer({});
  const up = createHttp2Upstream(server.address);
  try {
    await call(up, Buffer.from('x'));
    const [session] = server.sessions;
    const acked = await new Promise<boolean>((done) => session.ping((err) => done(!err)));
    assert.equal(acked, true);
    assert.equal((await call(up, Buffer.from('after ping'))).message.toString(), 'after ping');
  } finally {
    up.close();
    await server.close();
  }
});

test('GOAWAY while calls wait for a stream slot: they go out on a new connection', async () => {
  const server = await echoServer({ settings: { maxConcurrentStreams: 1 } }, { holdMs: 50 });
  const up = createHttp2Upstream(server.address);
  try {
    const calls = Array.from({ length: 6 }, (_, i) => call(up, Buffer.from(`q${i}`)));
    // Let the first stream start, then tell the client this connection takes no new streams.
    await new Promise((done) => setTimeout(done, 20));
    server.sessions[0].goaway(http2.constants.NGHTTP2_NO_ERROR, 1);
    const replies = await Promise.all(calls);
    assert.deepEqual(replies.map((r) => r.message.toString()), ['q0', 'q1', 'q2', 'q3', 'q4', 'q5']);
    assert.ok(server.sessions.length >= 2, `${server.sessions.length} connections`);
  } finally {
    up.close();
    await server.close();
  }
});

test('close() with calls waiting for a stream slot: all fail UNAVAILABLE and no new connection opens', async () => {
  const server = await echoServer({ settings: { maxConcurrentStreams: 1 } }, { holdMs: 200 });
  const up = createHttp2Upstream(server.address);
  try {
    await call(up, Buffer.from('warm'));
    const calls = Array.from({ length: 4 }, (_, i) => call(up, Buffer.from(`w${i}`)).then(() => 'ok', (err: { code: number }) => err.code));
    await new Promise((done) => setTimeout(done, 20));
    up.close();
    assert.deepEqual(await Promise.all(calls), [14, 14, 14, 14]);
    await new Promise((done) => setTimeout(done, 50));
    assert.equal(server.sessions.length, 1, 'no connection after close()');
  } finally {
    await server.close();
  }
});

test('a server that lowers SETTINGS_HEADER_TABLE_SIZE to 0 gets the table size update it waits for (RFC 7541 §4.2)', async () => {
  const server = await echoServer({ settings: { headerTableSize: 0 } });
  const up = createHttp2Upstream(server.address);
  try {
    for (let i = 0; i < 3; i++) assert.equal((await call(up, Buffer.from(`small table ${i}`))).message.toString(), `small table ${i}`);
    assert.equal(server.sessions.length, 1);
  } finally {
    up.close();
    await server.close();
  }
});
