/**
 * The proto3 JSON mapping of src/mapping/message-json.ts (proto → JSON) and src/mapping/coerce.ts
 * (JSON → what protobufjs encodes), as case tables on the fixture type with every field kind
 * (test/rpc/fixtures/json-codec.proto). Every case goes through real protobufjs encoding and
 * decoding, since several of the bugs pinned here lived in the hand-over between the two: a
 * false bool map key encoded as true, 64-bit map keys rendered as protobufjs' hash strings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { compileMessageCoercer } from '../../src/mapping/coerce.js';
import { CoercionFailure } from '../../src/mapping/coercion-failure.js';
import { compileMessageRenderer, UnrenderableValue } from '../../src/mapping/message-json.js';

const fixture = new URL('../rpc/fixtures/json-codec.proto', import.meta.url).pathname;
const root = loadProtoRoot([fixture]);
const kinds = root.lookupType('prism.test.jsoncodec.v1.Kinds');
const render = compileMessageRenderer(kinds);
const coerce = compileMessageCoercer(kinds, 'json', {}, (code, _, message) => assert.fail(`${code}: ${message}`))!;

/** JSON → coerced plain object → bytes → decoded message → JSON. */
function roundTrip(json: unknown): unknown {
  const plain = coerce(json) as Record<string, unknown>;
  const bytes = kinds.encode(plain).finish();
  return render(kinds.decode(bytes));
}

function failureOf(fn: () => unknown): CoercionFailure {
  try {
    fn();
  } catch (err) {
    if (err instanceof CoercionFailure) return err;
    throw err;
  }
  assert.fail('expected a CoercionFailure');
}

function unrenderable(fn: () => unknown): UnrenderableValue {
  try {
    fn();
  } catch (err) {
    if (err instanceof UnrenderableValue) return err;
    throw err;
  }
  assert.fail('expected an UnrenderableValue');
}

const roundTrips: { name: string; json: Record<string, unknown>; expected?: Record<string, unknown> }[] = [
  { name: 'bool map keys, false included', json: { mBool: { false: { label: 'no' }, true: { label: 'yes' } } } },
  { name: 'int64 map keys beyond 2^53 and negative', json: { mInt64: { '9223372036854775807': 'max', '-9223372036854775808': 'min', '1': 'one' } } },
  { name: 'uint64, fixed64, sint64 and sfixed64 map keys', json: { mUint64: { '18446744073709551615': 'SHADE_DARK' }, mFixed64: { '12345678': 1.5 }, mSint64: { '-5': 2 }, mSfixed64: { '-7': 3 } } },
  { name: 'an 8-digit int64 key is a key, not a hash', json: { mInt64: { '12345678': 'eight digits' } } },
  { name: 'Any of a message', json: { any: { '@type': 'type.googleapis.com/prism.test.jsoncodec.v1.Leaf', label: 'packed', weight: '9007199254740993' } } },
  { name: 'Any of a well-known type with a JSON form of its own', json: { any: { '@type': 'type.googleapis.com/google.protobuf.Duration', value: '1.500s' } } },
  { name: 'repeated Any', json: { rAny: [{ '@type': 'type.googleapis.com/google.protobuf.Empty' }, { '@type': 'type.googleapis.com/google.protobuf.StringValue', value: 'x' }] } },
  { name: 'NullValue field set by null', json: { nullValue: null, fInt32: 1 }, expected: { fInt32: 1 } },
  { name: 'NullValue by name', json: { nullValue: 'NULL_VALUE', fInt32: 1 }, expected: { fInt32: 1 } },
  { name: 'a Value field set to null', json: { value: null } },
  { name: 'null inside Struct, ListValue and repeated Value', json: { struct: { a: null, b: [null, 1] }, list: [null], rValue: [null, 'x'] } },
  { name: 'null as "not set" for an ordinary field', json: { fString: null, leaf: null }, expected: {} },
  { name: 'enum by number', json: { shade: 2, rShade: [1, 'SHADE_NEGATIVE', -3] }, expected: { shade: 'SHADE_DARK', rShade: ['SHADE_LIGHT', 'SHADE_NEGATIVE', 'SHADE_NEGATIVE'] } },
  { name: 'an enum number the enum does not name stays a number (open enums)', json: { shade: 7 } },
  { name: 'int64 as a JSON number within 2^53', json: { fInt64: 9007199254740991, fUint64: -0 }, expected: { fInt64: '9007199254740991' } },
  { name: 'Timestamps at both ends of the range', json: { ts: '0001-01-01T00:00:00Z', rTs: ['9999-12-31T23:59:59.999999999Z', '0050-06-01T12:00:00.100Z'] } },
];

for (const c of roundTrips) {
  test(`round trip: ${c.name}`, () => {
    assert.deepEqual(JSON.parse(JSON.stringify(roundTrip(c.json))), c.expected ?? c.json);
  });
}

