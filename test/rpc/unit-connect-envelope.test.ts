/**
 * Connect envelopes (src/rpc/connect-envelope.ts): what we encode connect-es decodes (its envelope
 * reader and end-stream parser), what connect-es encodes we decode, and a body that ends inside
 * an envelope or uses a reserved flag is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Code as ConnectCode } from '@connectrpc/connect';
import { createEnvelopeReadableStream, encodeEnvelopes } from '@connectrpc/connect/protocol';
import { endStreamFromJson } from '@connectrpc/connect/protocol-connect';
import { Code, gatewayError, GatewayReason } from '../../src/core/gateway-error.js';
import { decodeEnvelopes, encodeEnvelope, endStreamEnvelope, ENVELOPE_END_STREAM } from '../../src/rpc/connect-envelope.js';
import { ErrorInfoSchema } from './gen/google/rpc/error_details_pb.js';
import { refusal } from './refusal.js';

async function readWithConnectEs(bytes: Uint8Array): Promise<{ flags: number; data: Uint8Array }[]> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      // In two chunks split mid-envelope: the reader must not care where chunks end.
      const cut = Math.floor(bytes.length / 2);
      controller.enqueue(bytes.subarray(0, cut));
      controller.enqueue(bytes.subarray(cut));
      controller.close();
    },
  });
  const out: { flags: number; data: Uint8Array }[] = [];
  const reader = createEnvelopeReadableStream(source).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push({ flags: value.flags, data: value.data });
  }
}

const envelopes = fc.array(fc.record({ flags: fc.constantFrom(0, 1), data: fc.uint8Array({ maxLength: 300 }) }), { maxLength: 8 });

test('our envelopes read back through connect-es, and connect-es envelopes through ours', async () => {
  await fc.assert(
    fc.asyncProperty(envelopes, async (list) => {
      const ours = Buffer.concat(list.map((e) => encodeEnvelope(e.flags, e.data)));
      assert.ok(Buffer.from(encodeEnvelopes(...list)).equals(ours), 'byte for byte what connect-es writes');
      const back = await readWithConnectEs(ours);
      assert.deepEqual(back.map((e) => [e.flags, Buffer.from(e.data)]), list.map((e) => [e.flags, Buffer.from(e.data)]));
      const decoded = decodeEnvelopes(ours);
      assert.deepEqual(decoded.map((e) => [e.flags, Buffer.from(e.data)]), list.map((e) => [e.flags, Buffer.from(e.data)]));
    }),
    { numRuns: 200 },
  );
});

test('every truncation of a body is refused as a malformed body, naming what is missing', () => {
  const body = Buffer.concat([encodeEnvelope(0, Buffer.from('{"a":1}')), encodeEnvelope(0, Buffer.from('{}'))]);
  const whole = encodeEnvelope(0, Buffer.from('{"a":1}')).length;
  for (let cut = 1; cut < body.length; cut++) {
    if (cut === whole) continue; // a whole first envelope: a complete body
    const err = refusal(() => decodeEnvelopes(body.subarray(0, cut)));
    assert.equal(err.code, Code.INVALID_ARGUMENT);
    assert.equal(err.reason, GatewayReason.MALFORMED_BODY);
    assert.match(err.message, /incomplete envelope|promised \d+ bytes in enveloped message, got \d+ bytes/);
  }
  assert.deepEqual(decodeEnvelopes(Buffer.alloc(0)), []);
});

test('reserved flags are refused; end-stream only where a response is read', () => {
  for (const flags of [0x04, 0x08, 0x80, 0x03 | 0x40]) {
    const err = refusal(() => decodeEnvelopes(encodeEnvelope(flags, Buffer.from('x')), { allowEndStream: true }));
    assert.equal(err.reason, GatewayReason.MALFORMED_BODY);
    assert.match(err.message, new RegExp(`invalid envelope flags ${flags}`));
  }
  const end = encodeEnvelope(ENVELOPE_END_STREAM, Buffer.from('{}'));
  assert.match(refusal(() => decodeEnvelopes(end)).message, /invalid envelope flags 2/);
  assert.deepEqual(decodeEnvelopes(end, { allowEndStream: true }).map((e) => e.flags), [2]);
});

test('an envelope over the message limit is refused before its bytes are read', () => {
  const header = Buffer.from([0, 0, 0x10, 0, 0]); // promises 1 MiB, sends nothing
  const err = refusal(() => decodeEnvelopes(header, { maxMessageBytes: 1024 }));
  assert.equal(err.code, Code.RESOURCE_EXHAUSTED);
  assert.equal(err.reason, GatewayReason.PAYLOAD_TOO_LARGE);
  assert.match(err.message, /message size 1048576 is larger than configured max 1024/);
  assert.equal(decodeEnvelopes(encodeEnvelope(0, Buffer.alloc(1024)), { maxMessageBytes: 1024 })[0].data.length, 1024);
});

test('end of stream: {} after success, the error and the trailers after a failure, as connect-es reads them', async () => {
  const ok = endStreamEnvelope();
  const [okEnvelope] = await readWithConnectEs(ok);
  assert.equal(okEnvelope.flags, 2);
  assert.equal(Buffer.from(okEnvelope.data).toString(), '{}');
  const okRead = endStreamFromJson(okEnvelope.data);
  assert.equal(okRead.error, undefined);

  const failed = endStreamEnvelope(gatewayError(Code.UNAVAILABLE, GatewayReason.SHUTTING_DOWN, 'shutting down'), { 'X-Cost': '237' });
  const [envelope] = await readWithConnectEs(failed);
  assert.equal(envelope.flags, 2);
  const wire = JSON.parse(Buffer.from(envelope.data).toString());
  assert.deepEqual(wire.metadata, { 'x-cost': ['237'] });
  const read = endStreamFromJson(envelope.data);
  assert.equal(read.error?.code, ConnectCode.Unavailable);
  assert.equal(read.error?.rawMessage, 'shutting down');
  assert.equal(read.error?.findDetails(ErrorInfoSchema)[0].reason, 'SHUTTING_DOWN');
  assert.equal(read.metadata.get('x-cost'), '237');
});
