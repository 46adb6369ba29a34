/**
 * One case per PROTOBUF difference type of compatibility-rules.md §4.2 (and per verdict),
 * checked at the format level as BACKWARD does it: new reads old.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { protobufFormat, diffProtobuf, type ProtoDifferenceType } from '../../../../patterns/registry/formats/protobuf/index.js';
import type { ProtobufModel } from '../../../../patterns/registry/formats/protobuf/parse-protobuf.js';
import type { ResolvedReference } from '../../../../patterns/registry/formats/schema-format.js';

import { cases, P2, P3 } from './protobuf-cases.js';

function parse(text: string, refs: readonly ResolvedReference[] = []) {
  return protobufFormat.parse(text, refs);
}

for (const c of cases) {
  test(`PROTOBUF ${c.rule} (${c.compatible ? 'compatible' : 'incompatible'}): ${c.why}`, () => {
    const oldS = parse(c.old, c.oldRefs);
    const newS = parse(c.new, c.newRefs);
    const diffs = diffProtobuf(oldS.model as ProtobufModel, newS.model as ProtobufModel);
    const hit = diffs.find((d) => d.type === c.rule);
    assert.ok(hit, `expected ${c.rule} among ${JSON.stringify(diffs)}`);
    if (c.path !== undefined) assert.equal(hit.path, c.path);
    const messages = protobufFormat.checkReads(newS, oldS, { reader: 'new', writer: 'old' });
    assert.equal(messages.length === 0, c.compatible, messages.join('\n'));
    if (!c.compatible && c.rule !== 'FIELD_ADDED') assert.ok(messages.some((m) => m.startsWith(`{errorType:"${c.rule}"`)), messages.join('\n'));
  });
}

// Changes Confluent does not look at (§4.1 "Not compared at all", and null labels).
const noDifference: Array<[string, string, string]> = [
  ['proto3 implicit label to repeated (null label)', `${P3}message M { int32 x = 1; }`, `${P3}message M { repeated int32 x = 1; }`],
  ['proto2 optional to proto3 implicit: syntax and a null label', `${P2}message M { optional int32 x = 1; }`, `${P3}message M { int32 x = 1; }`],
  ['options, json_name, comments, reserved and field order', `${P3}message M { int32 x = 1; string y = 2; }`, `${P3}// c\nmessage M { reserved 9; option deprecated = true; string y = 2 [json_name = "why"]; int32 x = 1 [deprecated = true]; }`],
  ['services are ignored', `${P3}message M { int32 x = 1; }`, `${P3}message M { int32 x = 1; }\nservice S { rpc R (M) returns (M); }`],
  ['extend blocks are not compared (not even for a local message)', `${P2}message M { optional int32 x = 1; extensions 100 to 200; }\nextend M { optional int32 ext = 100; }`, `${P2}message M { optional int32 x = 1; extensions 100 to 200; }`],
  ['proto2 groups are not compared', `${P2}message M { optional int32 x = 1; optional group G = 9 { optional int32 q = 1; } }`, `${P2}message M { optional int32 x = 1; }`],
  ['a message field label change is not compared', `${P2}message M { optional N x = 1; }\nmessage N {}`, `${P2}message M { repeated N x = 1; }\nmessage N {}`],
];
for (const [name, oldText, newText] of noDifference) {
  test(`PROTOBUF no difference: ${name}`, () => {
    assert.deepEqual(diffProtobuf(parse(oldText).model as ProtobufModel, parse(newText).model as ProtobufModel), []);
  });
}

const messageCases: Array<[string, string, string, string]> = [
  ['MESSAGE_REMOVED sentence', `${P3}message M {}\nmessage N {}`, `${P3}message M {}`, `{errorType:"MESSAGE_REMOVED", description:"The new schema is missing a MESSAGE type at path '#/N' in the old schema"}`],
  ['REQUIRED_FIELD_ADDED keeps the double space', `${P2}message M { optional int32 x = 1; }`, `${P2}message M { optional int32 x = 1; required int32 y = 2; }`, `{errorType:"REQUIRED_FIELD_ADDED", description:"A required field  at path '#/M/2' in the new schema is missing in the old schema"}`],
  ['PACKAGE_CHANGED sentence', `${P3}package a;\nmessage M {}`, `${P3}package b;\nmessage M {}`, `{errorType:"PACKAGE_CHANGED", description:"The package at '#/' in the new schema does not match the package in the old schema"}`],
];
for (const [name, oldText, newText, expected] of messageCases) {
  test(`PROTOBUF message text: ${name}`, () => {
    assert.deepEqual(protobufFormat.checkReads(parse(newText), parse(oldText), { reader: 'new', writer: 'old' }), [expected]);
  });
}

test('PROTOBUF FORWARD swaps the roles: adding a message is MESSAGE_REMOVED read the other way', () => {
  const oldS = parse(`${P3}message M { int32 x = 1; }`);
  const newS = parse(`${P3}message M { int32 x = 1; }\nmessage N {}`);
  assert.deepEqual(protobufFormat.checkReads(newS, oldS, { reader: 'new', writer: 'old' }), []);
  assert.deepEqual(protobufFormat.checkReads(oldS, newS, { reader: 'old', writer: 'new' }), [
    `{errorType:"MESSAGE_REMOVED", description:"The old schema is missing a MESSAGE type at path '#/N' in the new schema"}`,
  ]);
});

test('PROTOBUF recursive message types terminate', () => {
  const a = parse(`${P3}message Node { Node next = 1; int32 v = 2; }`);
  const b = parse(`${P3}message Node { Node next = 1; int64 v = 2; string w = 3; }`);
  assert.deepEqual(protobufFormat.checkReads(b, a, { reader: 'new', writer: 'old' }), []);
});

test('PROTOBUF checkReads never throws on a foreign model', () => {
  const good = parse(`${P3}message M {}`);
  const broken = { type: 'PROTOBUF' as const, canonical: '', normalized: '', model: { nonsense: true } };
  const out = protobufFormat.checkReads(good, broken, { reader: 'new', writer: 'old' });
  assert.equal(out.length, 1);
  assert.match(out[0]!, /^Unexpected exception during compatibility check/);
});