test('NullValue renders as null when emitted', () => {
  const full = compileMessageRenderer(kinds, { names: 'json', emitDefaults: true, int64: 'string' });
  const out = full(kinds.decode(kinds.encode({}).finish())) as Record<string, unknown>;
  assert.equal(out.nullValue, null);
});

const refused: { name: string; json: Record<string, unknown>; problem: string; at: string; message: RegExp }[] = [
  { name: 'int64 as a JSON number above 2^53', json: { fInt64: 9007199254740993 }, problem: 'range', at: 'fInt64', message: /int64 as a JSON number within ±9007199254740991 \(a larger value must be sent as a decimal string\), got 9007199254740992/ },
  { name: 'uint64 as a JSON number of 2^53', json: { leaf: { weight: 2 ** 53 } }, problem: 'range', at: 'leaf.weight', message: /got 9007199254740992/ },
  { name: 'repeated int64 below -2^53', json: { rInt64: [1, -(2 ** 60)] }, problem: 'range', at: 'rInt64[1]', message: /JSON number within/ },
  { name: 'the same field by proto name and JSON name', json: { f_int32: 1, fInt32: 2 }, problem: 'type', at: 'fInt32', message: /the field 'f_int32' once/ },
  { name: 'the same field by json_name and proto name', json: { customName: 'a', renamed: 'b' }, problem: 'type', at: 'renamed', message: /once/ },
  { name: 'a bool map key that is not a bool', json: { mBool: { yes: {} } }, problem: 'type', at: 'mBool.yes', message: /bool map key/ },
  { name: 'an Any of an unknown type', json: { any: { '@type': 'type.googleapis.com/no.Such' } }, problem: 'type', at: 'any.@type', message: /a message type the gateway knows/ },
];

for (const c of refused) {
  test(`refused: ${c.name}`, () => {
    const failure = failureOf(() => coerce(c.json));
    assert.equal(failure.problem, c.problem);
    assert.equal(failure.at, c.at);
    assert.match(failure.message, c.message);
  });
}

const unrenderables: { name: string; message: Record<string, unknown>; at: string; text: RegExp }[] = [
  { name: 'a Timestamp after 9999', message: { ts: { seconds: '253402300800' } }, at: 'ts', text: /0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z/ },
  { name: 'a Timestamp far beyond what Date holds', message: { ts: { seconds: '9000000000000000' } }, at: 'ts', text: /9999-12-31/ },
  { name: 'a Timestamp before year 1', message: { r_ts: [{ seconds: '0' }, { seconds: '-62135596801' }] }, at: 'rTs[1]', text: /0001-01-01/ },
  { name: 'a Value holding NaN', message: { value: { numberValue: NaN } }, at: 'value', text: /NaN or Infinity/ },
  { name: 'a Struct member holding Infinity', message: { struct: { fields: { deep: { listValue: { values: [{ numberValue: Infinity }] } } } } }, at: 'struct.deep[0]', text: /NaN or Infinity/ },
  { name: 'a Duration beyond 10,000 years', message: { m_dur: { k: { seconds: '315576000001' } } }, at: 'mDur.k', text: /within/ },
  { name: 'an Any of a type the root does not have', message: { any: { type_url: 'type.googleapis.com/no.Such', value: new Uint8Array() } }, at: 'any', text: /does not know/ },
];

for (const c of unrenderables) {
  test(`no JSON form: ${c.name}`, () => {
    const decoded = kinds.decode(kinds.encode(kinds.fromObject(c.message)).finish());
    const failure = unrenderable(() => render(decoded));
    assert.equal(failure.at, c.at);
    assert.match(failure.message, c.text);
  });
}

test('a 64-bit map key hash made of 8 non-digit characters is converted', () => {
  const decoded = kinds.decode(kinds.encode({ m_uint64: { '1': 1, '4294967296': 2 } }).finish());
  assert.deepEqual(Object.keys((decoded as unknown as { m_uint64: object }).m_uint64).every((k) => k.length === 8), true, 'protobufjs keys decoded 64-bit maps by hash');
  assert.deepEqual(JSON.parse(JSON.stringify(render(decoded))), { mUint64: { '1': 'SHADE_LIGHT', '4294967296': 'SHADE_DARK' } });
});

test('protobufjs itself would encode a "false" bool map key as true (why coerce writes "")', () => {
  const decoded = kinds.decode(kinds.encode({ m_bool: { false: { label: 'x' } } }).finish()) as unknown as { m_bool: Record<string, unknown> };
  assert.deepEqual(Object.keys(decoded.m_bool), ['true']);
  assert.ok(protobuf.util.Long, 'the long package is present, so 64-bit decimal strings encode exactly');
});
