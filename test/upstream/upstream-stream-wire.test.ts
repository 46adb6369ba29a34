/**
 * Streaming calls against a node:http2 server that writes the wire by hand, for what a grpc-js
 * server never does on its own: messages cut anywhere across DATA frames, several in one
 * frame, a compressed-flag message, resets with chosen codes, GOAWAY and a dropped socket.
 * Both clients take the same cases.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Code, GatewayError } from '../../src/core/gateway-error.js';
import { createGrpcUpstream } from '../../src/upstream/grpc-upstream.js';
import { createHttp2Upstream } from '../../src/upstream/http2-upstream.js';
import type { Upstream } from '../../src/upstream/upstream.js';
import { frame as h2frame, reply, responseHeaders, startHostileServer, T, u32, type HostileServer, type Peer } from './hostile-server.js';

const frame = (body: Buffer, flag = 0) => {
  const out = Buffer.alloc(5 + body.length);
  out[0] = flag;
  out.writeUInt32BE(body.length, 1);
  body.copy(out, 5);
  return out;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Script = (stream: http2.ServerHttp2Stream) => Promise<void> | void;

/** Each case's server behaviour, chosen by the method name of the call. */
const scripts: Record<string, Script> = {
  // Three messages in one write, then one cut into 1-byte writes, then trailers.
  Split: async (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.write(Buffer.concat([frame(Buffer.from('one')), frame(Buffer.from('two')), frame(Buffer.from('three'))]));
    const fourth = frame(Buffer.from('four, cut into pieces'));
    for (const byte of fourth) {
      await new Promise<void>((resolve) => stream.write(Buffer.from([byte]), () => resolve()));
      await sleep(1);
    }
    stream.end();
  },
  Compressed: (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
    stream.write(frame(Buffer.from('zipped?'), 1));
  },
  EndWithoutTrailers: async (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
    stream.end(frame(Buffer.from('before')));
  },
};

async function drain(call: AsyncIterable<Uint8Array>): Promise<{ messages: string[]; error: GatewayError | undefined }> {
  const messages: string[] = [];
  try {
    for await (const m of call) messages.push(Buffer.from(m).toString());
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    return { messages, error: err };
  }
  return { messages, error: undefined };
}

const clients: [string, (target: string) => Upstream][] = [
  ['http2', (target) => createHttp2Upstream(target)],
  ['grpc-js', (target) => createGrpcUpstream(target)],
];

