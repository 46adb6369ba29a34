/**
 * The node:http2 upstream against real grpc-js servers. Every error path is also taken with
 * the grpc-js upstream, and both must raise the same GatewayError (code, message, reason,
 * domain, metadata, HTTP status): the two clients are interchangeable behind `Upstream`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Code, GatewayError } from '../../src/core/gateway-error.js';
import { createGrpcUpstream } from '../../src/upstream/grpc-upstream.js';
import type { UnaryRequest, Upstream } from '../../src/upstream/upstream.js';
import { createHttp2Upstream, encodeTimeout } from '../../src/upstream/http2-upstream.js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { FIXTURE_PROTO, FIXTURE_SERVICE, startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { startRawServer, type RawServer } from './raw-server.js';

const root = loadProtoRoot([FIXTURE_PROTO]);
const Everything = root.lookupType('prism.test.v1.Everything');
const FailRequest = root.lookupType('prism.test.v1.FailRequest');
const SlowRequest = root.lookupType('prism.test.v1.SlowRequest');
const path = (m: string) => `/${FIXTURE_SERVICE}/${m}`;

function request(m: string, message: Uint8Array, extra: Partial<UnaryRequest> = {}): UnaryRequest {
  return { path: path(m), message, metadata: {}, deadlineMs: 10_000, ...extra };
}

const fail = (fields: Record<string, unknown>) => request('Fail', FailRequest.encode(FailRequest.create(fields)).finish());

async function failure(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    return err;
  }
  assert.fail('the call succeeded');
}

const shape = (e: GatewayError) => ({ code: e.code, message: e.message, reason: e.reason, domain: e.domain, metadata: e.metadata, httpStatus: e.httpStatus });

/** Polls until `check` holds (no timing assertion: it only bounds a wait). */
async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`never happened: ${what}`);
}

