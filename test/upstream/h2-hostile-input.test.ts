/**
 * fast-check fuzzing of what a server can feed the HTTP/2 client: the HPACK decoder on its
 * own (random bytes, mutated RFC 7541 vectors, block sequences sharing one table), and the
 * frame reader end to end, on a real socket (random bytes, random frames, mutated valid
 * replies after the server's SETTINGS). The client may refuse anything, but only the way
 * it means to: HpackError from the decoder; from the connection a settled call, a GOAWAY
 * whose code is never INTERNAL_ERROR (that would be an exception the reader did not
 * expect), no uncaught exception, no hang. `npm run fuzz` sets FUZZ_RUNS for longer runs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GatewayError } from '../../src/core/gateway-error.js';
import { RST } from '../../src/upstream/h2-connection.js';
import { HpackDecoder, HpackEncoder, HpackError, huffmanDecode, type HeaderList } from '../../src/upstream/hpack.js';
import { createHttp2Upstream } from '../../src/upstream/http2-upstream.js';
import { F, frame, reply, responseHeaders, startHostileServer, T, type HostileServer } from './hostile-server.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const LIMIT = 4096;
const listBytes = (list: HeaderList) => list.reduce((n, [name, value]) => n + name.length + value.length + 32, 0);

/** Decodes, returning what came back or the HpackError; anything else thrown fails the property. */
function decodeOrRefuse(decoder: HpackDecoder, block: Buffer): HeaderList | undefined | HpackError {
  try {
    const list = decoder.decode(block, LIMIT);
    if (list) assert.ok(listBytes(list) <= LIMIT, 'a returned list stays within the limit');
    return list;
  } catch (err) {
    if (err instanceof HpackError) return err;
    throw err;
  }
}

/** RFC 7541 Appendix C blocks, in order (C.4 requests, then C.6 responses with their own table). */
const VECTORS = [
  '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
  '8286 84be 5886 a8eb 1064 9cbf',
  '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
  '4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3',
  '4883 640e ffc1 c0bf',
].map(hex);

/** Byte-level mutations: flip, insert, delete, truncate. */
const mutation = fc.record({ op: fc.constantFrom('flip', 'insert', 'delete', 'truncate'), at: fc.nat(), byte: fc.nat(255) });
function mutate(input: Buffer, edits: { op: string; at: number; byte: number }[]): Buffer {
  let b = Buffer.from(input);
  for (const { op, at, byte } of edits) {
    const i = b.length === 0 ? 0 : at % (b.length + (op === 'insert' ? 1 : 0));
    if (op === 'flip' && b.length > 0) b[i % b.length] ^= byte || 1;
    else if (op === 'insert') b = Buffer.concat([b.subarray(0, i), Buffer.from([byte]), b.subarray(i)]);
    else if (op === 'delete') b = Buffer.concat([b.subarray(0, i), b.subarray(i + 1)]);
    else if (op === 'truncate') b = b.subarray(0, i);
  }
  return b;
}

test(`HPACK: random bytes decode or throw HpackError, never anything else (${RUNS * 5} runs)`, () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      decodeOrRefuse(new HpackDecoder(4096), Buffer.from(bytes));
    }),
    { numRuns: RUNS * 5 },
  );
});

test(`HPACK: mutated RFC 7541 vectors, one table across the blocks (${RUNS * 5} runs)`, () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(VECTORS.length - 1), fc.array(mutation, { maxLength: 4 })), { minLength: 1, maxLength: 6 }), (steps) => {
      const decoder = new HpackDecoder(4096);
      for (const [which, edits] of steps) {
        // After a refusal the table is out of step: the connection would end there.
        if (decodeOrRefuse(decoder, mutate(VECTORS[which], edits)) instanceof HpackError) return;
      }
    }),
    { numRuns: RUNS * 5 },
  );
});

