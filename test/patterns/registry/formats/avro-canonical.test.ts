/**
 * AVRO parse: what is valid, and the canonical text Confluent stores (Apache Avro's Java
 * `Schema.toString()`, confluent-sr-api.md §3.2), plus the normalised form.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { avroFormat } from '../../../../patterns/registry/formats/avro/index.js';
import { InvalidSchemaError, type ResolvedReference } from '../../../../patterns/registry/formats/schema-format.js';

const canonical: Array<[string, string, string]> = [
  ['a primitive in object form is the bare name', '{"type":"string"}', '"string"'],
  ['a bare primitive', ' "long" ', '"long"'],
  ['a primitive with properties stays an object', '{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}', '{"type":"bytes","logicalType":"decimal","precision":4,"scale":2}'],
  ['whitespace goes, attribute order is Java\'s', '{ "fields": [ {"type":"int", "name":"id"} ], "name":"R", "type":"record" }', '{"type":"record","name":"R","fields":[{"name":"id","type":"int"}]}'],
  ['a full name is split into name and namespace', '{"type":"record","name":"com.acme.User","fields":[]}', '{"type":"record","name":"User","namespace":"com.acme","fields":[]}'],
  [
    'nested types inherit the namespace and are not re-qualified',
    '{"type":"record","name":"R","namespace":"n","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},{"name":"e2","type":"E"},{"name":"e3","type":"n.E"}]}',
    '{"type":"record","name":"R","namespace":"n","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},{"name":"e2","type":"E"},{"name":"e3","type":"E"}]}',
  ],
  [
    'a nested type in another namespace prints its namespace, references print the full name',
    '{"type":"record","name":"R","namespace":"n","fields":[{"name":"f","type":{"type":"fixed","name":"F","namespace":"m","size":4}},{"name":"g","type":"m.F"}]}',
    '{"type":"record","name":"R","namespace":"n","fields":[{"name":"f","type":{"type":"fixed","name":"F","namespace":"m","size":4}},{"name":"g","type":"m.F"}]}',
  ],
  [
    'field attributes: doc, default, order (only if not ascending), aliases, custom props',
    '{"type":"record","name":"R","doc":"d","fields":[{"x-p":1,"aliases":["old"],"order":"descending","default":"","doc":"fd","type":"string","name":"s"},{"name":"t","type":"int","order":"ascending"}],"custom":{"a":[1]},"aliases":["R0"]}',
    '{"type":"record","name":"R","doc":"d","fields":[{"name":"s","type":"string","doc":"fd","default":"","order":"descending","aliases":["old"],"x-p":1},{"name":"t","type":"int"}],"custom":{"a":[1]},"aliases":["R0"]}',
  ],
  ['enum with default and props', '{"symbols":["A","B"],"default":"A","name":"E","type":"enum","p":true}', '{"type":"enum","name":"E","symbols":["A","B"],"default":"A","p":true}'],
  ['array, map and union', '{"type":"array","items":{"type":"map","values":["null",{"type":"string"}]}}', '{"type":"array","items":{"type":"map","values":["null","string"]}}'],
  [
    'a recursive record refers to itself by name',
    '{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"],"default":null}]}',
    '{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"],"default":null}]}',
  ],
];
for (const [name, text, expected] of canonical) {
  test(`AVRO canonical: ${name}`, () => {
    const parsed = avroFormat.parse(text, []);
    assert.equal(parsed.type, 'AVRO');
    assert.equal(parsed.canonical, expected);
    // The canonical text parses to itself.
    assert.equal(avroFormat.parse(parsed.canonical, []).canonical, expected);
  });
}

test('AVRO normalised form: full names, no namespace attribute, sorted properties', () => {
  const parsed = avroFormat.parse('{"type":"record","name":"R","namespace":"n","z":1,"a":2,"fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A"]}},{"name":"e2","type":"E"}]}', []);
  assert.equal(parsed.normalized, '{"type":"record","name":"n.R","fields":[{"name":"e","type":{"type":"enum","name":"n.E","symbols":["A"]}},{"name":"e2","type":"n.E"}],"a":2,"z":1}');
  const qualified = avroFormat.parse('{"type":"record","name":"n.R","a":2,"z":1,"fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A"]}},{"name":"e2","type":"n.E"}]}', []);
  assert.equal(qualified.normalized, parsed.normalized);
});

test('AVRO references: referenced types are known by name and printed by name', () => {
  const address: ResolvedReference = {
    name: 'acme.Address',
    subject: 'address',
    version: 1,
    schemaType: 'AVRO',
    schema: '{"type":"record","name":"Address","namespace":"acme","fields":[{"name":"zip","type":"acme.Zip"}]}',
    references: [{ name: 'acme.Zip', subject: 'zip', version: 1, schemaType: 'AVRO', schema: '{"type":"fixed","name":"Zip","namespace":"acme","size":5}', references: [] }],
  };
  const parsed = avroFormat.parse('{"type":"record","name":"User","namespace":"acme","fields":[{"name":"a","type":"Address"},{"name":"z","type":"acme.Zip"}]}', [address]);
  assert.equal(parsed.canonical, '{"type":"record","name":"User","namespace":"acme","fields":[{"name":"a","type":"Address"},{"name":"z","type":"Zip"}]}');
  assert.throws(() => avroFormat.parse('{"type":"record","name":"User","fields":[{"name":"a","type":"acme.Address"}]}', []), InvalidSchemaError);
});

const invalid: Array<[string, string]> = [
  ['not JSON', '{"type":'],
  ['an unknown type name', '{"type":"strin"}'],
  ['a record without a name', '{"type":"record","fields":[]}'],
  ['a default that does not match its type', '{"type":"record","name":"R","fields":[{"name":"s","type":"string","default":null}]}'],
  ['a union default that does not match the first branch', '{"type":"record","name":"R","fields":[{"name":"u","type":["null","int"],"default":1}]}'],
  ['an invalid name', '{"type":"record","name":"1R","fields":[]}'],
  ['a duplicate enum symbol', '{"type":"enum","name":"E","symbols":["A","A"]}'],
  ['a type redefined', '{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"F","size":1}},{"name":"b","type":{"type":"fixed","name":"F","size":2}}]}'],
  ['a nested type object', '{"type":{"type":"int"}}'],
  ['a number', '42'],
];
for (const [name, text] of invalid) {
  test(`AVRO parse rejects: ${name}`, () => {
    assert.throws(() => avroFormat.parse(text, []), (err: unknown) => err instanceof InvalidSchemaError && /^Invalid schema /.test(err.message));
  });
}

test('AVRO without default validation (IMPORT): bad defaults are kept as written, names are still checked', () => {
  const badDefaults = '{"type":"record","name":"R","fields":[{"name":"s","type":"string","default":null},{"name":"n","type":{"type":"record","name":"N","fields":[{"name":"i","type":"int","default":"x"}]}}]}';
  assert.throws(() => avroFormat.parse(badDefaults, []), InvalidSchemaError);
  const parsed = avroFormat.parse(badDefaults, [], { validateDefaults: false });
  assert.equal(parsed.canonical, badDefaults);
  for (const [name, text] of invalid.filter(([n]) => !n.includes('default'))) {
    assert.throws(() => avroFormat.parse(text, [], { validateDefaults: false }), InvalidSchemaError, name);
  }
});
