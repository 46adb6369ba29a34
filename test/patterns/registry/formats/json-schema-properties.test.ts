/**
 * Properties over generated JSON Schemas: a schema is compatible with itself under every
 * policy, checking never throws, and printing is stable (canonical text parses back to itself).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jsonSchemaFormat } from '../../../../patterns/registry/formats/json-schema/index.js';

const name = fc.constantFrom('a', 'b', 'c', 'id', 'x_1');
const { schema } = fc.letrec<{ schema: unknown }>((tie) => ({
  schema: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<unknown>(true, false, {}, { type: 'null' }, { type: 'boolean' }),
    fc.record({ type: fc.constant('string'), maxLength: fc.nat(20), pattern: fc.constantFrom('^a', '[0-9]+') }, { requiredKeys: ['type'] }),
    fc.record({ type: fc.constantFrom('integer', 'number'), minimum: fc.integer({ min: -5, max: 5 }), multipleOf: fc.constantFrom(1, 2, 0.5) }, { requiredKeys: ['type'] }),
    fc.record({ enum: fc.uniqueArray(fc.oneof(fc.string({ maxLength: 3 }), fc.integer()), { minLength: 1, maxLength: 3 }) }),
    fc.record({ const: fc.oneof(fc.string({ maxLength: 3 }), fc.integer()) }),
    fc.record({ not: tie('schema') }),
    fc.record({ anyOf: fc.array(tie('schema'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ oneOf: fc.array(tie('schema'), { minLength: 1, maxLength: 2 }) }),
    fc.record({ allOf: fc.array(tie('schema'), { minLength: 1, maxLength: 2 }) }),
    fc.record(
      {
        type: fc.constant('object'),
        properties: fc.dictionary(name, tie('schema'), { maxKeys: 3 }),
        required: fc.uniqueArray(name, { maxLength: 2 }),
        additionalProperties: fc.oneof(fc.boolean(), tie('schema')),
        patternProperties: fc.dictionary(fc.constantFrom('^x', 'y$'), tie('schema'), { maxKeys: 1 }),
      },
      { requiredKeys: ['type'] },
    ),
    fc.record(
      { type: fc.constant('array'), items: fc.oneof(tie('schema'), fc.array(tie('schema'), { maxLength: 2 })), additionalItems: fc.oneof(fc.boolean(), tie('schema')), uniqueItems: fc.boolean() },
      { requiredKeys: ['type'] },
    ),
    fc.record({ type: fc.constant(['string', 'null']), maxLength: fc.nat(5) }, { requiredKeys: ['type'] }),
  ),
}));

const roles = { reader: 'new', writer: 'old' } as const;

test('JSON property: every generated schema is compatible with itself, STRICT and LENIENT', () => {
  fc.assert(
    fc.property(schema, (s) => {
      const a = jsonSchemaFormat.parse(JSON.stringify(s), []);
      const b = jsonSchemaFormat.parse(JSON.stringify(s), []);
      assert.deepEqual(jsonSchemaFormat.checkReads(a, b, roles), []);
      assert.deepEqual(jsonSchemaFormat.checkReads(a, b, roles, { policy: 'LENIENT' }), []);
    }),
    { numRuns: 150 },
  );
});

test('JSON property: checking any two generated schemas returns messages and never throws', () => {
  fc.assert(
    fc.property(schema, schema, (x, y) => {
      const a = jsonSchemaFormat.parse(JSON.stringify(x), []);
      const b = jsonSchemaFormat.parse(JSON.stringify(y), []);
      for (const out of [jsonSchemaFormat.checkReads(a, b, roles), jsonSchemaFormat.checkReads(b, a, { reader: 'old', writer: 'new' })]) {
        assert.ok(Array.isArray(out));
        for (const m of out) assert.match(m, /^\{errorType:"[A-Z_]+", description:".*'\}$/s);
      }
    }),
    { numRuns: 150 },
  );
});

test('JSON property: LENIENT never rejects what STRICT accepts', () => {
  fc.assert(
    fc.property(schema, schema, (x, y) => {
      const a = jsonSchemaFormat.parse(JSON.stringify(x), []);
      const b = jsonSchemaFormat.parse(JSON.stringify(y), []);
      if (jsonSchemaFormat.checkReads(a, b, roles).length === 0) assert.deepEqual(jsonSchemaFormat.checkReads(a, b, roles, { policy: 'LENIENT' }), []);
    }),
    { numRuns: 150 },
  );
});

test('JSON property: canonical and normalized texts are fixed points', () => {
  fc.assert(
    fc.property(schema, (s) => {
      const p = jsonSchemaFormat.parse(JSON.stringify(s, null, 2), []);
      assert.equal(jsonSchemaFormat.parse(p.canonical, []).canonical, p.canonical);
      assert.equal(jsonSchemaFormat.parse(p.normalized, []).normalized, p.normalized);
    }),
    { numRuns: 150 },
  );
});
