/**
 * The HTTP/2 client against servers that break the protocol on purpose. Each row: what the
 * server sends once the call's stream is open → how the call fails (a GatewayError code),
 * the GOAWAY or RST_STREAM code the client answers with, and for floods how much the server
 * got to write before the client hung up (what the client can have buffered). Every row
 * also checks that the call failed long before its deadline and that the event loop was
 * never blocked for long (monitorEventLoopDelay, bounded generously: the defects this
 * guards against blocked it for good).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Code, GatewayError } from '../../src/core/gateway-error.js';
import { RST, SETTING } from '../../src/upstream/h2-connection.js';
import { HpackEncoder } from '../../src/upstream/hpack.js';
import { createHttp2Upstream, type Http2UpstreamOptions } from '../../src/upstream/http2-upstream.js';
import { F, frame, reply, responseHeaders, settings, startHostileServer, T, u32, type Peer } from './hostile-server.js';

const DEADLINE_MS = 5_000;
/** Liveness bound: a failure must come well before the deadline. */
const FAIL_WITHIN_MS = 3_000;
/** Longest event-loop stall tolerated (the machine is shared; a healthy run measures a few ms). */
const MAX_LAG_MS = 500;

interface Row {
  readonly name: string;
  /** Written first instead of the empty SETTINGS a well-behaved server opens with (empty: nothing). */
  readonly opening?: Buffer;
  /** What the server writes once the client's stream `s` is open. */
  readonly send?: (s: number) => Buffer;
  /** Or everything the server does once the stream is open. */
  readonly script?: (peer: Peer, s: number) => void | Promise<void>;
  readonly options?: Http2UpstreamOptions;
  readonly code: Code;
  /** The GOAWAY code the client must send (undefined: none is checked). */
  readonly goaway?: number;
  /** The RST_STREAM code the client must send for the stream. */
  readonly reset?: number;
  /** Floods: the most the server may have written before the client hung up. */
  readonly maxServerBytes?: number;
}

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const headers = (s: number, block: Buffer, flags: number = F.END_HEADERS) => frame(T.HEADERS, flags, s, block);
/** A header block split into HEADERS + CONTINUATION frames of at most 16,384 bytes. */
function split(s: number, block: Buffer): Buffer {
  const frames: Buffer[] = [];
  for (let at = 0; at < block.length; at += 16_384) {
    const last = at + 16_384 >= block.length;
    frames.push(frame(at === 0 ? T.HEADERS : T.CONTINUATION, last ? F.END_HEADERS : 0, s, block.subarray(at, at + 16_384)));
  }
  return Buffer.concat(frames);
}
const pings = Buffer.concat(Array.from({ length: 1000 }, (_, i) => frame(T.PING, 0, 0, u32(0, i))));

