/**
 * HPACK against the examples of RFC 7541 Appendix C (Huffman strings, the dynamic table and
 * its eviction), its error cases, and the encoder's literals read back by the decoder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HpackDecoder, HpackEncoder, HpackError, huffmanDecode } from '../../src/upstream/hpack.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

test('C.4: three requests with Huffman-coded strings share one dynamic table', () => {
  const decoder = new HpackDecoder(4096);
  assert.deepEqual(decoder.decode(hex('8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff')), [
    [':method', 'GET'],
    [':scheme', 'http'],
    [':path', '/'],
    [':authority', 'www.example.com'],
  ]);
  assert.deepEqual(decoder.decode(hex('8286 84be 5886 a8eb 1064 9cbf')), [
    [':method', 'GET'],
    [':scheme', 'http'],
    [':path', '/'],
    [':authority', 'www.example.com'],
    ['cache-control', 'no-cache'],
  ]);
  assert.deepEqual(decoder.decode(hex('8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf')), [
    [':method', 'GET'],
    [':scheme', 'https'],
    [':path', '/index.html'],
    [':authority', 'www.example.com'],
    ['custom-key', 'custom-value'],
  ]);
});

test('C.6: responses in a 256-octet table evict the oldest entries', () => {
  const decoder = new HpackDecoder(256);
  const first = decoder.decode(hex('4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3'));
  assert.deepEqual(first, [
    [':status', '302'],
    ['cache-control', 'private'],
    ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
    ['location', 'https://www.example.com'],
  ]);
  // ":status: 307" pushes ":status: 302" out; the other three are found by index.
  assert.deepEqual(decoder.decode(hex('4883 640e ffc1 c0bf')), [
    [':status', '307'],
    ['cache-control', 'private'],
    ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
    ['location', 'https://www.example.com'],
  ]);
});

test('malformed blocks are refused', () => {
  const cases: [string, Buffer][] = [
    ['an index past both tables', hex('be')],
    ['index 0', hex('80')],
    ['a truncated integer', hex('ff')],
    ['a truncated string', hex('0003 6e61')],
    ['a table size above the limit', hex('3fe2 1f')],
    ['an integer past 32 bits', hex('ff ffff ffff 7f')],
  ];
  for (const [name, block] of cases) assert.throws(() => new HpackDecoder(4096).decode(block), HpackError, name);
});

test('Huffman: padding must be short and all ones; EOS is not a symbol', () => {
  // "a" is 00011 (5 bits); padded with three 1 bits it is 0x1f.
  assert.equal(huffmanDecode(hex('1f'), 0, 1), 'a');
  assert.throws(() => huffmanDecode(hex('18'), 0, 1), HpackError, 'padding of zeros');
  assert.throws(() => huffmanDecode(hex('1fff'), 0, 2), HpackError, 'padding longer than 7 bits');
  assert.throws(() => huffmanDecode(hex('ffff fffc'), 0, 4), HpackError, 'EOS');
});

test('the encoder writes literals the decoder reads back, with indexed names and long values', () => {
  const fields: [string, string][] = [
    [':path', '/prism.patterns.registry.v1.Registry/GetSchemaById'],
    [':authority', '127.0.0.1:9091'],
    ['content-type', 'application/grpc'],
    ['te', 'trailers'],
    ['x-request-id', 'a'.repeat(300)],
    ['grpc-timeout', '5000m'],
    ['empty', ''],
  ];
  const block = Buffer.concat([HpackEncoder.indexed(':method', 'POST'), ...fields.map(([n, v]) => HpackEncoder.field(n, v))]);
  const decoder = new HpackDecoder(4096);
  assert.deepEqual(decoder.decode(block), [[':method', 'POST'], ...fields]);
  // Literals without indexing leave the table empty: the same block decodes the same again.
  assert.deepEqual(decoder.decode(block), [[':method', 'POST'], ...fields]);
});
