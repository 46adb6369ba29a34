/**
 * AVRO reader/writer compatibility (compatibility-rules.md §2.1) with Confluent's verbose
 * messages (§2.2). Each case is also cross-checked against avsc's own resolver
 * (`createResolver` with a fresh `ignoreNamespaces` options object, §2.3), except where
 * avsc is known to differ from Java.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import avro from 'avsc';
import { avroFormat } from '../../../../patterns/registry/formats/avro/index.js';

const rec = (name: string, fields: object[], extra: object = {}) => ({ type: 'record', name, fields, ...extra });
const f = (name: string, type: unknown, extra: object = {}) => ({ name, type, ...extra });

interface Case {
  name: string;
  reader: unknown;
  writer: unknown;
  /** [errorType, path, additionalInfo] per expected incompatibility; [] = compatible. */
  expected: Array<[string, string, string]>;
  /** avsc disagrees with Java here (documented in compatibility-rules.md §2.3). */
  avscDiffers?: boolean;
}

const cases: Case[] = [
  { name: 'same primitive', reader: 'int', writer: 'int', expected: [] },
  { name: 'int → long promotion', reader: 'long', writer: 'int', expected: [] },
  { name: 'long → int narrowing', reader: 'int', writer: 'long', expected: [['TYPE_MISMATCH', '/', 'reader type: INT not compatible with writer type: LONG']] },
  { name: 'int → float/double, float → double', reader: 'double', writer: 'float', expected: [] },
  { name: 'string ↔ bytes', reader: 'bytes', writer: 'string', expected: [] },
  { name: 'string → int', reader: rec('R', [f('a', 'string')]), writer: rec('R', [f('a', 'int')]), expected: [['TYPE_MISMATCH', '/fields/0/type', 'reader type: STRING not compatible with writer type: INT']] },
  { name: 'added field with default', reader: rec('R', [f('a', 'int'), f('b', 'string', { default: 'x' })]), writer: rec('R', [f('a', 'int')]), expected: [] },
  { name: 'added field with null default', reader: rec('R', [f('a', 'int'), f('b', ['null', 'string'], { default: null })]), writer: rec('R', [f('a', 'int')]), expected: [] },
  { name: 'added field without default', reader: rec('R', [f('a', 'int'), f('b', 'string')]), writer: rec('R', [f('a', 'int')]), expected: [['READER_FIELD_MISSING_DEFAULT_VALUE', '/fields/1', 'b']] },
  { name: 'removed field (writer-only fields are ignored)', reader: rec('R', [f('a', 'int')]), writer: rec('R', [f('a', 'int'), f('b', 'int')]), expected: [] },
  { name: 'field renamed with an alias', reader: rec('R', [f('b', 'int', { aliases: ['a'] })]), writer: rec('R', [f('a', 'int')]), expected: [] },
  { name: 'record renamed', reader: rec('S', [f('a', 'int')]), writer: rec('R', [f('a', 'int')]), expected: [['NAME_MISMATCH', '/name', 'expected: R']] },
  { name: 'record renamed with an alias', reader: rec('S', [f('a', 'int')], { aliases: ['R'] }), writer: rec('R', [f('a', 'int')]), expected: [] },
  { name: 'namespace-only change', reader: rec('R', [], { namespace: 'x' }), writer: rec('R', [], { namespace: 'y' }), expected: [] },
  {
    name: 'alias in another namespace (Java: mismatch, avsc matches)',
    reader: rec('S', [], { namespace: 'x', aliases: ['x.R'] }),
    writer: rec('R', [], { namespace: 'y' }),
    expected: [['NAME_MISMATCH', '/name', 'expected: y.R']],
    avscDiffers: true,
  },
  { name: 'enum symbol removed', reader: { type: 'enum', name: 'E', symbols: ['A'] }, writer: { type: 'enum', name: 'E', symbols: ['A', 'C', 'B'] }, expected: [['MISSING_ENUM_SYMBOLS', '/symbols', '[B, C]']] },
  { name: 'enum symbol removed, reader default', reader: { type: 'enum', name: 'E', symbols: ['A', 'U'], default: 'U' }, writer: { type: 'enum', name: 'E', symbols: ['A', 'B'] }, expected: [] },
  { name: 'enum symbol added', reader: { type: 'enum', name: 'E', symbols: ['A', 'B'] }, writer: { type: 'enum', name: 'E', symbols: ['A'] }, expected: [] },
  { name: 'fixed size changed', reader: { type: 'fixed', name: 'F', size: 32 }, writer: { type: 'fixed', name: 'F', size: 16 }, expected: [['FIXED_SIZE_MISMATCH', '/size', 'expected: 16, found: 32']] },
  { name: 'array items widened', reader: { type: 'array', items: 'long' }, writer: { type: 'array', items: 'int' }, expected: [] },
  { name: 'map values narrowed', reader: { type: 'map', values: 'int' }, writer: { type: 'map', values: 'long' }, expected: [['TYPE_MISMATCH', '/values', 'reader type: INT not compatible with writer type: LONG']] },
  { name: 'map vs array', reader: { type: 'map', values: 'int' }, writer: { type: 'array', items: 'int' }, expected: [['TYPE_MISMATCH', '/', 'reader type: MAP not compatible with writer type: ARRAY']] },
  { name: 'union branch added', reader: ['null', 'int', 'string'], writer: ['null', 'int'], expected: [] },
  { name: 'union branch removed', reader: ['null', 'int'], writer: ['null', 'int', 'string'], expected: [['MISSING_UNION_BRANCH', '/2', 'reader union lacking writer type: STRING']] },
  { name: 'null dropped from a union', reader: rec('R', [f('a', 'int')]), writer: rec('R', [f('a', ['null', 'int'])]), expected: [['TYPE_MISMATCH', '/fields/0/type/0', 'reader type: INT not compatible with writer type: NULL']] },
  { name: 'non-union into a union', reader: ['null', 'long'], writer: 'int', expected: [] },
  { name: 'non-union not in a union', reader: ['null', 'string'], writer: 'int', expected: [['MISSING_UNION_BRANCH', '/', 'reader union lacking writer type: INT']] },
  {
    name: 'nested record field type',
    reader: rec('R', [f('inner', rec('I', [f('x', 'string')]))]),
    writer: rec('R', [f('inner', rec('I', [f('x', 'int')]))]),
    expected: [['TYPE_MISMATCH', '/fields/0/type/fields/0/type', 'reader type: STRING not compatible with writer type: INT']],
  },
  {
    name: 'several problems are all reported',
    reader: rec('R', [f('a', 'string'), f('b', 'int')]),
    writer: rec('R', [f('a', 'int')]),
    expected: [
      ['TYPE_MISMATCH', '/fields/0/type', 'reader type: STRING not compatible with writer type: INT'],
      ['READER_FIELD_MISSING_DEFAULT_VALUE', '/fields/1', 'b'],
    ],
  },
  {
    name: 'recursive types',
    reader: rec('N', [f('v', 'long'), f('next', ['null', 'N'], { default: null })]),
    writer: rec('N', [f('v', 'int'), f('next', ['null', 'N'], { default: null })]),
    expected: [],
  },
  {
    name: 'quirk: missing enum field without field default but with an enum default',
    reader: rec('R', [f('e', { type: 'enum', name: 'E', symbols: ['A'], default: 'A' })]),
    writer: rec('R', []),
    expected: [['TYPE_MISMATCH', '/fields/0/type', 'reader type: ENUM not compatible with writer type: RECORD']],
  },
  { name: 'logical types are ignored', reader: { type: 'int', logicalType: 'date' }, writer: 'int', expected: [] },
];