const rows: Row[] = [
  // SETTINGS (§6.5.2)
  { name: 'SETTINGS_MAX_FRAME_SIZE=0', send: () => settings([[SETTING.MAX_FRAME_SIZE, 0]]), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'SETTINGS_MAX_FRAME_SIZE=16383', send: () => settings([[SETTING.MAX_FRAME_SIZE, 16_383]]), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'SETTINGS_MAX_FRAME_SIZE=2^24', send: () => settings([[SETTING.MAX_FRAME_SIZE, 2 ** 24]]), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'SETTINGS_INITIAL_WINDOW_SIZE=2^31', send: () => settings([[SETTING.INITIAL_WINDOW_SIZE, 2 ** 31]]), code: Code.UNAVAILABLE, goaway: RST.FLOW_CONTROL_ERROR },
  { name: 'SETTINGS_ENABLE_PUSH=1 from a server', send: () => settings([[SETTING.ENABLE_PUSH, 1]]), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'SETTINGS_ENABLE_PUSH=2', send: () => settings([[SETTING.ENABLE_PUSH, 2]]), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  {
    name: 'SETTINGS_INITIAL_WINDOW_SIZE that pushes an open stream window past 2^31-1',
    send: (s) => Buffer.concat([frame(T.WINDOW_UPDATE, 0, s, u32(2 ** 31 - 1 - 65_535)), settings([[SETTING.INITIAL_WINDOW_SIZE, 65_535 + 100]])]),
    code: Code.UNAVAILABLE,
    goaway: RST.FLOW_CONTROL_ERROR,
  },
  { name: 'SETTINGS of 7 bytes', send: () => frame(T.SETTINGS, 0, 0, Buffer.alloc(7)), code: Code.UNAVAILABLE, goaway: RST.FRAME_SIZE_ERROR },
  { name: 'SETTINGS ACK with a payload', send: () => frame(T.SETTINGS, F.ACK, 0, Buffer.alloc(6)), code: Code.UNAVAILABLE, goaway: RST.FRAME_SIZE_ERROR },
  { name: 'SETTINGS on stream 1', send: () => settings([], 1), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'a first frame that is not SETTINGS', opening: frame(T.PING, 0, 0, Buffer.alloc(8)), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  // Header blocks (§6.2, §6.10) and their size
  {
    name: 'HEADERS then endless 16 KiB CONTINUATION frames',
    script: (peer, s) => {
      peer.write(headers(s, responseHeaders(s).subarray(9), 0));
      return peer.flood(frame(T.CONTINUATION, 0, s, Buffer.alloc(16_384, 0x61)));
    },
    code: Code.UNAVAILABLE,
    goaway: RST.ENHANCE_YOUR_CALM,
    maxServerBytes: 16 * 1024 * 1024,
  },
  {
    name: 'HEADERS then endless empty CONTINUATION frames',
    script: (peer, s) => {
      peer.write(headers(s, Buffer.alloc(0), 0));
      return peer.flood(Buffer.concat(Array.from({ length: 1000 }, () => frame(T.CONTINUATION, 0, s))));
    },
    code: Code.UNAVAILABLE,
    goaway: RST.ENHANCE_YOUR_CALM,
    maxServerBytes: 16 * 1024 * 1024,
  },
  {
    name: 'a 70 KB header list (over SETTINGS_MAX_HEADER_LIST_SIZE): the call fails, the connection stays',
    send: (s) => Buffer.concat([responseHeaders(s), split(s, HpackEncoder.field('x-big', 'v'.repeat(70_000)))]),
    code: Code.RESOURCE_EXHAUSTED,
    reset: RST.ENHANCE_YOUR_CALM,
  },
  {
    name: 'a header list made large by naming one dynamic-table entry 30 times',
    // Literal with incremental indexing, new name "x-big", a 3,000-byte value; then index 62 thirty times.
    send: (s) => headers(s, Buffer.concat([HpackEncoder.indexed(':status', '200'), hex('40 05'), Buffer.from('x-big'), hex('7f b9 16'), Buffer.alloc(3000, 0x76), Buffer.alloc(30, 0xbe)])),
    code: Code.RESOURCE_EXHAUSTED,
    reset: RST.ENHANCE_YOUR_CALM,
  },
  { name: 'CONTINUATION without HEADERS', send: (s) => frame(T.CONTINUATION, F.END_HEADERS, s, Buffer.from([0x88])), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'a PING inside a header block', send: (s) => Buffer.concat([headers(s, Buffer.from([0x88]), 0), frame(T.PING, 0, 0, Buffer.alloc(8))]), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'CONTINUATION on another stream', send: (s) => Buffer.concat([headers(s, Buffer.from([0x88]), 0), frame(T.CONTINUATION, F.END_HEADERS, s + 2, Buffer.alloc(0))]), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'HEADERS with PRIORITY but 3 bytes', send: (s) => frame(T.HEADERS, F.END_HEADERS | F.PRIORITY, s, Buffer.alloc(3)), code: Code.UNAVAILABLE, goaway: RST.FRAME_SIZE_ERROR },
  // HPACK (RFC 7541): a decoding error is COMPRESSION_ERROR (RFC 9113 §4.3)
  { name: 'HPACK garbage', send: (s) => headers(s, hex('ff ff ff ff ff ff ff ff')), code: Code.UNAVAILABLE, goaway: RST.COMPRESSION_ERROR },
  { name: 'HPACK index past both tables', send: (s) => headers(s, hex('be')), code: Code.UNAVAILABLE, goaway: RST.COMPRESSION_ERROR },
  { name: 'HPACK index 0', send: (s) => headers(s, hex('80')), code: Code.UNAVAILABLE, goaway: RST.COMPRESSION_ERROR },
  { name: 'HPACK table size update above the advertised 4096', send: (s) => headers(s, hex('3f e2 1f')), code: Code.UNAVAILABLE, goaway: RST.COMPRESSION_ERROR },
  { name: 'HPACK table size update after a field', send: (s) => headers(s, hex('88 20')), code: Code.UNAVAILABLE, goaway: RST.COMPRESSION_ERROR },
  { name: 'HPACK Huffman string holding EOS', send: (s) => headers(s, hex('00 84 ff ff ff ff 01 61')), code: Code.UNAVAILABLE, goaway: RST.COMPRESSION_ERROR },
  { name: 'HPACK string longer than the block', send: (s) => headers(s, hex('00 7f 00 61')), code: Code.UNAVAILABLE, goaway: RST.COMPRESSION_ERROR },
  { name: 'HPACK integer in 6 continuation bytes', send: (s) => headers(s, hex('ff 80 80 80 80 80 80 01')), code: Code.UNAVAILABLE, goaway: RST.COMPRESSION_ERROR },
  // Flow control (§6.9)
  {
    name: 'DATA past the stream window',
    options: { receiveWindowBytes: 1024 },
    send: (s) => Buffer.concat([responseHeaders(s), frame(T.DATA, 0, s, Buffer.alloc(2000))]),
    code: Code.UNAVAILABLE,
    goaway: RST.FLOW_CONTROL_ERROR,
  },
  {
    name: 'DATA past the connection window, in one burst',
    options: { receiveWindowBytes: 65_535 },
    // One 80,000-byte gRPC message in five DATA frames, written at once: the fifth passes 65,535.
    send: (s) => {
      const message = Buffer.concat([Buffer.from([0]), u32(80_000 - 5), Buffer.alloc(80_000 - 5)]);
      return Buffer.concat([responseHeaders(s), ...Array.from({ length: 5 }, (_, i) => frame(T.DATA, 0, s, message.subarray(16_000 * i, 16_000 * (i + 1))))]);
    },
    code: Code.UNAVAILABLE,
    goaway: RST.FLOW_CONTROL_ERROR,
  },
  { name: 'WINDOW_UPDATE overflowing the connection window', send: () => frame(T.WINDOW_UPDATE, 0, 0, u32(2 ** 31 - 1)), code: Code.UNAVAILABLE, goaway: RST.FLOW_CONTROL_ERROR },
  { name: 'WINDOW_UPDATE overflowing a stream window', send: (s) => frame(T.WINDOW_UPDATE, 0, s, u32(2 ** 31 - 1)), code: Code.UNAVAILABLE, goaway: RST.FLOW_CONTROL_ERROR },
  { name: 'WINDOW_UPDATE of 0', send: () => frame(T.WINDOW_UPDATE, 0, 0, u32(0)), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  // Frames where they may not be (§6)
  { name: 'DATA on stream 0', send: () => frame(T.DATA, 0, 0, Buffer.from('x')), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'HEADERS on stream 0', send: () => headers(0, Buffer.from([0x88])), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'RST_STREAM on stream 0', send: () => frame(T.RST_STREAM, 0, 0, u32(0)), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'PRIORITY on stream 0', send: () => frame(T.PRIORITY, 0, 0, Buffer.alloc(5)), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'PING on stream 1', send: () => frame(T.PING, 0, 1, Buffer.alloc(8)), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'GOAWAY on stream 1', send: () => frame(T.GOAWAY, 0, 1, u32(0, 0)), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'PUSH_PROMISE (push is disabled)', send: (s) => frame(T.PUSH_PROMISE, F.END_HEADERS, s, Buffer.concat([u32(2), Buffer.from([0x82])])), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  // Stream ids (§5.1, §5.1.1)
  { name: 'HEADERS on a stream the client never opened', send: (s) => headers(s + 2, Buffer.from([0x88])), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'HEADERS on a server-initiated (even) stream', send: () => headers(2, Buffer.from([0x88])), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'DATA on an idle stream', send: (s) => frame(T.DATA, 0, s + 4, Buffer.from('x')), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'RST_STREAM on an idle stream', send: (s) => frame(T.RST_STREAM, 0, s + 6, u32(0)), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'WINDOW_UPDATE on an idle stream', send: (s) => frame(T.WINDOW_UPDATE, 0, s + 8, u32(1)), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  // Frame sizes (§4.2, §6)
  { name: 'a frame above 16,384 bytes', send: (s) => frame(T.DATA, 0, s, Buffer.alloc(16_385)), code: Code.UNAVAILABLE, goaway: RST.FRAME_SIZE_ERROR },
  { name: 'a frame header announcing 16 MiB', send: (s) => frame(T.DATA, 0, s, Buffer.alloc(0), 2 ** 24 - 1), code: Code.UNAVAILABLE, goaway: RST.FRAME_SIZE_ERROR },
  { name: 'PING of 7 bytes', send: () => frame(T.PING, 0, 0, Buffer.alloc(7)), code: Code.UNAVAILABLE, goaway: RST.FRAME_SIZE_ERROR },
  { name: 'RST_STREAM of 3 bytes', send: (s) => frame(T.RST_STREAM, 0, s, Buffer.alloc(3)), code: Code.UNAVAILABLE, goaway: RST.FRAME_SIZE_ERROR },
  { name: 'WINDOW_UPDATE of 5 bytes', send: () => frame(T.WINDOW_UPDATE, 0, 0, Buffer.alloc(5)), code: Code.UNAVAILABLE, goaway: RST.FRAME_SIZE_ERROR },
  { name: 'PRIORITY of 4 bytes', send: (s) => frame(T.PRIORITY, 0, s, Buffer.alloc(4)), code: Code.UNAVAILABLE, goaway: RST.FRAME_SIZE_ERROR },
  { name: 'GOAWAY of 7 bytes', send: () => frame(T.GOAWAY, 0, 0, Buffer.alloc(7)), code: Code.UNAVAILABLE, goaway: RST.FRAME_SIZE_ERROR },
  // Padding (§6.1, §6.2)
  { name: 'DATA padding longer than the frame', send: (s) => Buffer.concat([responseHeaders(s), frame(T.DATA, F.PADDED, s, Buffer.from([9, 1, 2]))]), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  { name: 'PADDED DATA without a pad length', send: (s) => Buffer.concat([responseHeaders(s), frame(T.DATA, F.PADDED, s)]), code: Code.UNAVAILABLE, goaway: RST.FRAME_SIZE_ERROR },
  { name: 'HEADERS padding longer than the frame', send: (s) => frame(T.HEADERS, F.END_HEADERS | F.PADDED, s, Buffer.from([5, 0x88])), code: Code.UNAVAILABLE, goaway: RST.PROTOCOL_ERROR },
  // Floods and dead peers
  { name: 'a burst of 10,000 PINGs', send: () => Buffer.concat(Array.from({ length: 10 }, () => pings)), code: Code.UNAVAILABLE, goaway: RST.ENHANCE_YOUR_CALM },
  { name: 'a burst of 10,000 SETTINGS', send: () => Buffer.concat(Array.from({ length: 10_000 }, () => settings([]))), code: Code.UNAVAILABLE, goaway: RST.ENHANCE_YOUR_CALM },
  {
    name: 'PINGs under the burst limit from a server that never reads the answers',
    script: async (peer) => {
      peer.socket.pause();
      const some = pings.subarray(0, 17 * 500);
      while (!peer.closed) {
        if (!peer.write(some)) await new Promise((r) => peer.socket.once('drain', r).once('close', r).once('error', r));
        await new Promise((r) => setImmediate(r));
      }
    },
    code: Code.UNAVAILABLE,
    maxServerBytes: 32 * 1024 * 1024,
  },
  { name: 'black-holed: accepts TCP, never sends SETTINGS', opening: Buffer.alloc(0), options: { connectTimeoutMs: 300 }, code: Code.UNAVAILABLE },
  {
    name: 'black-holed after SETTINGS: PINGs go unanswered',
    options: { keepaliveIntervalMs: 100, keepaliveTimeoutMs: 200 },
    script: (peer) => {
      peer.answerPings = false;
    },
    code: Code.UNAVAILABLE,
  },
  { name: 'the server closes mid-frame', script: (peer, s) => void peer.socket.end(responseHeaders(s).subarray(0, 12)), code: Code.UNAVAILABLE },
];

/** Polls until `check` holds (a liveness bound, not a timing assertion). */
async function eventually(check: () => boolean, what: string, ms = 3000): Promise<void> {
  for (const start = Date.now(); Date.now() - start < ms; ) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`never happened: ${what}`);
}

for (const row of rows) {
  test(row.name, async (t) => {
    const server = await startHostileServer(async (peer) => {
      const s = await peer.nextStream();
      if (row.script) await row.script(peer, s);
      else if (row.send) peer.write(row.send(s));
    }, row.opening);
    const up = createHttp2Upstream(server.address, row.options);
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const started = Date.now();
    try {
      const outcome = await up.unary({ path: '/hostile.Peer/Call', message: Buffer.from('x'), metadata: {}, deadlineMs: DEADLINE_MS }).then(
        () => undefined,
        (err: unknown) => err,
      );
      const elapsed = Date.now() - started;
      assert.ok(outcome instanceof GatewayError, `the call must fail with a GatewayError, got ${String(outcome)}`);
      assert.equal(Code[outcome.code], Code[row.code], `code (${(outcome.cause as Error | undefined)?.message})`);
      assert.ok(elapsed < FAIL_WITHIN_MS, `failed after ${elapsed} ms`);
      const [peer] = server.peers;
      if (row.goaway !== undefined) {
        await eventually(() => peer.goaways.some((g) => g.code === row.goaway), `GOAWAY ${row.goaway} (got ${JSON.stringify(peer.goaways)})`);
        await eventually(() => peer.closed, 'the client closes the connection');
      }
      if (row.reset !== undefined) {
        await eventually(() => peer.resets.some((r) => r.code === row.reset), `RST_STREAM ${row.reset}`);
        assert.deepEqual(peer.goaways, [], 'a stream error leaves the connection open');
        // The connection still carries calls.
        const second = up.unary({ path: '/hostile.Peer/Call', message: Buffer.from('y'), metadata: {}, deadlineMs: DEADLINE_MS });
        const s2 = await peer.nextStream();
        peer.write(reply(s2, Buffer.from('fine')));
        assert.equal((await second).message.toString(), 'fine');
        assert.equal(server.peers.length, 1, 'one connection');
      }
      if (row.maxServerBytes !== undefined) {
        await eventually(() => peer.closed, 'the client hangs up on the flood');
        assert.ok(peer.bytesWritten <= row.maxServerBytes, `the server wrote ${peer.bytesWritten} bytes before the client hung up`);
        t.diagnostic(`server wrote ${peer.bytesWritten} bytes before the client hung up`);
      }
      lag.disable();
      const maxLagMs = lag.max / 1e6;
      t.diagnostic(`failed after ${elapsed} ms; longest event-loop delay ${maxLagMs.toFixed(1)} ms`);
      assert.ok(maxLagMs < MAX_LAG_MS, `event loop blocked for ${maxLagMs.toFixed(1)} ms`);
    } finally {
      lag.disable();
      up.close();
      await server.close();
    }
  });
}