test(`HPACK: what the encoder writes decodes to the same list (${RUNS * 5} runs)`, () => {
  const name = fc.stringMatching(/^[a-z0-9-]{1,20}$/);
  const value = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 200 });
  fc.assert(
    fc.property(fc.array(fc.tuple(name, value), { maxLength: 20 }), (fields) => {
      const block = Buffer.concat([Buffer.alloc(0), ...fields.map(([n, v]) => HpackEncoder.field(n, v))]);
      assert.deepEqual(new HpackDecoder(4096).decode(block), fields);
    }),
    { numRuns: RUNS * 5 },
  );
});

test(`Huffman: random bytes decode or throw HpackError (${RUNS * 5} runs)`, () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        const text = huffmanDecode(Buffer.from(bytes), 0, bytes.length);
        // 5 bits is the shortest code: a string can never outgrow 8/5 of its bytes.
        assert.ok(text.length <= Math.ceil((bytes.length * 8) / 5));
      } catch (err) {
        if (!(err instanceof HpackError)) throw err;
      }
    }),
    { numRuns: RUNS * 5 },
  );
});

describeFrameReader();

/** The frame reader through a real connection: one scripted server, one upstream (one connection) per run. */
function describeFrameReader(): void {
  let server: HostileServer;
  let next: (s: number) => Buffer = () => Buffer.alloc(0);
  before(async () => {
    server = await startHostileServer(async (peer) => {
      const s = await peer.nextStream();
      peer.write(next(s));
      peer.end();
    });
  });
  after(() => server.close());

  const anyFrame = fc
    .record({
      type: fc.oneof(fc.nat(10), fc.nat(255)),
      flags: fc.nat(255),
      stream: fc.oneof(fc.constantFrom(0, 1, 2, 3), fc.nat(2 ** 31 - 1)),
      payload: fc.uint8Array({ maxLength: 80 }),
    })
    .map(({ type, flags, stream, payload }) => frame(type, flags, stream, payload));
  const input = fc.oneof(
    fc.uint8Array({ maxLength: 2000 }).map((b) => (_s: number) => Buffer.from(b)),
    fc.array(anyFrame, { maxLength: 12 }).map((frames) => (s: number) => Buffer.concat([responseHeaders(s), ...frames])),
    fc.array(anyFrame, { maxLength: 12 }).map((frames) => () => Buffer.concat(frames)),
    fc.tuple(fc.uint8Array({ maxLength: 100 }), fc.array(mutation, { minLength: 1, maxLength: 6 })).map(([message, edits]) => (s: number) => mutate(reply(s, Buffer.from(message)), edits)),
    fc.tuple(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.nat(VECTORS.length - 1)).map(([edits, which]) => (s: number) => frame(T.HEADERS, F.END_HEADERS | F.END_STREAM, s, mutate(VECTORS[which], edits))),
  );

  test(`frame reader: random bytes, random frames and mutated replies end in a settled call, never INTERNAL_ERROR (${RUNS} runs)`, { timeout: 600_000 }, async () => {
    const codes = new Set<number>(Object.values(RST));
    const heapBefore = process.memoryUsage().heapUsed;
    await fc.assert(
      fc.asyncProperty(input, async (script) => {
        next = script;
        const seen = server.peers.length;
        const up = createHttp2Upstream(server.address, { keepaliveIntervalMs: 0 });
        const started = Date.now();
        try {
          const outcome = await up.unary({ path: '/fuzz.Me/Call', message: Buffer.from('x'), metadata: {}, deadlineMs: 5_000 }).then(
            () => undefined,
            (err: unknown) => err,
          );
          assert.ok(outcome === undefined || outcome instanceof GatewayError, `settles with a reply or a GatewayError, got ${String(outcome)}`);
          assert.ok(Date.now() - started < 3_000, 'settles long before its deadline');
          for (const peer of server.peers.slice(seen)) {
            for (const g of peer.goaways) {
              assert.ok(codes.has(g.code), `GOAWAY code ${g.code}`);
              assert.notEqual(g.code, RST.INTERNAL_ERROR, `an unexpected exception: ${g.debug}`);
            }
          }
        } finally {
          up.close();
        }
      }),
      { numRuns: RUNS },
    );
    const grown = process.memoryUsage().heapUsed - heapBefore;
    assert.ok(grown < 200 * 1024 * 1024, `heap grew ${grown} bytes`);
  });
}