for (const c of cases) {
  test(`AVRO reads: ${c.name}`, () => {
    const reader = avroFormat.parse(JSON.stringify(c.reader), []);
    const writer = avroFormat.parse(JSON.stringify(c.writer), []);
    const messages = avroFormat.checkReads(reader, writer, { reader: 'new', writer: 'old' });
    const got = messages.map((m) => {
      const match = /^\{errorType:'([A-Z_]+)', description:'.*', additionalInfo:'(.*)'\}$/.exec(m);
      assert.ok(match, `message format: ${m}`);
      const path = /path '([^']*)'/.exec(m)?.[1];
      return [match[1], path, match[2]];
    });
    assert.deepEqual(got, c.expected);
    // Cross-check with avsc's resolver: it throws exactly when the reader cannot read the writer.
    const avscSays = (() => {
      try {
        avro.Type.forSchema(c.reader as avro.Schema).createResolver(avro.Type.forSchema(c.writer as avro.Schema), { ignoreNamespaces: true } as never);
        return true;
      } catch {
        return false;
      }
    })();
    assert.equal(avscSays === (c.expected.length === 0), !c.avscDiffers, 'avsc agrees with the port');
  });
}

test('AVRO verbose descriptions follow Confluent templates (compatibility-rules.md §2.2)', () => {
  const check = (reader: unknown, writer: unknown, roles = { reader: 'old' as const, writer: 'new' as const }) =>
    avroFormat.checkReads(avroFormat.parse(JSON.stringify(reader), []), avroFormat.parse(JSON.stringify(writer), []), roles)[0];
  assert.equal(
    check({ type: 'fixed', name: 'F', size: 2 }, { type: 'fixed', name: 'F', size: 1 }),
    "{errorType:'FIXED_SIZE_MISMATCH', description:'The size of FIXED type field at path '/size' in the old schema does not match with the new schema', additionalInfo:'expected: 1, found: 2'}",
  );
  assert.equal(
    check(rec('S', []), rec('R', [])),
    "{errorType:'NAME_MISMATCH', description:'The name of the schema has changed (path '/name')', additionalInfo:'expected: R'}",
  );
  assert.equal(
    check({ type: 'enum', name: 'E', symbols: ['A'] }, { type: 'enum', name: 'E', symbols: ['A', 'B'] }),
    "{errorType:'MISSING_ENUM_SYMBOLS', description:'The old schema is missing enum symbols '[B]' at path '/symbols' in the new schema', additionalInfo:'[B]'}",
  );
  assert.equal(
    check(['null'], ['null', 'int']),
    "{errorType:'MISSING_UNION_BRANCH', description:'The old schema is missing a type inside a union field at path '/1' in the new schema', additionalInfo:'reader union lacking writer type: INT'}",
  );
});

test('AVRO: a reader field matching several writer fields is an unexpected exception, reported as a message', () => {
  const reader = avroFormat.parse(JSON.stringify(rec('R', [f('a', 'int', { aliases: ['b'] })])), []);
  const writer = avroFormat.parse(JSON.stringify(rec('R', [f('a', 'int'), f('b', 'int')])), []);
  const messages = avroFormat.checkReads(reader, writer, { reader: 'new', writer: 'old' });
  assert.equal(messages.length, 1);
  assert.match(messages[0], /^Unexpected exception during compatibility check: Reader record field a matches multiple fields/);
});
