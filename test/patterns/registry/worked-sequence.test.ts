/**
 * The worked sequence of confluent-sr-api.md §3.16 (fresh registry, global level BACKWARD),
 * step by step over gRPC, each step asserting what the Confluent REST call answers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { assertRegistryError, startTestRegistry, type TestRegistry } from './registry-test-client.js';

const R1 = '{"type":"record","name":"Order","fields":[{"name":"id","type":"int"}]}';
const R1_SPACED = '{ "type": "record", "name": "Order",\n  "fields": [ { "name": "id", "type": "int" } ] }';
const R2 = '{"type":"record","name":"Order","fields":[{"name":"id","type":"int"},{"name":"note","type":"string","default":""}]}';
const R3 = '{"type":"record","name":"Order","fields":[{"name":"id","type":"int"},{"name":"qty","type":"int"}]}';

let registry: TestRegistry;
before(async () => {
  registry = await startTestRegistry();
});
after(() => registry.close());

test('confluent-sr-api.md §3.16 worked sequence', async () => {
  const call = registry.client.call;

  // 1–3: register, idempotent re-registration (whitespace does not matter), same id in another subject.
  assert.deepEqual(await call('RegisterSchema', { subject: 'orders-value', schema: R1 }), { id: 1, version: 1 });
  assert.deepEqual(await call('RegisterSchema', { subject: 'orders-value', schema: R1_SPACED }), { id: 1, version: 1 });
  assert.deepEqual(await call('RegisterSchema', { subject: 'audit-value', schema: R1 }), { id: 1, version: 1 });

  // 4
  assert.deepEqual((await call('ListSubjects', {})).subjects, ['audit-value', 'orders-value']);

  // 5: the canonical text is stored and returned.
  const v1 = await call('GetSchemaVersion', { subject: 'orders-value', version: '1' });
  assert.deepEqual(v1, { subject: 'orders-value', version: 1, id: 1, schema_type: 'AVRO', references: [], schema: R1 });

  // 6, 7
  assert.equal((await call('GetSchema', { id: 1 })).schema, R1);
  assert.deepEqual((await call('ListSchemaSubjectVersions', { id: 1 })).subject_versions, [
    { subject: 'audit-value', version: 1 },
    { subject: 'orders-value', version: 1 },
  ]);

  // 8: verbose compatibility against latest.
  const check = await call('CheckCompatibility', { subject: 'orders-value', version: 'latest', schema: R3, verbose: true });
  assert.equal(check.is_compatible, false);
  assert.deepEqual(check.messages, [
    "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'qty' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'qty'}",
    '{oldSchemaVersion: 1}',
    `{oldSchema: '${R1}'}`,
    "{validateFields: 'false', compatibility: 'BACKWARD'}",
  ]);

  // 9: incompatible registration, 7.2+ message with details.
  await assertRegistryError(call('RegisterSchema', { subject: 'orders-value', schema: R3 }), 'INCOMPATIBLE_SCHEMA', {
    code: status.FAILED_PRECONDITION,
    message: `Schema being registered is incompatible with an earlier schema for subject "orders-value", details: [${check.messages.join(', ')}]`,
  });

  // 10, 11
  assert.deepEqual(await call('RegisterSchema', { subject: 'orders-value', schema: R2 }), { id: 2, version: 2 });
  const found = await call('LookupSchema', { subject: 'orders-value', schema: R1 });
  assert.deepEqual(found, { subject: 'orders-value', version: 1, id: 1, schema_type: 'AVRO', references: [], schema: R1 });

  // 12–14: subject config.
  await assertRegistryError(call('GetConfig', { subject: 'orders-value' }), 'SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED', {
    code: status.NOT_FOUND,
    message: "Subject 'orders-value' does not have subject-level compatibility configured",
  });
  assert.deepEqual(await call('GetConfig', { subject: 'orders-value', default_to_global: true }), { compatibility_level: 'BACKWARD' });
  assert.deepEqual(await call('UpdateConfig', { subject: 'orders-value', compatibility: 'none' }), { compatibility: 'NONE' });

  // 15–17: delete rules.
  await assertRegistryError(call('DeleteSchemaVersion', { subject: 'orders-value', version: '2', permanent: true }), 'SCHEMAVERSION_NOT_SOFT_DELETED', {
    message: "Subject 'orders-value' Version 2 was not deleted first before being permanently deleted",
  });
  assert.deepEqual(await call('DeleteSchemaVersion', { subject: 'orders-value', version: '2' }), { version: 2 });
  await assertRegistryError(call('DeleteSchemaVersion', { subject: 'orders-value', version: '2' }), 'SCHEMAVERSION_SOFT_DELETED', {
    message: "Subject 'orders-value' Version 2 was soft deleted.Set permanent=true to delete permanently",
  });

  // 18–21: soft-deleted versions are hidden unless asked for; ids stay resolvable.
  await assertRegistryError(call('GetSchemaVersion', { subject: 'orders-value', version: '2' }), 'VERSION_NOT_FOUND', {
    message: 'Version 2 not found.',
  });
  assert.equal((await call('GetSchemaVersion', { subject: 'orders-value', version: '2', deleted: true })).id, 2);
  assert.deepEqual((await call('ListSchemaVersions', { subject: 'orders-value', deleted: true })).versions, [1, 2]);
  assert.equal((await call('GetSchema', { id: 2 })).schema, JSON.stringify(JSON.parse(R2)));

  // 22, 23: after the hard delete the id is gone, and re-registering gives a new id and version 2 again.
  assert.deepEqual(await call('DeleteSchemaVersion', { subject: 'orders-value', version: '2', permanent: true }), { version: 2 });
  assert.deepEqual(await call('RegisterSchema', { subject: 'orders-value', schema: R2 }), { id: 3, version: 2 });

  // 24–26
  await assertRegistryError(call('GetSchemaVersion', { subject: 'orders-value', version: 'zero' }), 'INVALID_VERSION', {
    code: status.INVALID_ARGUMENT,
    message: 'The specified version \'zero\' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"',
  });
  await assertRegistryError(call('ListSchemaVersions', { subject: 'nope' }), 'SUBJECT_NOT_FOUND', { message: "Subject 'nope' not found." });
  await assertRegistryError(call('GetSchema', { id: 99 }), 'SCHEMA_NOT_FOUND', { message: 'Schema 99 not found' });

  // 27–29
  await assertRegistryError(call('UpdateConfig', { compatibility: 'SIDEWAYS' }), 'INVALID_COMPATIBILITY_LEVEL', {
    message: 'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
  });
  await assertRegistryError(call('UpdateMode', { mode: 'IMPORT' }), 'OPERATION_NOT_PERMITTED', {
    message: 'Cannot import since found existing subjects',
  });
  await assertRegistryError(call('RegisterSchema', { subject: 'x', schema: '{"type":"strin"}' }), 'INVALID_SCHEMA', { message: /^Invalid schema/ });
});
