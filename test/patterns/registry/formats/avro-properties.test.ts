/**
 * Property tests (fast-check) for the AVRO format: the canonical text is a fixed point, and
 * the ported reader/writer check agrees with avsc's resolver on generated schema pairs
 * (no aliases and no namespaces, where the two are known to differ, compatibility-rules.md §2.3).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import avro from 'avsc';
import fc from 'fast-check';
import { avroFormat } from '../../../../patterns/registry/formats/avro/index.js';

const primitive = fc.constantFrom('null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string');
const defaults: Record<string, unknown> = { null: null, boolean: false, int: 1, long: 2, float: 1.5, double: 2.5, bytes: '', string: 's' };

/** A type built from a small vocabulary so that generated pairs often overlap. */
const typeArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  type: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    fc.record({ type: fc.constant('enum'), name: fc.constant('E'), symbols: fc.uniqueArray(fc.constantFrom('A', 'B', 'C'), { minLength: 1 }) }),
    fc.record({ type: fc.constant('fixed'), name: fc.constant('F'), size: fc.constantFrom(1, 2) }),
    fc.record({ type: fc.constant('array'), items: tie('leaf') }),
    fc.record({ type: fc.constant('map'), values: tie('leaf') }),
    fc.uniqueArray(primitive, { minLength: 1, maxLength: 3 }),
  ),
  leaf: fc.oneof(primitive, fc.uniqueArray(primitive, { minLength: 1, maxLength: 2 })),
}) as Record<string, fc.Arbitrary<unknown>>).type;

function defaultFor(type: unknown): unknown {
  if (typeof type === 'string') return defaults[type];
  if (Array.isArray(type)) return defaultFor(type[0]);
  const t = type as { type: string; symbols?: string[]; size?: number };
  if (t.type === 'enum') return t.symbols![0];
  if (t.type === 'fixed') return 'x'.repeat(t.size!);
  if (t.type === 'array') return [];
  return {};
}

const fieldArb = fc.record({ name: fc.constantFrom('a', 'b', 'c', 'd'), type: typeArb, withDefault: fc.boolean() });
/** Named types are only generated at the top of a field; naming them after the field keeps names unique. */
function nameAfterField(type: unknown, field: string): unknown {
  if (type && typeof type === 'object' && !Array.isArray(type) && 'name' in type) return { ...type, name: `${(type as { name: string }).name}_${field}` };
  return type;
}

const recordArb = fc.uniqueArray(fieldArb, { selector: (f) => f.name, maxLength: 4 }).map((fields) => ({
  type: 'record',
  name: 'R',
  fields: fields.map((f) => {
    const type = nameAfterField(f.type, f.name);
    return f.withDefault ? { name: f.name, type, default: defaultFor(type) } : { name: f.name, type };
  }),
}));

test('AVRO canonical text parses back to itself', () => {
  fc.assert(
    fc.property(recordArb, (schema) => {
      const parsed = avroFormat.parse(JSON.stringify(schema), []);
      assert.equal(avroFormat.parse(parsed.canonical, []).canonical, parsed.canonical);
      assert.equal(avroFormat.parse(parsed.normalized, []).normalized, parsed.normalized);
    }),
    { numRuns: 300 },
  );
});

test('AVRO check agrees with avsc createResolver on generated reader/writer pairs', () => {
  fc.assert(
    fc.property(recordArb, recordArb, (readerJson, writerJson) => {
      const reader = avroFormat.parse(JSON.stringify(readerJson), []);
      const writer = avroFormat.parse(JSON.stringify(writerJson), []);
      const ours = avroFormat.checkReads(reader, writer, { reader: 'new', writer: 'old' }).length === 0;
      let theirs = true;
      try {
        // A fresh options object per call (§2.3: avsc caches half-built resolvers in it).
        avro.Type.forSchema(readerJson as avro.Schema).createResolver(avro.Type.forSchema(writerJson as avro.Schema), { ignoreNamespaces: true } as never);
      } catch {
        theirs = false;
      }
      assert.equal(ours, theirs, `reader ${JSON.stringify(readerJson)} writer ${JSON.stringify(writerJson)}`);
    }),
    { numRuns: 400 },
  );
});
