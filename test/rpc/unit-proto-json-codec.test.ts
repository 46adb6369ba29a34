/**
 * The proto3 JSON codec (src/rpc/proto-json-codec.ts) against the reference implementation,
 * @bufbuild/protobuf 2 (protobuf-es), on one test type with every field kind
 * (test/rpc/fixtures/json-codec.proto, compiled for protobuf-es by `buf build`):
 * - random messages: the reference writes their bytes; our JSON of those bytes must be the
 *   reference's JSON, and our bytes of that JSON (and of the looser JSON the message was made
 *   from: proto names, numbers as strings, URL-safe base64, nulls) must be the same message;
 * - case tables for the forms the mapping pins (Timestamp digits, Duration, Any, 64-bit keys);
 * - what is refused and how: a type error names the field's path; unknown fields and enum names
 *   are dropped, as connect-go's codec does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { createFileRegistry, fromBinary, fromJson, toBinary, toJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { Code, GatewayReason } from '../../src/core/gateway-error.js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { jsonCodecFor } from '../../src/rpc/proto-json-codec.js';
import { refusal } from './refusal.js';

const root = new URL('../..', import.meta.url).pathname;
const fixtureDir = new URL('./fixtures', import.meta.url).pathname;
const protoRoot = loadProtoRoot([`${fixtureDir}/json-codec.proto`]);
const kinds = protoRoot.lookupType('prism.test.jsoncodec.v1.Kinds');
const codec = jsonCodecFor(kinds);

// The same file as protobuf-es sees it: buf compiles it (with the well-known types it imports).
const image = execFileSync(`${root}/node_modules/.bin/buf`, ['build', fixtureDir, '-o', '-'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, image));
const schema = registry.getMessage('prism.test.jsoncodec.v1.Kinds') as DescMessage;

/** The reference's canonical JSON of binary bytes (through JSON text, so -0 reads as 0). */
function referenceJson(bytes: Uint8Array): unknown {
  return JSON.parse(JSON.stringify(toJson(schema, fromBinary(schema, bytes), { registry })));
}
function referenceBytes(json: unknown): Uint8Array {
  return toBinary(schema, fromJson(schema, json as JsonValue, { registry }));
}

// ---------------------------------------------------------------------------------------------
// Random messages, generated from the protobufjs descriptor as (loose) proto3 JSON.

const INT32 = fc.integer({ min: -2147483648, max: 2147483647 });
const UINT32 = fc.integer({ min: 0, max: 4294967295 });
const INT64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const UINT64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const loose = (n: fc.Arbitrary<number | bigint>) => fc.oneof(n.map(String), n.map((v) => (Number.isSafeInteger(Number(v)) ? Number(v) : String(v))));
const special = (n: number): number | string => (Number.isNaN(n) ? 'NaN' : n === Infinity ? 'Infinity' : n === -Infinity ? '-Infinity' : n);
const text = fc.string({ unit: 'grapheme', maxLength: 6 });
const mapKeyText = text.filter((k) => k !== '__proto__');
const base64 = fc.uint8Array({ maxLength: 8 }).chain((b) => fc.constantFrom(Buffer.from(b).toString('base64'), Buffer.from(b).toString('base64url')));
const json = fc.jsonValue({ maxDepth: 2 });

function scalar(kind: string): fc.Arbitrary<unknown> {
  switch (kind) {
    case 'int32': case 'sint32': case 'sfixed32': return loose(INT32);
    case 'uint32': case 'fixed32': return loose(UINT32);
    case 'int64': case 'sint64': case 'sfixed64': return loose(INT64);
    case 'uint64': case 'fixed64': return loose(UINT64);
    case 'float': return fc.float().map(special);
    case 'double': return fc.double().map(special);
    case 'bool': return fc.boolean();
    case 'string': return text;
    case 'bytes': return base64;
    default: throw new Error(kind);
  }
}

function mapKey(kind: string): fc.Arbitrary<string> {
  switch (kind) {
    case 'string': return mapKeyText;
    case 'bool': return fc.constantFrom('true', 'false');
    case 'int32': case 'sint32': case 'sfixed32': return INT32.map(String);
    case 'uint32': case 'fixed32': return UINT32.map(String);
    case 'int64': case 'sint64': case 'sfixed64': return INT64.map(String);
    default: return UINT64.map(String);
  }
}