describe('streaming calls against a hand-written HTTP/2 server', () => {
  let server: http2.Http2Server;
  let target: string;
  before(async () => {
    server = http2.createServer();
    server.on('stream', (stream, headers) => {
      stream.on('error', () => {});
      const name = String(headers[':path']).split('/').pop()!;
      // The request side is read (and ignored) so the client's END_STREAM arrives.
      stream.resume();
      void scripts[name](stream);
    });
    server.on('sessionError', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const run = async (make: (t: string) => Upstream, method: string) => {
    const up = make(target);
    try {
      const call = up.stream!({ path: `/wire.Wire/${method}`, metadata: {}, deadlineMs: 5000 });
      void call.write(Buffer.from('go')).catch(() => {});
      call.end();
      return await drain(call);
    } finally {
      up.close();
    }
  };

  for (const [name, make] of clients) {
    test(`${name}: messages cut anywhere across DATA frames, several in one frame`, async () => {
      const { messages, error } = await run(make, 'Split');
      assert.equal(error, undefined);
      assert.deepEqual(messages, ['one', 'two', 'three', 'four, cut into pieces']);
    });

    test(`${name}: a message with the compressed flag, none negotiated, fails the call`, async () => {
      const { messages, error } = await run(make, 'Compressed');
      assert.deepEqual(messages, []);
      // grpc-js finds no decompressor (UNKNOWN); the lean client says what it found.
      if (name === 'http2') assert.deepEqual([error?.code, error?.message], [Code.INTERNAL, 'Received a compressed message, but no compression was negotiated']);
      else assert.ok(error);
    });

    test(`${name}: END_STREAM without trailers after one message: the message, then INTERNAL`, async () => {
      const { messages, error } = await run(make, 'EndWithoutTrailers');
      assert.deepEqual(messages, ['before']);
      assert.equal(error?.code, Code.INTERNAL, error?.message);
    });
  }
});

/** A reply's headers and one message, then what `end` does to the stream or the connection. */
function ending(end: (peer: Peer, stream: number) => void) {
  return async (peer: Peer) => {
    const id = await peer.nextStream();
    peer.write(Buffer.concat([responseHeaders(id), h2frame(T.DATA, 0, id, frame(Buffer.from('before')))]));
    await sleep(20);
    end(peer, id);
  };
}

const endings: [string, (peer: Peer, stream: number) => void, Code][] = [
  ['RST_STREAM CANCEL', (peer, id) => peer.write(h2frame(T.RST_STREAM, 0, id, u32(http2.constants.NGHTTP2_CANCEL))), Code.CANCELLED],
  ['RST_STREAM INTERNAL_ERROR', (peer, id) => peer.write(h2frame(T.RST_STREAM, 0, id, u32(http2.constants.NGHTTP2_INTERNAL_ERROR))), Code.INTERNAL],
  ['RST_STREAM REFUSED_STREAM', (peer, id) => peer.write(h2frame(T.RST_STREAM, 0, id, u32(http2.constants.NGHTTP2_REFUSED_STREAM))), Code.UNAVAILABLE],
  ['the socket dropped', (peer) => peer.socket.destroy(), Code.UNAVAILABLE],
  ['GOAWAY below the stream', (peer) => peer.write(h2frame(T.GOAWAY, 0, 0, u32(0, http2.constants.NGHTTP2_NO_ERROR))), Code.UNAVAILABLE],
];

describe('streaming calls whose backend ends them without a status', () => {
  for (const [what, end, code] of endings) {
    for (const [name, make] of clients) {
      test(`${name}: ${what} after one message: the message, then ${Code[code]}`, async () => {
        const server: HostileServer = await startHostileServer(ending(end));
        const up = make(server.address);
        try {
          const call = up.stream!({ path: '/wire.Wire/Go', metadata: {}, deadlineMs: 5000 });
          void call.write(Buffer.from('go')).catch(() => {});
          const messages: string[] = [];
          let error: GatewayError | undefined;
          try {
            for await (const m of call) messages.push(Buffer.from(m).toString());
          } catch (err) {
            error = err as GatewayError;
          }
          assert.deepEqual(messages, ['before']);
          assert.ok(error instanceof GatewayError);
          assert.equal(error.code, code, error.message);
        } finally {
          up.close();
          await server.close();
        }
      });
    }
  }

  test('http2: cancel() resets the stream with RST_STREAM CANCEL at once', async () => {
    let opened!: () => void;
    const ready = new Promise<void>((r) => (opened = r));
    const server = await startHostileServer(async (peer) => {
      const id = await peer.nextStream();
      peer.write(responseHeaders(id));
      opened();
    });
    const up = createHttp2Upstream(server.address);
    try {
      const call = up.stream!({ path: '/wire.Wire/Go', metadata: {}, deadlineMs: 0 });
      await ready;
      await call.headers;
      call.cancel();
      const peer = server.peers[0];
      for (let i = 0; i < 200 && peer.resets.length === 0; i++) await sleep(5);
      assert.deepEqual(peer.resets, [{ stream: 1, code: http2.constants.NGHTTP2_CANCEL }]);
      // Nothing was sent on the request side: no END_STREAM went out before the reset.
      assert.deepEqual(peer.ended, []);
    } finally {
      up.close();
      await server.close();
    }
  });
});

describe('the lean client sends a stream the server never processed again', () => {
  const cases: [string, (peer: Peer, stream: number) => void][] = [
    ['refused (RST_STREAM REFUSED_STREAM)', (peer, id) => peer.write(h2frame(T.RST_STREAM, 0, id, u32(http2.constants.NGHTTP2_REFUSED_STREAM)))],
    ['caught by a GOAWAY below it', (peer) => peer.write(h2frame(T.GOAWAY, 0, 0, u32(0, http2.constants.NGHTTP2_NO_ERROR)))],
  ];
  for (const [what, refuse] of cases) {
    test(`${what}: the call goes again with what was written, and succeeds`, async () => {
      let refused = false;
      const server = await startHostileServer(async (peer) => {
        for (;;) {
          const id = await peer.nextStream();
          if (!refused) {
            refused = true;
            refuse(peer, id);
          } else {
            // Answers once the request (two messages and END_STREAM) is in.
            for (let i = 0; i < 200 && !peer.ended.includes(id); i++) await sleep(5);
            peer.write(reply(id, Buffer.from(`got ${peer.streamBytes.get(id) ?? 0} bytes`)));
          }
        }
      });
      const up = createHttp2Upstream(server.address);
      try {
        const call = up.stream!({ path: '/wire.Wire/Go', metadata: {}, deadlineMs: 5000 });
        await call.write(Buffer.from('one'));
        await call.write(Buffer.from('two'));
        call.end();
        const messages: string[] = [];
        for await (const m of call) messages.push(Buffer.from(m).toString());
        // The stream that answered got both messages (8 bytes each with their prefixes), once.
        assert.deepEqual(messages, ['got 16 bytes']);
        assert.equal(server.peers.reduce((n, p) => n + p.streams.length, 0), 2);
      } finally {
        up.close();
        await server.close();
      }
    });
  }
});

describe('the lean client grants each stream exactly its buffer, as its consumer reads', () => {
  const maxBufferedBytes = 32 * 1024;
  /** A message of `size` bytes in DATA frames of at most 16 KiB, without END_STREAM. */
  const dataFrames = (id: number, bytes: Buffer) => {
    const out: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 16_384) out.push(h2frame(T.DATA, 0, id, bytes.subarray(at, at + 16_384)));
    return Buffer.concat(out);
  };

  test('stream window 0 in SETTINGS, the buffer granted at open, nothing more until the consumer reads', async () => {
    let peer!: Peer;
    let id = 0;
    let opened!: () => void;
    const streamOpened = new Promise<void>((resolve) => (opened = resolve));
    const server = await startHostileServer(async (p) => {
      peer = p;
      id = await p.nextStream();
      opened();
    });
    const up = createHttp2Upstream(server.address);
    try {
      const call = up.stream!({ path: '/wire.Wire/Go', metadata: {}, deadlineMs: 0, limits: { maxBufferedBytes } });
      await streamOpened;
      await waitUntil(() => peer.windowUpdates.some((w) => w.stream === id));
      // SETTINGS_INITIAL_WINDOW_SIZE (4) is 0 on the streaming connection.
      assert.deepEqual(peer.settings[0].find(([k]) => k === 4), [4, 0]);
      assert.deepEqual(peer.windowUpdates.filter((w) => w.stream === id), [{ stream: id, increment: maxBufferedBytes }]);
      // Two messages fill the window exactly; the consumer reads nothing yet.
      const half = maxBufferedBytes / 2 - 5;
      peer.write(Buffer.concat([responseHeaders(id), dataFrames(id, Buffer.concat([frame(Buffer.alloc(half, 1)), frame(Buffer.alloc(half, 2))]))]));
      await waitUntil(() => call.bufferedBytes === maxBufferedBytes);
      await sleep(50);
      assert.equal(peer.windowUpdates.filter((w) => w.stream === id).length, 1);
      // Reading one message hands its bytes back.
      const it = call[Symbol.asyncIterator]();
      assert.equal(Buffer.from((await it.next()).value!).length, half);
      await waitUntil(() => peer.windowUpdates.filter((w) => w.stream === id).length === 2);
      assert.deepEqual(peer.windowUpdates.filter((w) => w.stream === id)[1], { stream: id, increment: half + 5 });
      // A byte past the window is a connection error (FLOW_CONTROL_ERROR) and fails the call.
      peer.write(dataFrames(id, frame(Buffer.alloc(half + 1, 3))));
      await waitUntil(() => peer.goaways.length > 0);
      assert.equal(peer.goaways[0].code, http2.constants.NGHTTP2_FLOW_CONTROL_ERROR);
      assert.equal(Buffer.from((await it.next()).value!).length, half);
      await assert.rejects(it.next(), (err: GatewayError) => err.code === Code.UNAVAILABLE);
    } finally {
      up.close();
      await server.close();
    }
  });
});

async function waitUntil(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await sleep(10);
  assert.ok(check(), 'never happened');
}