describe('http2 upstream against the fixture server', () => {
  let fixture: FixtureServer;
  let h2: Upstream;
  let js: Upstream;

  before(async () => {
    fixture = await startFixtureServer();
    h2 = createHttp2Upstream(fixture.address);
    js = createGrpcUpstream(fixture.address);
  });
  after(async () => {
    h2.close();
    js.close();
    await fixture.close();
  });

  test('a unary call: the reply bytes, metadata sent and received', async () => {
    const message = Everything.encode(Everything.create({ f_string: 'héllo', f_int32: 42, r_string: ['a', 'b'] })).finish();
    const reply = await h2.unary(request('Echo', message, { metadata: { 'x-request-id': 'req-1', 'x-tenant': 'acme' } }));
    assert.deepEqual(Everything.toObject(Everything.decode(reply.message)), { f_string: 'héllo', f_int32: 42, r_string: ['a', 'b'] });
    const seen = fixture.received.at(-1)!;
    assert.equal(seen.method, 'Echo');
    assert.equal(seen.metadata['x-request-id'], 'req-1');
    assert.equal(seen.metadata['x-tenant'], 'acme');
    assert.equal(reply.metadata['content-type'], 'application/grpc+proto');
    assert.equal(reply.metadata['grpc-status'], undefined);
    // The same reply through grpc-js, byte for byte, and the same metadata keys.
    const viaJs = await js.unary(request('Echo', message));
    assert.deepEqual(reply.message, viaJs.message);
    assert.deepEqual(Object.keys(reply.metadata).filter((k) => k !== 'date').sort(), Object.keys(viaJs.metadata).filter((k) => k !== 'date').sort());
  });

  test('an empty request and an empty reply message', async () => {
    const reply = await h2.unary(request('Echo', new Uint8Array(0)));
    assert.equal(reply.message.length, 0);
  });

  test('errors with an ErrorInfo: code, percent-decoded message, reason, domain, metadata', async () => {
    const cases = [
      { code: Code.NOT_FOUND, message: 'Subject \'ünïcode-☃\' not found. 100% sure, see: a/b?c=d', reason: 'SUBJECT_NOT_FOUND', domain: 'registry.prism.io', metadata: { subject: 'ünïcode', line: '1' } },
      { code: Code.INVALID_ARGUMENT, message: 'bad\nmultiline\tmessage %2F literal', reason: 'INVALID_SCHEMA', domain: 'registry.prism.io', metadata: {} },
      { code: Code.UNAVAILABLE, message: 'store down', reason: 'STORE_ERROR', domain: 'registry.prism.io', metadata: { retry: 'yes' } },
      { code: Code.DEADLINE_EXCEEDED, message: 'slow store', reason: 'OPERATION_TIMEOUT', domain: 'registry.prism.io', metadata: {} },
    ];
    for (const c of cases) {
      const e = await failure(h2.unary(fail(c)));
      assert.deepEqual(shape(e), shape(await failure(js.unary(fail(c)))), c.reason);
      assert.equal(e.code, c.code);
      assert.equal(e.message, c.message);
      assert.equal(e.reason, c.reason);
      assert.equal(e.domain, c.domain);
      assert.deepEqual(e.metadata, c.metadata);
    }
  });

  test('errors without an ErrorInfo: every code, neutral messages for transport codes', async () => {
    for (let code = 1; code <= 16; code++) {
      const e = await failure(h2.unary(fail({ code, message: `failure ${code}` })));
      assert.deepEqual(shape(e), shape(await failure(js.unary(fail({ code, message: `failure ${code}` })))), `code ${code}`);
      assert.equal(e.code, code);
      assert.equal(e.reason, '');
      const neutral: Record<number, string> = { [Code.UNAVAILABLE]: 'upstream unavailable', [Code.DEADLINE_EXCEEDED]: 'upstream deadline exceeded', [Code.CANCELLED]: 'call cancelled' };
      assert.equal(e.message, neutral[code] ?? `failure ${code}`);
    }
  });

  test('an unknown method: UNIMPLEMENTED from a trailers-only response', async () => {
    const req = { ...request('Echo', new Uint8Array(0)), path: '/prism.test.v1.EverythingService/Nope' };
    const e = await failure(h2.unary(req));
    assert.equal(e.code, Code.UNIMPLEMENTED);
    assert.deepEqual(shape(e), shape(await failure(js.unary(req))));
  });

  test('deadline: DEADLINE_EXCEEDED, and the server sees the call cancelled', async () => {
    const before = fixture.cancelled;
    const slow = request('Slow', SlowRequest.encode(SlowRequest.create({ delay_ms: 60_000 })).finish(), { deadlineMs: 50 });
    const e = await failure(h2.unary(slow));
    assert.deepEqual(shape(e), { code: Code.DEADLINE_EXCEEDED, message: 'upstream deadline exceeded', reason: '', domain: '', metadata: {}, httpStatus: 504 });
    await eventually(() => fixture.cancelled > before, 'the server saw the cancellation');
    assert.deepEqual(shape(await failure(js.unary(slow))), shape(e));
  });

  test('the grpc-timeout header carries the deadline', async () => {
    assert.equal(encodeTimeout(30_000), '30000m');
    assert.equal(encodeTimeout(0.2), '1m');
    assert.equal(encodeTimeout(99_999_999), '99999999m');
    assert.equal(encodeTimeout(100_000_000), '100000S');
    assert.equal(encodeTimeout(1e15), '99999999H');
    assert.ok(!(await failure(h2.unary(request('Echo', new Uint8Array(0), { deadlineMs: 0 })))).reason);
  });

  test('cancel: aborting sends RST_STREAM CANCEL; the call fails CANCELLED', async () => {
    const before = fixture.cancelled;
    const received = fixture.received.length;
    const controller = new AbortController();
    const call = h2.unary(request('Slow', SlowRequest.encode(SlowRequest.create({ delay_ms: 60_000 })).finish(), { signal: controller.signal }));
    await eventually(() => fixture.received.length > received, 'the server received the call');
    controller.abort();
    const e = await failure(call);
    assert.deepEqual(shape(e), { code: Code.CANCELLED, message: 'call cancelled', reason: '', domain: '', metadata: {}, httpStatus: 499 });
    await eventually(() => fixture.cancelled > before, 'the server saw the cancellation');
  });

  test('an already aborted signal: nothing is sent', async () => {
    const received = fixture.received.length;
    const controller = new AbortController();
    controller.abort();
    const e = await failure(h2.unary(request('Echo', new Uint8Array(0), { signal: controller.signal })));
    assert.equal(e.code, Code.CANCELLED);
    assert.equal(fixture.received.length, received);
  });

  test('metadata: binary keys go base64, reserved keys are the client\'s, illegal values fail INTERNAL', async () => {
    await h2.unary(request('Echo', new Uint8Array(0), { metadata: { 'x-trace-bin': 'raw', 'content-type': 'text/plain', 'grpc-timeout': '1n', 'X-Upper': 'v' } }));
    const seen = fixture.received.at(-1)!.metadata;
    assert.deepEqual(seen['x-trace-bin'], Buffer.from('raw'));
    assert.equal(seen['x-upper'], 'v');
    assert.notEqual(seen['content-type'], 'text/plain');
    const e = await failure(h2.unary(request('Echo', new Uint8Array(0), { metadata: { 'x-bad': 'line\nbreak' } })));
    assert.equal(e.code, Code.INTERNAL);
  });

  test('healthy(): SERVING, NOT_SERVING', async () => {
    assert.equal(await h2.healthy(), true);
    fixture.serving = false;
    try {
      assert.equal(await h2.healthy(), false);
    } finally {
      fixture.serving = true;
    }
  });

  test('many concurrent calls share one connection and each gets its own reply', async () => {
    const raw = await startRawServer();
    const up = createHttp2Upstream(raw.address);
    try {
      const replies = await Promise.all(
        Array.from({ length: 300 }, (_, i) => up.unary({ path: '/raw.Raw/Echo', message: Buffer.from(`message ${i} `.repeat(i % 50)), metadata: {}, deadlineMs: 10_000 })),
      );
      replies.forEach((r, i) => assert.equal(r.message.toString(), `message ${i} `.repeat(i % 50)));
      const peers = await Promise.all(Array.from({ length: 20 }, () => up.unary({ path: '/raw.Raw/Peer', message: Buffer.alloc(0), metadata: {}, deadlineMs: 10_000 })));
      assert.equal(new Set(peers.map((p) => p.message.toString())).size, 1);
    } finally {
      up.close();
      await raw.shutdown();
    }
  });
});

