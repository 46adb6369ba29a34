/**
 * Compatibility levels built from the one primitive, as the registry builds them
 * (compatibility-rules.md §1), over JSON Schema version histories.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonSchemaFormat } from '../../../../patterns/registry/formats/json-schema/index.js';
import type { CheckOptions, ParsedSchema, SchemaFormat } from '../../../../patterns/registry/formats/schema-format.js';

type Level = 'NONE' | 'BACKWARD' | 'FORWARD' | 'FULL' | 'BACKWARD_TRANSITIVE' | 'FORWARD_TRANSITIVE' | 'FULL_TRANSITIVE';
const LEVELS: Level[] = ['NONE', 'BACKWARD', 'FORWARD', 'FULL', 'BACKWARD_TRANSITIVE', 'FORWARD_TRANSITIVE', 'FULL_TRANSITIVE'];

/** `history` oldest first. Returns the messages of the first failing version, [] if none. */
function checkLevel(format: SchemaFormat, level: Level, candidate: ParsedSchema, history: readonly ParsedSchema[], options?: CheckOptions): string[] {
  if (level === 'NONE') return [];
  const versions = level.endsWith('_TRANSITIVE') ? [...history].reverse() : history.slice(-1);
  for (const old of versions) {
    const messages: string[] = [];
    if (level.startsWith('FORWARD') || level.startsWith('FULL')) messages.push(...format.checkReads(old, candidate, { reader: 'old', writer: 'new' }, options));
    if (level.startsWith('BACKWARD') || level.startsWith('FULL')) messages.push(...format.checkReads(candidate, old, { reader: 'new', writer: 'old' }, options));
    if (messages.length > 0) return messages;
  }
  return [];
}

const parse = (json: unknown): ParsedSchema => jsonSchemaFormat.parse(JSON.stringify(json), []);
const object = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ type: 'object', properties, ...extra });
const S = { type: 'string' };

interface Scenario {
  readonly name: string;
  readonly history: readonly unknown[];
  readonly candidate: unknown;
  readonly compatibleUnder: readonly Level[];
  readonly options?: CheckOptions;
}

const scenarios: Scenario[] = [
  {
    name: 'optional property added to an open object: FORWARD only',
    history: [object({ a: S })],
    candidate: object({ a: S, b: S }),
    compatibleUnder: ['NONE', 'FORWARD', 'FORWARD_TRANSITIVE'],
  },
  {
    name: 'optional property added to an open object under LENIENT: every level',
    history: [object({ a: S })],
    candidate: object({ a: S, b: S }),
    compatibleUnder: LEVELS,
    options: { policy: 'LENIENT' },
  },
  {
    name: 'optional property added to a closed object: BACKWARD only',
    history: [object({ a: S }, { additionalProperties: false })],
    candidate: object({ a: S, b: S }, { additionalProperties: false }),
    compatibleUnder: ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE'],
  },
  {
    name: 'property with an empty schema added to an open object: every level',
    history: [object({ a: S })],
    candidate: object({ a: S, b: {} }),
    compatibleUnder: LEVELS,
  },
  {
    name: 'maxLength raised above the latest but below an older version: non-transitive BACKWARD only',
    history: [{ type: 'string', maxLength: 30 }, { type: 'string', maxLength: 10 }],
    candidate: { type: 'string', maxLength: 20 },
    compatibleUnder: ['NONE', 'BACKWARD'],
  },
  {
    name: 'string widened to ["string","null"]: BACKWARD only',
    history: [S, S],
    candidate: { type: ['string', 'null'] },
    compatibleUnder: ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE'],
  },
  {
    name: 'title and description changes: every level',
    history: [{ ...S, title: 'a' }, { ...S, title: 'b' }],
    candidate: { ...S, title: 'c', description: 'd' },
    compatibleUnder: LEVELS,
  },
];

for (const s of scenarios) {
  for (const level of LEVELS) {
    const expected = s.compatibleUnder.includes(level);
    test(`JSON ${level}${s.options?.policy === 'LENIENT' ? ' (LENIENT)' : ''} ${expected ? 'accepts' : 'rejects'}: ${s.name}`, () => {
      const messages = checkLevel(jsonSchemaFormat, level, parse(s.candidate), s.history.map(parse), s.options);
      assert.equal(messages.length === 0, expected, messages.join('\n'));
    });
  }
}

test('JSON FULL lists old-reads-new messages before new-reads-old', () => {
  const messages = checkLevel(jsonSchemaFormat, 'FULL', parse({ type: 'string', maxLength: 20 }), [parse({ type: 'string', maxLength: 10 })]);
  assert.deepEqual(messages, [
    `{errorType:"MAX_LENGTH_DECREASED", description:"The value at path '#/maxLength' in the old schema is less than its value in the new schema'}`,
  ]);
  const both = checkLevel(jsonSchemaFormat, 'FULL', parse({ type: 'integer' }), [parse({ type: 'string' })]);
  assert.equal(both.length, 2);
  assert.match(both[0]!, /between the old schema and the new schema/);
  assert.match(both[1]!, /between the new schema and the old schema/);
});
