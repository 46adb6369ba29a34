/**
 * Compatibility levels built from the one primitive, as the registry builds them
 * (compatibility-rules.md §1): BACKWARD = new reads old, FORWARD = old reads new, FULL = both
 * (old-reads-new messages first), *_TRANSITIVE = every version newest to oldest, stopping at
 * the first failing one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { protobufFormat } from '../../../../patterns/registry/formats/protobuf/index.js';
import type { ParsedSchema, SchemaFormat } from '../../../../patterns/registry/formats/schema-format.js';

type Level = 'NONE' | 'BACKWARD' | 'FORWARD' | 'FULL' | 'BACKWARD_TRANSITIVE' | 'FORWARD_TRANSITIVE' | 'FULL_TRANSITIVE';
const LEVELS: Level[] = ['NONE', 'BACKWARD', 'FORWARD', 'FULL', 'BACKWARD_TRANSITIVE', 'FORWARD_TRANSITIVE', 'FULL_TRANSITIVE'];

/** `history` oldest first. Returns the messages of the first failing version, [] if none. */
function checkLevel(format: SchemaFormat, level: Level, candidate: ParsedSchema, history: readonly ParsedSchema[]): string[] {
  if (level === 'NONE') return [];
  const versions = level.endsWith('_TRANSITIVE') ? [...history].reverse() : history.slice(-1);
  for (const old of versions) {
    const messages: string[] = [];
    if (level.startsWith('FORWARD') || level.startsWith('FULL')) messages.push(...format.checkReads(old, candidate, { reader: 'old', writer: 'new' }));
    if (level.startsWith('BACKWARD') || level.startsWith('FULL')) messages.push(...format.checkReads(candidate, old, { reader: 'new', writer: 'old' }));
    if (messages.length > 0) return messages;
  }
  return [];
}

const P3 = 'syntax = "proto3";\n';
const parse = (text: string): ParsedSchema => protobufFormat.parse(text, []);

interface Scenario {
  readonly name: string;
  readonly history: readonly string[];
  readonly candidate: string;
  /** The levels under which the candidate is compatible; every other level rejects it. */
  readonly compatibleUnder: readonly Level[];
}

const scenarios: Scenario[] = [
  {
    name: 'adding a message type passes BACKWARD only (reversed diff sees MESSAGE_REMOVED)',
    history: [`${P3}message M { int32 a = 1; }`, `${P3}message M { int32 a = 1; string b = 2; }`],
    candidate: `${P3}message M { int32 a = 1; string b = 2; }\nmessage N { int32 x = 1; }`,
    compatibleUnder: ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE'],
  },
  {
    name: 'removing a plain field passes every level',
    history: [`${P3}message M { int32 a = 1; }`, `${P3}message M { int32 a = 1; string b = 2; }`],
    candidate: `${P3}message M { string b = 2; }`,
    compatibleUnder: LEVELS,
  },
  {
    name: 'reusing a removed tag with another type passes against the latest only',
    history: [`${P3}message M { int32 a = 1; }`, `${P3}message M { string b = 2; }`],
    candidate: `${P3}message M { string a = 1; string b = 2; }`,
    compatibleUnder: ['NONE', 'BACKWARD', 'FORWARD', 'FULL'],
  },
  {
    name: 'changing the package fails every checking level',
    history: [`${P3}package a;\nmessage M { int32 a = 1; }`],
    candidate: `${P3}package b;\nmessage M { int32 a = 1; }`,
    compatibleUnder: ['NONE'],
  },
  {
    name: 'a proto2 required field added fails BACKWARD, and FORWARD reports it removed',
    history: ['syntax = "proto2";\nmessage M { optional int32 a = 1; }'],
    candidate: 'syntax = "proto2";\nmessage M { optional int32 a = 1; required int32 b = 2; }',
    compatibleUnder: ['NONE'],
  },
];

for (const s of scenarios) {
  for (const level of LEVELS) {
    const expected = s.compatibleUnder.includes(level);
    test(`PROTOBUF ${level} ${expected ? 'accepts' : 'rejects'}: ${s.name}`, () => {
      const messages = checkLevel(protobufFormat, level, parse(s.candidate), s.history.map(parse));
      assert.equal(messages.length === 0, expected, messages.join('\n'));
    });
  }
}

test('PROTOBUF FULL lists old-reads-new messages before new-reads-old', () => {
  const old = parse(`${P3}message M { int32 a = 1; }`);
  const candidate = parse(`${P3}message M { sint32 a = 1; }\nmessage N {}`);
  const messages = checkLevel(protobufFormat, 'FULL', candidate, [old]);
  // Old reads new: M's field kind, then the message the old schema lacks; then new reads old.
  assert.deepEqual(messages.map((m) => /errorType:"(\w+)"/.exec(m)![1]), ['FIELD_SCALAR_KIND_CHANGED', 'MESSAGE_REMOVED', 'FIELD_SCALAR_KIND_CHANGED']);
  assert.match(messages[0]!, /in the old schema does not match its kind in the new schema/);
  assert.match(messages[1]!, /The old schema is missing a MESSAGE type at path '#\/N' in the new schema/);
  assert.match(messages[2]!, /in the new schema does not match its kind in the old schema/);
});

test('PROTOBUF an identical schema is compatible with itself under every level', () => {
  const text = `${P3}package p;\nmessage M { int32 a = 1; oneof o { string s = 2; } map<string, M> m = 3; }\nenum E { Z = 0; }`;
  for (const level of LEVELS) assert.deepEqual(checkLevel(protobufFormat, level, parse(text), [parse(text)]), [], level);
});
