/**
 * Schema patterns on the linear-time engine (schema-pattern.ts): what they match, which
 * ECMA-262 spellings are rewritten for RE2, and how a pattern outside RE2 is treated in a
 * new schema (refused, naming it) and in a stored one (accepted, never matches).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSchemaPattern, SchemaPatternError } from '../../../../patterns/registry/formats/json-schema/schema-pattern.js';
import { jsonSchemaFormat } from '../../../../patterns/registry/formats/json-schema/index.js';
import { InvalidSchemaError } from '../../../../patterns/registry/formats/schema-format.js';

const cases: Array<{ pattern: string; input: string; found: boolean }> = [
  // Found anywhere in the name, as ECMA-262 `test` (JSON Schema patterns are not anchored).
  { pattern: 'b', input: 'abc', found: true },
  { pattern: '^b', input: 'abc', found: false },
  { pattern: '^(a+)+$', input: `${'a'.repeat(100_000)}!`, found: false },
  { pattern: '^(a+)+$', input: 'a'.repeat(100_000), found: true },
  { pattern: '^\\u0041$', input: 'A', found: true },
  { pattern: '^\\u{1F600}$', input: '\u{1F600}', found: true },
  { pattern: '^\\cJ$', input: '\n', found: true },
  { pattern: '^\\\\u0041$', input: '\\u0041', found: true },
  { pattern: '^[a-z]+\\d*$', input: 'abc12', found: true },
  { pattern: '^\\p{L}+$', input: 'é', found: true },
  { pattern: '\\/', input: 'a/b', found: true },
];

for (const c of cases) {
  test(`schema pattern ${JSON.stringify(c.pattern)} ${c.found ? 'is' : 'is not'} found in ${JSON.stringify(c.input.slice(0, 12))}`, () => {
    assert.equal(compileSchemaPattern(c.pattern).test(c.input), c.found);
  });
}

for (const pattern of ['(?=a)', '(a)\\1', '(?<!a)b', '[', 'a{1001}']) {
  test(`schema pattern ${JSON.stringify(pattern)} is outside RE2 and refused, naming it`, () => {
    assert.throws(() => compileSchemaPattern(pattern), (err: Error) => err instanceof SchemaPatternError && err.message.startsWith(`pattern ${JSON.stringify(pattern)} is not supported`));
  });
}

test('a new schema with a patternProperties key outside RE2 is invalid; a stored one loads and the key never matches', () => {
  const text = JSON.stringify({ type: 'object', patternProperties: { '^(?=x)x$': { type: 'string' } }, additionalProperties: false });
  assert.throws(() => jsonSchemaFormat.parse(text, []), (err: Error) => err instanceof InvalidSchemaError && err.message.includes('#/patternProperties: pattern "^(?=x)x$" is not supported'));
  const stored = jsonSchemaFormat.parse(text, [], { stored: true });
  // Adding property "x" is then judged as not covered by any pattern (closed content model).
  const withX = jsonSchemaFormat.parse(JSON.stringify({ type: 'object', properties: { x: { type: 'string' } }, additionalProperties: false }), []);
  const messages = jsonSchemaFormat.checkReads(withX, stored, { reader: 'new', writer: 'old' });
  assert.deepEqual(messages, []);
  const back = jsonSchemaFormat.checkReads(stored, withX, { reader: 'old', writer: 'new' });
  assert.ok(back.some((m) => m.includes('PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL')), back.join('\n'));
});
