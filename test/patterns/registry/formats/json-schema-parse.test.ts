import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonSchemaFormat } from '../../../../patterns/registry/formats/json-schema/index.js';
import { InvalidSchemaError } from '../../../../patterns/registry/formats/schema-format.js';

const valid: Array<[string, string, string]> = [
  ['object schema is stored compactly, key order kept', '{ "type": "object",\n "properties": { "b": {"type":"string"}, "a": {} } }', '{"type":"object","properties":{"b":{"type":"string"},"a":{}}}'],
  ['boolean root true', ' true ', 'true'],
  ['boolean root false', 'false', 'false'],
  ['empty schema', '{}', '{}'],
  ['unknown keywords are kept', '{"type":"string","x-custom":1}', '{"type":"string","x-custom":1}'],
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
  ['negative minLength', '{"type":"string","minLength":-1}'],
];

for (const [name, text] of invalid) {
  test(`JSON parse rejects: ${name}`, () => {
    assert.throws(() => jsonSchemaFormat.parse(text, []), (err: unknown) => err instanceof InvalidSchemaError && /^Invalid schema/.test(err.message));
  });
}