const pad9 = (n: number) => String(n).padStart(9, '0').replace(/0+$/, '');
const timestamp = fc.tuple(fc.bigInt({ min: -62135596800n, max: 253402300799n }), fc.integer({ min: 0, max: 999_999_999 })).map(([s, n]) => `${new Date(Number(s) * 1000).toISOString().slice(0, 19)}${n ? '.' + pad9(n) : ''}Z`);
const duration = fc.tuple(fc.bigInt({ min: -315576000000n, max: 315576000000n }), fc.integer({ min: 0, max: 999_999_999 }), fc.boolean()).map(([s, n, negativeZero]) => {
  const negative = s < 0n || (s === 0n && n > 0 && negativeZero);
  return `${negative ? '-' : ''}${s < 0n ? -s : s}${n ? '.' + pad9(n) : ''}s`;
});
const snake = fc.stringMatching(/^[a-z]{1,4}(_[a-z]{1,4}){0,2}$/);
const fieldMask = fc.array(fc.array(snake, { minLength: 1, maxLength: 2 }).map((p) => p.join('.').replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())), { maxLength: 3 }).map((paths) => paths.join(','));
const WRAPPED: Record<string, string> = { DoubleValue: 'double', FloatValue: 'float', Int64Value: 'int64', UInt64Value: 'uint64', Int32Value: 'int32', UInt32Value: 'uint32', BoolValue: 'bool', StringValue: 'string', BytesValue: 'bytes' };

function message(type: protobuf.Type, depth: number): fc.Arbitrary<unknown> {
  const name = type.fullName.replace(/^\./, '');
  switch (name) {
    case 'google.protobuf.Timestamp': return timestamp;
    case 'google.protobuf.Duration': return duration;
    case 'google.protobuf.FieldMask': return fieldMask;
    case 'google.protobuf.Struct': return fc.dictionary(mapKeyText, json, { maxKeys: 3 });
    case 'google.protobuf.Value': return json;
    case 'google.protobuf.ListValue': return fc.array(json, { maxLength: 3 });
    case 'google.protobuf.Empty': return fc.constant({});
    case 'google.protobuf.Any':
      return fc.oneof(
        fc.constant({}),
        message(protoRoot.lookupType('prism.test.jsoncodec.v1.Leaf'), depth + 1).map((leaf) => ({ '@type': 'type.googleapis.com/prism.test.jsoncodec.v1.Leaf', ...(leaf as object) })),
        timestamp.map((value) => ({ '@type': 'type.googleapis.com/google.protobuf.Timestamp', value })),
        json.map((value) => ({ '@type': 'type.googleapis.com/google.protobuf.Value', value })),
        loose(INT32).map((value) => ({ value, '@type': 'type.googleapis.com/google.protobuf.Int32Value' })),
      );
  }
  const wrapped = WRAPPED[name.replace('google.protobuf.', '')];
  if (name.startsWith('google.protobuf.') && wrapped) return scalar(wrapped);
  type.resolveAll();
  const plain: Record<string, fc.Arbitrary<unknown>> = {};
  const oneofs = new Map<string, protobuf.Field[]>();
  for (const field of type.fieldsArray) {
    if (depth >= 2 && field.resolvedType instanceof protobuf.Type && !field.resolvedType.fullName.startsWith('.google.')) continue;
    if (field.partOf && field.partOf.fieldsArray.length > 1) {
      oneofs.set(field.partOf.name, [...(oneofs.get(field.partOf.name) ?? []), field]);
      continue;
    }
    plain[field.name] = fieldValue(field, depth);
  }
  const choices = [...oneofs.values()].map((members) => fc.option(fc.oneof(...members.map((m) => fieldValue(m, depth).map((v) => [m.name, v] as const))), { nil: undefined }));
  return fc.tuple(fc.record(plain, { requiredKeys: [] }), fc.tuple(...choices), fc.boolean()).map(([fields, chosen, jsonNames]) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) out[jsonNames ? type.fields[k].options?.json_name ?? camel(k) : k] = v;
    for (const c of chosen) if (c) out[jsonNames ? camel(c[0]) : c[0]] = c[1];
    return out;
  });
}

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function element(field: protobuf.Field, depth: number): fc.Arbitrary<unknown> {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    if (resolved.fullName === '.google.protobuf.NullValue') return fc.constantFrom(null, 'NULL_VALUE');
    return fc.oneof(fc.constantFrom(...Object.keys(resolved.values)), fc.constantFrom(...Object.values(resolved.values), 7));
  }
  if (resolved instanceof protobuf.Type) return message(resolved, depth + 1);
  return scalar(field.type);
}

