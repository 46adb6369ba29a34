/**
 * Request decompression (src/rpc/compression.ts): identity and gzip, bounded output (a gzip bomb
 * is refused at the limit), unknown codings refused with the supported ones listed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { Code, GatewayReason } from '../../src/core/gateway-error.js';
import { decompress, isSupportedEncoding } from '../../src/rpc/compression.js';
import { refusal } from './refusal.js';

test('gzip and identity round trips within the limit', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4096 }), (data) => {
      assert.deepEqual(Buffer.from(decompress('gzip', gzipSync(data), 4096)), Buffer.from(data));
      assert.deepEqual(Buffer.from(decompress('identity', data, 4096)), Buffer.from(data));
      assert.deepEqual(Buffer.from(decompress(undefined, data, 4096)), Buffer.from(data));
    }),
    { numRuns: 100 },
  );
});

test('the limit is exact: maxBytes inflate, maxBytes + 1 are refused', () => {
  const data = Buffer.alloc(1000, 7);
  assert.equal(decompress('gzip', gzipSync(data), 1000).length, 1000);
  const err = refusal(() => decompress('gzip', gzipSync(data), 999));
  assert.equal(err.code, Code.RESOURCE_EXHAUSTED);
  assert.equal(err.reason, GatewayReason.PAYLOAD_TOO_LARGE);
  assert.match(err.message, /larger than configured max 999/);
  assert.equal(refusal(() => decompress('identity', data, 999)).code, Code.RESOURCE_EXHAUSTED);
  assert.equal(refusal(() => decompress('gzip', gzipSync(Buffer.from('x')), 0)).code, Code.RESOURCE_EXHAUSTED);
});

test('a gzip bomb is refused without inflating it whole', () => {
  // 64 MiB of zeros is ~64 KiB of gzip; inflating it whole would show in the buffers' memory.
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
  const before = process.memoryUsage().arrayBuffers;
  const err = refusal(() => decompress('gzip', bomb, 1024 * 1024));
  assert.equal(err.code, Code.RESOURCE_EXHAUSTED);
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < 32 * 1024 * 1024, `grew ${grown} bytes`);
});

test('zero-length data is never decompressed, whatever the coding says', () => {
  assert.equal(decompress('gzip', new Uint8Array(0), 10).length, 0);
});

test('corrupt gzip is a malformed body', () => {
  for (const bad of [Buffer.from('not gzip at all'), gzipSync(Buffer.from('hello world')).subarray(0, 12)]) {
    const err = refusal(() => decompress('gzip', bad, 1000));
    assert.equal(err.code, Code.INVALID_ARGUMENT);
    assert.equal(err.reason, GatewayReason.MALFORMED_BODY);
    assert.match(err.message, /^decompress: /);
  }
});

test('an unknown coding is UNIMPLEMENTED and lists the supported ones', () => {
  for (const encoding of ['br', 'zstd', 'GZIP', 'deflate']) {
    assert.equal(isSupportedEncoding(encoding), false);
    const err = refusal(() => decompress(encoding, Buffer.from('x'), 10));
    assert.equal(err.code, Code.UNIMPLEMENTED);
    assert.equal(err.message, `unknown compression "${encoding}": supported encodings are gzip, identity`);
  }
  assert.ok(isSupportedEncoding(undefined) && isSupportedEncoding('') && isSupportedEncoding('identity') && isSupportedEncoding('gzip'));
});
