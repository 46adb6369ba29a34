import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonSchemaFormat } from '../../../../patterns/registry/formats/json-schema/index.js';
import { InvalidSchemaError, type ResolvedReference } from '../../../../patterns/registry/formats/schema-format.js';

const valid: Array<[string, string, string]> = [
  ['object schema is stored compactly, key order kept', '{ "type": "object",\n "properties": { "b": {"type":"string"}, "a": {} } }', '{"type":"object","properties":{"b":{"type":"string"},"a":{}}}'],
  ['boolean root true', ' true ', 'true'],
  ['boolean root false', 'false', 'false'],
  ['empty schema', '{}', '{}'],
  ['an empty tuple (everit accepts what the draft-7 meta-schema would not)', '{"type":"array","items":[]}', '{"type":"array","items":[]}'],
  ['unknown keywords are kept', '{"type":"string","x-custom":1}', '{"type":"string","x-custom":1}'],
  ['local $ref into definitions', '{"definitions":{"a":{"type":"string"}},"$ref":"#/definitions/a"}', '{"definitions":{"a":{"type":"string"}},"$ref":"#/definitions/a"}'],
  ['2020-12 with $defs and prefixItems', '{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{"s":{"type":"string"}},"type":"array","prefixItems":[{"$ref":"#/$defs/s"}],"items":false}', '{"$schema":"https://json-schema.org/draft/2020-12/schema","$defs":{"s":{"type":"string"}},"type":"array","prefixItems":[{"$ref":"#/$defs/s"}],"items":false}'],
  ['numbers print as Jackson prints exact BigDecimals', '{"type":"number","maximum":1.50,"minimum":-0,"multipleOf":1e-8,"default":1e5}', '{"type":"number","maximum":1.50,"minimum":0,"multipleOf":1E-8,"default":1E+5}'],
  ['string escapes are re-serialised as Jackson writes them', '{"title":"caf\\u00e9 \\/ tab\\t \\u001f"}', '{"title":"café / tab\\t \\u001F"}'],
  ['draft-4 boolean exclusiveMaximum', '{"$schema":"http://json-schema.org/draft-04/schema#","type":"number","maximum":3,"exclusiveMaximum":true}', '{"$schema":"http://json-schema.org/draft-04/schema#","type":"number","maximum":3,"exclusiveMaximum":true}'],
];

for (const [name, text, canonical] of valid) {
  test(`JSON parse accepts: ${name}`, () => {
    const parsed = jsonSchemaFormat.parse(text, []);
    assert.equal(parsed.type, 'JSON');
    assert.equal(parsed.canonical, canonical);
  });
}

const invalid: Array<[string, string]> = [
  ['not JSON', '{"type":'],
  ['root is a number', '42'],
  ['root is an array', '[{"type":"string"}]'],
  ['root is null', 'null'],
  ['unknown type name', '{"type":"foo"}'],
  ['maxLength that is not an integer', '{"type":"string","maxLength":"5"}'],
  ['properties that is not an object', '{"type":"object","properties":[]}'],
  ['required that is not an array of strings', '{"type":"object","required":"a"}'],
  ['enum that is not an array', '{"enum":"a"}'],
  ['a property schema that is a number', '{"properties":{"a":5}}'],
  ['boolean sub-schema in draft-4', '{"$schema":"http://json-schema.org/draft-04/schema#","properties":{"a":true}}'],
  ['multipleOf zero', '{"type":"number","multipleOf":0}'],
  ['unresolvable local $ref', '{"$ref":"#/definitions/missing"}'],
  ['$ref to a document that is not a reference', '{"$ref":"other.json"}'],
  ['remote http $ref', '{"properties":{"a":{"$ref":"http://example.com/a.json"}}}'],
  ['$ref cycle with no schema in it', '{"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"$ref":"#/definitions/a"}},"$ref":"#/definitions/a"}'],
];

for (const [name, text] of invalid) {
  test(`JSON parse rejects: ${name}`, () => {
    assert.throws(() => jsonSchemaFormat.parse(text, []), (err: unknown) => err instanceof InvalidSchemaError && /^Invalid schema/.test(err.message));
  });
}

const ref = (name: string, schema: unknown, references: ResolvedReference[] = []): ResolvedReference => ({
  name, subject: name, version: 1, schemaType: 'JSON', schema: JSON.stringify(schema), references,
});

test('JSON $ref resolves to a reference by name, with a fragment, and transitively', () => {
  const address = ref('address.json', { type: 'object', properties: { city: { type: 'string' } }, definitions: { zip: { type: 'string', maxLength: 5 } } });
  const person = ref('person.json', { type: 'object', properties: { home: { $ref: 'address.json' } } }, [address]);
  const parsed = jsonSchemaFormat.parse(JSON.stringify({ type: 'object', properties: { p: { $ref: 'person.json' }, zip: { $ref: 'address.json#/definitions/zip' } } }), [person]);
  assert.equal(parsed.type, 'JSON');
});

test('JSON $ref and the inline copy of a referenced schema are compatible both ways', () => {
  const address = ref('address.json', { type: 'object', properties: { city: { type: 'string' } } });
  const viaRef = jsonSchemaFormat.parse(JSON.stringify({ type: 'object', properties: { a: { $ref: 'address.json' } } }), [address]);
  const inline = jsonSchemaFormat.parse(JSON.stringify({ type: 'object', properties: { a: { type: 'object', properties: { city: { type: 'string' } } } } }), []);
  assert.deepEqual(jsonSchemaFormat.checkReads(viaRef, inline, { reader: 'new', writer: 'old' }), []);
  assert.deepEqual(jsonSchemaFormat.checkReads(inline, viaRef, { reader: 'old', writer: 'new' }), []);
});

test('JSON a change inside a referenced schema is seen through the $ref', () => {
  const v1 = ref('address.json', { type: 'object', properties: { city: { type: 'string' } } });
  const v2 = { ...ref('address.json', { type: 'object', properties: { city: { type: 'integer' } } }), version: 2 };
  const text = JSON.stringify({ type: 'object', properties: { a: { $ref: 'address.json' } } });
  const out = jsonSchemaFormat.checkReads(jsonSchemaFormat.parse(text, [v2]), jsonSchemaFormat.parse(text, [v1]), { reader: 'new', writer: 'old' });
  assert.deepEqual(out, [`{errorType:"TYPE_CHANGED", description:"A type at path '#/properties/a/properties/city' is different between the new schema and the old schema'}`]);
});

test('JSON normalized text sorts keys at every level; canonical keeps the submitted order', () => {
  const a = jsonSchemaFormat.parse('{"type":"object","properties":{"b":{"type":"string","maxLength":3},"a":{}}}', []);
  const b = jsonSchemaFormat.parse('{"properties":{"a":{},"b":{"maxLength":3,"type":"string"}},"type":"object"}', []);
  assert.notEqual(a.canonical, b.canonical);
  assert.equal(a.normalized, b.normalized);
  assert.equal(a.normalized, '{"properties":{"a":{},"b":{"maxLength":3,"type":"string"}},"type":"object"}');
});

test('JSON normalized text keeps array order (enum order is meaningful to clients)', () => {
  const a = jsonSchemaFormat.parse('{"enum":["b","a"]}', []);
  assert.equal(a.normalized, '{"enum":["b","a"]}');
});