function fieldValue(field: protobuf.Field, depth: number): fc.Arbitrary<unknown> {
  field.resolve();
  if (field.map) return fc.dictionary(mapKey((field as unknown as protobuf.MapField).keyType), element(field, depth), { maxKeys: 3 });
  if (field.repeated) return fc.array(element(field, depth), { maxLength: 3 });
  return element(field, depth);
}

const messages = message(kinds, 0);

test('random messages: our JSON of the reference bytes is the reference JSON, and our bytes read back the same', () => {
  fc.assert(
    fc.property(messages, (loose) => {
      const input = JSON.parse(JSON.stringify(loose));
      const bytes = referenceBytes(input);
      const expected = referenceJson(bytes);
      const ours = codec.toJson(bytes);
      assert.deepStrictEqual(JSON.parse(ours), expected, 'binary → JSON');
      assert.deepStrictEqual(referenceJson(codec.fromJson(ours)), expected, 'canonical JSON → binary');
      assert.deepStrictEqual(referenceJson(codec.fromJson(JSON.stringify(input))), expected, 'loose JSON → binary');
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
  );
});

// ---------------------------------------------------------------------------------------------
// Case tables: each JSON input, the canonical JSON both implementations write for it.

const CASES: [label: string, input: Record<string, unknown>, canonical: Record<string, unknown>][] = [
  ['defaults are left out', { fInt32: 0, fString: '', fBool: false, fBytes: '', shade: 'SHADE_UNSPECIFIED', rInt32: [], mString: {} }, {}],
  ['proto3 optional keeps a set default', { optInt32: 0, optString: '', optBool: false, optShade: 0 }, { optInt32: 0, optString: '', optBool: false, optShade: 'SHADE_UNSPECIFIED' }],
  ['oneof keeps a set default', { choice_number: '0' }, { choiceNumber: '0' }],
  ['64-bit integers are strings', { f_int64: -9007199254740991, fUint64: '18446744073709551615', fSfixed64: '-9223372036854775808' }, { fInt64: '-9007199254740991', fUint64: '18446744073709551615', fSfixed64: '-9223372036854775808' }],
  ['numbers as strings', { fInt32: '-12', fUint32: '4294967295', fDouble: '1.5e3', fFloat: '-0.25' }, { fInt32: -12, fUint32: 4294967295, fDouble: 1500, fFloat: -0.25 }],
  ['non-finite floats are strings', { fDouble: 'NaN', fFloat: '-Infinity', rDouble: ['Infinity', 1] }, { fDouble: 'NaN', fFloat: '-Infinity', rDouble: ['Infinity', 1] }],
  ['enums by name; numbers the enum has no name for stay numbers', { shade: 2, rShade: ['SHADE_LIGHT', 9, -3] }, { shade: 'SHADE_DARK', rShade: ['SHADE_LIGHT', 9, 'SHADE_NEGATIVE'] }],
  ['bytes: URL-safe and unpadded in, standard and padded out', { fBytes: '-_8', rBytes: ['+/8=', 'AQ'] }, { fBytes: '+/8=', rBytes: ['+/8=', 'AQ=='] }],
  ['json_name', { renamed: 'a' }, { customName: 'a' }],
  ['map keys of every kind', { mInt64: { '-1': 'a' }, mBool: { false: {}, true: { label: 'x' } }, mUint64: { '18446744073709551615': 'SHADE_DARK' }, mSint64: { '-9223372036854775808': 1.5 }, mFixed32: { '4294967295': true } },
    { mInt64: { '-1': 'a' }, mBool: { false: {}, true: { label: 'x' } }, mUint64: { '18446744073709551615': 'SHADE_DARK' }, mSint64: { '-9223372036854775808': 1.5 }, mFixed32: { '4294967295': true } }],
  ['Timestamp with 0, 3, 6 and 9 fractional digits', { rTs: ['1970-01-01T00:00:00Z', '2026-12-03T07:00:00.1Z', '2026-12-03T07:00:00.000123Z', '0001-01-01T00:00:00.000000001Z', '2026-12-03T08:00:00+01:00'] },
    { rTs: ['1970-01-01T00:00:00Z', '2026-12-03T07:00:00.100Z', '2026-12-03T07:00:00.000123Z', '0001-01-01T00:00:00.000000001Z', '2026-12-03T07:00:00Z'] }],
  ['Duration', { dur: '1.5s', mDur: { a: '-0.000001s', b: '315576000000s', c: '0s' } }, { dur: '1.500s', mDur: { a: '-0.000001s', b: '315576000000s', c: '0s' } }],
  ['FieldMask', { mask: 'fooBar,a.bC' }, { mask: 'fooBar,a.bC' }],
  ['wrappers are plain values, a set default included', { wInt32: 0, wInt64: '5', wBool: false, wString: '', wBytes: 'AQ', wFloat: 'NaN', rWInt32: [1, 0] }, { wInt32: 0, wInt64: '5', wBool: false, wString: '', wBytes: 'AQ==', wFloat: 'NaN', rWInt32: [1, 0] }],
  ['Struct, Value, ListValue; null is the null value', { struct: { a: null, b: [1, 'x', { c: true }] }, value: null, list: [null, {}], rValue: [null, 2], mValue: { k: null } }, { struct: { a: null, b: [1, 'x', { c: true }] }, value: null, list: [null, {}], rValue: [null, 2], mValue: { k: null } }],
  ['Empty and NullValue', { empty: {}, nullValue: null }, { empty: {} }],
  ['Any: fields inline, custom JSON under value, empty', { any: { label: 'x', '@type': 'type.googleapis.com/prism.test.jsoncodec.v1.Leaf' }, rAny: [{ '@type': 'type.googleapis.com/google.protobuf.Duration', value: '2s' }, {}, { '@type': 'type.googleapis.com/google.protobuf.Any', value: { '@type': 'type.googleapis.com/google.protobuf.Empty' } }] },
    { any: { '@type': 'type.googleapis.com/prism.test.jsoncodec.v1.Leaf', label: 'x' }, rAny: [{ '@type': 'type.googleapis.com/google.protobuf.Duration', value: '2s' }, {}, { '@type': 'type.googleapis.com/google.protobuf.Any', value: { '@type': 'type.googleapis.com/google.protobuf.Empty' } }] }],
  ['null is "not set" for everything else', { fInt32: null, leaf: null, rInt32: null, mString: null, ts: null, wInt32: null, choiceText: null, choiceNumber: '3' }, { choiceNumber: '3' }],
  ['recursion', { leaf: { next: { next: { label: 'deep', weight: 1 } } } }, { leaf: { next: { next: { label: 'deep', weight: '1' } } } }],
];

for (const [label, input, canonical] of CASES) {
  test(`case: ${label}`, () => {
    const reference = referenceJson(referenceBytes(input));
    assert.deepStrictEqual(reference, canonical, 'the reference agrees with the pinned form');
    const bytes = codec.fromJson(JSON.stringify(input));
    assert.deepStrictEqual(referenceJson(bytes), canonical, 'our bytes');
    assert.deepStrictEqual(JSON.parse(codec.toJson(bytes)), canonical, 'our JSON');
  });
}

// ---------------------------------------------------------------------------------------------
// Refusals and what is dropped.

test('type errors are INVALID_ARGUMENT / MALFORMED_BODY naming the field path; the reference refuses them too', () => {
  // `stricter`: protobuf-es accepts it, connect-go's protojson (and we) refuse it.
  const cases: [input: string, field: string, expected: RegExp, stricter?: 'stricter'][] = [
    ['{"fInt32":"x"}', 'fInt32', /expected an integer \(int32\), got "x"/],
    ['{"fInt32":1.5}', 'fInt32', /integer/],
    ['{"fInt32":2147483648}', 'fInt32', /int32 in \[/],
    ['{"fUint64":"-1"}', 'fUint64', /uint64 in \[/],
    ['{"fFloat":1e39}', 'fFloat', /float/],
    ['{"fBool":"true"}', 'fBool', /a boolean/],
    ['{"fBytes":"***"}', 'fBytes', /base64/],
    ['{"leaf":{"next":{"weight":1.5}}}', 'leaf.next.weight', /int64/],
    ['{"rLeaf":[{},{"label":3}]}', 'rLeaf[1].label', /a string, got 3/],
    ['{"rInt32":[1,null]}', 'rInt32[1]', /null/],
    ['{"rInt32":5}', 'rInt32', /a JSON array/],
    ['{"mInt64":{"x":"a"}}', 'mInt64.x', /int64/],
    ['{"mBool":{"yes":{}}}', 'mBool.yes', /bool map key/],
    ['{"mString":{"a":null}}', 'mString.a', /null/],
    ['{"leaf":"x"}', 'leaf', /a JSON object \(prism.test.jsoncodec.v1.Leaf\)/],
    ['{"ts":"2026-02-30T00:00:00Z"}', 'ts', /RFC 3339/, 'stricter'],
    ['{"dur":"1m"}', 'dur', /duration/],
    ['{"shade":true}', 'shade', /one of SHADE_UNSPECIFIED/],
    ['{"choiceText":"a","choiceNumber":"1"}', 'choiceNumber', /at most one field of oneof 'choice'/],
    // JSON.parse has rounded it already: refused rather than sent on changed.
    ['{"fInt64":-9007199254740993}', 'fInt64', /int64 as a JSON number within ±9007199254740991 \(a larger value must be sent as a decimal string\)/, 'stricter'],
    ['{"fInt32":1,"f_int32":2}', 'f_int32', /one of 'f_int32' and 'fInt32'/],
    ['{"any":{"@type":"type.googleapis.com/no.Such"}}', 'any.@type', /a message type the gateway knows/],
    ['{"any":{"label":"x"}}', 'any.@type', /'@type'/],
    ['{"any":{"@type":"type.googleapis.com/google.protobuf.Duration"}}', 'any.value', /'value'/],
  ];
  for (const [input, field, expected, stricter] of cases) {
    const err = refusal(() => codec.fromJson(input));
    assert.equal(err.code, Code.INVALID_ARGUMENT, input);
    assert.equal(err.reason, GatewayReason.MALFORMED_BODY, input);
    assert.equal(err.metadata.field, field, input);
    assert.match(err.message, expected, input);
    assert.match(err.message, new RegExp(`at '${field.replace(/[[\].]/g, '\\$&')}'`), input);
    if (!stricter) assert.throws(() => referenceBytes(JSON.parse(input)), `the reference refuses ${input} too`);
  }
  for (const notJson of ['', 'nope', '{"a":', 'null', '[]', '"x"']) {
    const err = refusal(() => codec.fromJson(notJson));
    assert.equal(err.reason, GatewayReason.MALFORMED_BODY, notJson);
  }
});

test("unknown fields and enum names are dropped, as connect-go's codec (protojson DiscardUnknown) does", () => {
  const input = { fString: 'kept', noSuchField: { deep: [1] }, shade: 'SHADE_FUTURE', rShade: ['SHADE_DARK', 'SHADE_FUTURE'], mUint64: { '1': 'SHADE_FUTURE', '2': 'SHADE_LIGHT' }, leaf: { unknown: 1 } };
  const bytes = codec.fromJson(JSON.stringify(input));
  const expected = { fString: 'kept', rShade: ['SHADE_DARK'], mUint64: { '2': 'SHADE_LIGHT' }, leaf: {} };
  assert.deepStrictEqual(referenceJson(bytes), expected);
  // protobuf-es's ignoreUnknownFields is the same policy.
  assert.deepStrictEqual(JSON.parse(JSON.stringify(toJson(schema, fromJson(schema, input as JsonValue, { registry, ignoreUnknownFields: true }), { registry }))), expected);
});

test('values without a JSON form are INTERNAL on the way out, naming the field', () => {
  const writer = protobuf.Writer.create();
  // ts (field 81) = Timestamp{seconds: 253402300800}: one second past 9999-12-31T23:59:59Z.
  writer.uint32((81 << 3) | 2).fork().uint32(8).int64(253402300800).ldelim();
  const err = refusal(() => codec.toJson(writer.finish()));
  assert.equal(err.code, Code.INTERNAL);
  assert.equal(err.metadata.field, 'ts');
  const any = protobuf.Writer.create();
  any.uint32((80 << 3) | 2).fork().uint32(10).string('type.googleapis.com/no.Such').ldelim();
  assert.match(refusal(() => codec.toJson(any.finish())).message, /at 'any'.*no.Such/);
  const value = protobuf.Writer.create();
  value.uint32((101 << 3) | 2).fork().uint32((2 << 3) | 1).double(NaN).ldelim();
  assert.match(refusal(() => codec.toJson(value.finish())).message, /at 'rValue\[0\]'.*NaN/);
  assert.equal(refusal(() => codec.toJson(Buffer.from([0x0a, 0x05]))).code, Code.INTERNAL, 'bytes that are no Kinds message');
});

test('one compiled codec per type', () => {
  assert.equal(jsonCodecFor(kinds), codec);
});
