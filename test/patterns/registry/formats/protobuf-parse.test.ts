import { test } from 'node:test';
import assert from 'node:assert/strict';
import { protobufFormat } from '../../../../patterns/registry/formats/protobuf/index.js';
import { InvalidSchemaError } from '../../../../patterns/registry/formats/schema-format.js';

test('PROTOBUF parse accepts a proto3 message', () => {
  const parsed = protobufFormat.parse('syntax = "proto3";\nmessage A { int32 x = 1; }\n', []);
  assert.equal(parsed.type, 'PROTOBUF');
  assert.ok(parsed.canonical.includes('message A'));
});

const invalid: Array<[string, string]> = [
  ['unterminated message', 'syntax = "proto3"; message A {'],
  ['garbage', 'this is not a proto'],
];
for (const [name, text] of invalid) {
  test(`PROTOBUF parse rejects: ${name}`, () => {
    assert.throws(() => protobufFormat.parse(text, []), (err: unknown) => err instanceof InvalidSchemaError && /^Invalid schema/.test(err.message));
  });
}