describe('http2 upstream: large messages', () => {
  let raw: RawServer;
  before(async () => {
    raw = await startRawServer();
  });
  after(() => raw.shutdown());

  test('8 MiB out and back, byte for byte, several at once', async () => {
    const up = createHttp2Upstream(raw.address);
    try {
      const big = Buffer.alloc(8 * 1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
      const replies = await Promise.all([1, 2, 3].map(() => up.unary({ path: '/raw.Raw/Echo', message: big, metadata: {}, deadlineMs: 120_000 })));
      for (const r of replies) assert.ok(r.message.equals(big));
      const size = Buffer.alloc(4);
      size.writeUInt32BE(20 * 1024 * 1024);
      const sized = await up.unary({ path: '/raw.Raw/Size', message: size, metadata: {}, deadlineMs: 120_000 });
      assert.equal(sized.message.length, 20 * 1024 * 1024);
    } finally {
      up.close();
    }
  });

  test('a reply over the limit fails RESOURCE_EXHAUSTED', async () => {
    const up = createHttp2Upstream(raw.address, { maxReceiveMessageBytes: 1024 });
    try {
      const size = Buffer.alloc(4);
      size.writeUInt32BE(4096);
      const e = await failure(up.unary({ path: '/raw.Raw/Size', message: size, metadata: {}, deadlineMs: 10_000 }));
      assert.equal(e.code, Code.RESOURCE_EXHAUSTED);
      // The session survives: the next call works.
      size.writeUInt32BE(10);
      assert.equal((await up.unary({ path: '/raw.Raw/Size', message: size, metadata: {}, deadlineMs: 10_000 })).message.length, 10);
    } finally {
      up.close();
    }
  });
});

describe('http2 upstream: connections', () => {
  const echo = (up: Upstream, text = 'ping') => up.unary({ path: '/raw.Raw/Echo', message: Buffer.from(text), metadata: {}, deadlineMs: 10_000 });

  test('nothing listening: UNAVAILABLE like grpc-js; healthy() is false', async () => {
    const raw = await startRawServer();
    const address = raw.address;
    await raw.shutdown();
    const up = createHttp2Upstream(address);
    const js = createGrpcUpstream(address);
    try {
      const e = await failure(echo(up));
      assert.deepEqual(shape(e), { code: Code.UNAVAILABLE, message: 'upstream unavailable', reason: '', domain: '', metadata: {}, httpStatus: 503 });
      assert.deepEqual(shape(await failure(echo(js))), shape(e));
      assert.equal(await up.healthy(200), false);
    } finally {
      up.close();
      js.close();
    }
  });

  test('the server restarts on the same port (graceful GOAWAY): the next call reconnects', async () => {
    let raw = await startRawServer();
    const up = createHttp2Upstream(raw.address);
    try {
      assert.equal((await echo(up, 'one')).message.toString(), 'one');
      const peer1 = (await up.unary({ path: '/raw.Raw/Peer', message: Buffer.alloc(0), metadata: {}, deadlineMs: 10_000 })).message.toString();
      await raw.shutdown();
      raw = await startRawServer(raw.port);
      assert.equal((await echo(up, 'two')).message.toString(), 'two');
      const peer2 = (await up.unary({ path: '/raw.Raw/Peer', message: Buffer.alloc(0), metadata: {}, deadlineMs: 10_000 })).message.toString();
      assert.notEqual(peer2, peer1, 'a new connection');
    } finally {
      up.close();
      await raw.shutdown();
    }
  });

  test('the server dies with calls in flight: they fail UNAVAILABLE; calls after it restarts succeed', async () => {
    let raw = await startRawServer();
    const up = createHttp2Upstream(raw.address);
    try {
      const held = [echo(up, 'warm'), up.unary({ path: '/raw.Raw/Hold', message: Buffer.alloc(0), metadata: {}, deadlineMs: 10_000 })];
      await held[0];
      await eventually(() => raw.held.length === 1, 'the held call arrived');
      raw.kill();
      const e = await failure(held[1]);
      assert.equal(e.code, Code.UNAVAILABLE);
      assert.equal(e.message, 'upstream unavailable');
      // While it is down: UNAVAILABLE, not a hang and not a crash.
      assert.equal((await failure(echo(up))).code, Code.UNAVAILABLE);
      raw = await startRawServer(raw.port);
      assert.equal((await echo(up, 'back')).message.toString(), 'back');
    } finally {
      up.close();
      raw.kill();
    }
  });

  test('a graceful shutdown lets in-flight calls finish on the old connection', async () => {
    const raw = await startRawServer();
    const up = createHttp2Upstream(raw.address);
    try {
      const call = up.unary({ path: '/raw.Raw/Hold', message: Buffer.alloc(0), metadata: {}, deadlineMs: 10_000 });
      await eventually(() => raw.held.length === 1, 'the held call arrived');
      const stopped = raw.shutdown();
      raw.held[0]();
      assert.equal((await call).message.toString(), 'released');
      await stopped;
    } finally {
      up.close();
    }
  });

  test('close(): in-flight calls fail UNAVAILABLE, later calls too', async () => {
    const raw = await startRawServer();
    const up = createHttp2Upstream(raw.address);
    try {
      const call = up.unary({ path: '/raw.Raw/Hold', message: Buffer.alloc(0), metadata: {}, deadlineMs: 10_000 });
      await eventually(() => raw.held.length === 1, 'the held call arrived');
      up.close();
      assert.equal((await failure(call)).code, Code.UNAVAILABLE);
      assert.equal((await failure(echo(up))).code, Code.UNAVAILABLE);
    } finally {
      raw.kill();
    }
  });
});

describe('http2 upstream against non-conforming HTTP/2 servers', () => {
  let server: http2.Http2Server;
  let address: string;
  let behave: (stream: http2.ServerHttp2Stream) => void = () => {};
  before(async () => {
    server = http2.createServer();
    server.on('stream', (stream) => {
      stream.on('error', () => {});
      behave(stream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const call = (up: Upstream) => up.unary({ path: '/x.Y/Z', message: Buffer.from('hi'), metadata: {}, deadlineMs: 10_000 });

  async function both(b: (stream: http2.ServerHttp2Stream) => void): Promise<[GatewayError, GatewayError]> {
    behave = b;
    const h2 = createHttp2Upstream(address);
    const js = createGrpcUpstream(address);
    try {
      return [await failure(call(h2)), await failure(call(js))];
    } finally {
      h2.close();
      js.close();
    }
  }

  test('an HTTP error without a gRPC status maps like grpc-js (404 → UNIMPLEMENTED, 503 → UNAVAILABLE, 500 → UNKNOWN)', async () => {
    for (const [status, code] of [[404, Code.UNIMPLEMENTED], [503, Code.UNAVAILABLE], [500, Code.UNKNOWN], [401, Code.UNAUTHENTICATED]] as const) {
      const [e, j] = await both((s) => s.respond({ ':status': status, 'content-type': 'text/plain' }, { endStream: true }));
      assert.equal(e.code, code, `HTTP ${status}`);
      assert.deepEqual(shape(e), shape(j));
    }
  });

  test('a percent-encoded grpc-message with malformed escapes and garbage status details', async () => {
    const [e, j] = await both((s) => s.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '9', 'grpc-message': 'caf%C3%A9 %ZZ 50%', 'grpc-status-details-bin': 'bm90IGEgc3RhdHVz' }, { endStream: true }));
    assert.equal(e.code, Code.FAILED_PRECONDITION);
    assert.equal(e.message, 'café %ZZ 50%');
    assert.equal(e.reason, '');
    assert.equal(j.code, e.code);
  });

  test('a reply without any status: UNKNOWN; an RST_STREAM: INTERNAL', async () => {
    const [noStatus] = await both((s) => {
      s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      s.on('wantTrailers', () => s.sendTrailers({ 'x-other': '1' }));
      s.end(Buffer.from([0, 0, 0, 0, 0]));
    });
    assert.equal(noStatus.code, Code.UNKNOWN);
    const [rst, rstJs] = await both((s) => s.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    assert.equal(rst.code, Code.INTERNAL);
    assert.equal(rstJs.code, Code.INTERNAL);
  });

  test('OK without a message: UNIMPLEMENTED; two messages on a unary call: UNIMPLEMENTED', async () => {
    const ok = (payload: Buffer) => (s: http2.ServerHttp2Stream) => {
      s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      s.on('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0' }));
      s.end(payload);
    };
    const [none, noneJs] = await both(ok(Buffer.alloc(0)));
    assert.equal(none.code, Code.UNIMPLEMENTED);
    assert.equal(noneJs.code, Code.UNIMPLEMENTED);
    // (grpc-js waits for its deadline here instead; only this client is checked.)
    const frame = Buffer.from([0, 0, 0, 0, 1, 0x41]);
    behave = ok(Buffer.concat([frame, frame]));
    const up = createHttp2Upstream(address);
    try {
      const two = await failure(call(up));
      assert.equal(two.code, Code.UNIMPLEMENTED);
      assert.equal(two.message, 'Too many responses received');
    } finally {
      up.close();
    }
  });

  test('a message split across many DATA frames is reassembled', async () => {
    behave = (s) => {
      s.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      s.on('wantTrailers', () => s.sendTrailers({ 'grpc-status': '0', 'x-trailer': 'yes' }));
      const body = Buffer.from('0123456789'.repeat(100));
      const framed = Buffer.concat([Buffer.from([0, 0, 0, 3, 232]), body]);
      // One byte, then the rest of the header, then the body in small pieces.
      s.write(framed.subarray(0, 1));
      s.write(framed.subarray(1, 5));
      for (let i = 5; i < framed.length; i += 97) s.write(framed.subarray(i, Math.min(framed.length, i + 97)));
      s.end();
    };
    const up = createHttp2Upstream(address);
    try {
      const reply = await call(up);
      assert.equal(reply.message.toString(), '0123456789'.repeat(100));
      assert.equal(reply.metadata['x-trailer'], 'yes');
    } finally {
      up.close();
    }
  });
});
