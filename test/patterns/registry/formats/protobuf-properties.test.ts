/**
 * Properties over generated .proto files: a schema is compatible with itself, its canonical
 * and normalized texts are fixed points that mean the same schema, and checking any two
 * schemas returns messages without throwing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { diffProtobuf, protobufFormat } from '../../../../patterns/registry/formats/protobuf/index.js';
import type { ProtobufModel } from '../../../../patterns/registry/formats/protobuf/parse-protobuf.js';

const SCALARS = ['int32', 'int64', 'uint32', 'sint64', 'fixed32', 'sfixed64', 'float', 'double', 'bool', 'string', 'bytes'];
const fieldNames = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

/** A proto3 file with messages M0..Mn, an enum E and a nested message in M0. */
const protoFile = fc
  .record({
    pkg: fc.option(fc.constantFrom('p', 'acme.v1'), { nil: null }),
    messages: fc.array(
      fc.record({
        fields: fc.uniqueArray(
          fc.record({
            tag: fc.integer({ min: 1, max: 12 }),
            type: fc.constantFrom(...SCALARS, 'E', 'M0.Inner', 'map<string, E>', 'map<int32, M0.Inner>'),
            label: fc.constantFrom('', 'repeated ', 'optional '),
            oneof: fc.boolean(),
            deprecated: fc.boolean(),
          }),
          { selector: (f) => f.tag, maxLength: 6 },
        ),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    enumValues: fc.uniqueArray(fc.integer({ min: 1, max: 5 }), { maxLength: 3 }),
  })
  .map(({ pkg, messages, enumValues }) => {
    const body = messages.map((m, i) => {
      const plain: string[] = [];
      const inOneof: string[] = [];
      m.fields.forEach((f, j) => {
        const map = f.type.startsWith('map<');
        const label = map || f.oneof ? '' : f.label;
        const line = `${label}${f.type} ${fieldNames[j]} = ${f.tag}${f.deprecated ? ' [deprecated = true]' : ''};`;
        (f.oneof && !map ? inOneof : plain).push(line);
      });
      const nested = i === 0 ? ' message Inner { string s = 1; }' : '';
      const oneof = inOneof.length > 0 ? ` oneof choice { ${inOneof.join(' ')} }` : '';
      return `message M${i} { ${plain.join(' ')}${oneof}${nested} }`;
    });
    const constants = ['E_ZERO = 0;', ...enumValues.map((v) => `E_${v} = ${v};`)].join(' ');
    return `syntax = "proto3";\n${pkg === null ? '' : `package ${pkg};\n`}${body.join('\n')}\nenum E { ${constants} }\n`;
  });

const roles = { reader: 'new', writer: 'old' } as const;
const model = (text: string): ProtobufModel => protobufFormat.parse(text, []).model as ProtobufModel;

test('PROTOBUF property: every generated schema is compatible with itself', () => {
  fc.assert(
    fc.property(protoFile, (text) => {
      assert.deepEqual(protobufFormat.checkReads(protobufFormat.parse(text, []), protobufFormat.parse(text, []), roles), []);
    }),
    { numRuns: 100 },
  );
});

test('PROTOBUF property: canonical and normalized texts are fixed points with no difference to the source', () => {
  fc.assert(
    fc.property(protoFile, (text) => {
      const parsed = protobufFormat.parse(text, []);
      const again = protobufFormat.parse(parsed.canonical, []);
      assert.equal(again.canonical, parsed.canonical);
      assert.deepEqual(diffProtobuf(model(text), model(parsed.canonical)), []);
      const normalized = protobufFormat.parse(parsed.normalized, []);
      assert.equal(normalized.normalized, parsed.normalized);
    }),
    { numRuns: 100 },
  );
});

test('PROTOBUF property: checking any two generated schemas returns messages and never throws', () => {
  fc.assert(
    fc.property(protoFile, protoFile, (x, y) => {
      const out = protobufFormat.checkReads(protobufFormat.parse(x, []), protobufFormat.parse(y, []), roles);
      for (const m of out) assert.match(m, /^\{errorType:"[A-Z_]+", description:"[^"]*"\}$/);
    }),
    { numRuns: 100 },
  );
});
