/**
 * The streamed body splitter: JSON values concatenated or separated by whitespace, cut into
 * chunks anywhere (inside strings, escapes and UTF-8 characters), come out whole and in order;
 * a value cut short at the end comes out as it is, for JSON.parse to refuse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createJsonSequenceSplitter } from '../../src/mapping/json-sequence.js';

function split(body: Buffer, cuts: number[], max = 1 << 20): string[] {
  const splitter = createJsonSequenceSplitter(max);
  const out: string[] = [];
  let from = 0;
  for (const at of [...cuts].sort((a, b) => a - b)) {
    out.push(...splitter.push(body.subarray(from, at)));
    from = at;
  }
  out.push(...splitter.push(body.subarray(from)));
  out.push(...splitter.end());
  return out;
}

test('values in any JSON form, any separators, any chunking: each value once, in order', () => {
  const separator = fc.constantFrom('', ' ', '\n', '\r\n', '\t \n');
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.jsonValue(), separator), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), (items, rawCuts) => {
      // Scalars need a separator from what follows (`12` then `3` would read as 123).
      const text = items.map(([v, sep]) => JSON.stringify(v) + (typeof v === 'object' && v !== null ? sep : sep || ' ')).join('');
      const body = Buffer.from(text, 'utf8');
      const cuts = rawCuts.map((c) => (body.length === 0 ? 0 : c % body.length));
      assert.deepEqual(split(body, cuts).map((t) => JSON.parse(t) as unknown), items.map(([v]) => JSON.parse(JSON.stringify(v)) as unknown));
    }),
    { numRuns: 500 },
  );
});

test('brackets and quotes inside strings do not end a value; escapes are honoured', () => {
  const body = Buffer.from('{"a":"}{\\"]"}["x\\\\",{"b":"é😀"}]"top \\" level"');
  assert.deepEqual(split(body, [3, 9, 20, 27, 28]), ['{"a":"}{\\"]"}', '["x\\\\",{"b":"é😀"}]', '"top \\" level"']);
});

test('a value cut short, or a stray closing bracket, comes out for JSON.parse to refuse', () => {
  assert.deepEqual(split(Buffer.from('{"a":1} {"b":'), []), ['{"a":1}', '{"b":']);
  assert.deepEqual(split(Buffer.from('] {"a":1}'), []), [']', '{"a":1}']);
});

test('a value larger than the limit is refused while it is still arriving (PAYLOAD_TOO_LARGE)', () => {
  const splitter = createJsonSequenceSplitter(16);
  assert.deepEqual(splitter.push(Buffer.from('{"a":1} ')), ['{"a":1}']);
  assert.throws(() => splitter.push(Buffer.from('{"long":"' + 'x'.repeat(20))), (err: { reason?: string }) => err.reason === 'PAYLOAD_TOO_LARGE');
});
