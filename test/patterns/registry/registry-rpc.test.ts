/**
 * Every RPC of prism.patterns.registry.v1.Registry over a real socket, with the Confluent
 * behaviour it must reproduce (confluent-sr-api.md §1–3) and every error reason it can send.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { assertRegistryError, startTestRegistry, type RegistryClient } from './registry-test-client.js';

const record = (name: string, fields: string[] = ['{"name":"id","type":"int"}']) =>
  `{"type":"record","name":"${name}","fields":[${fields.join(',')}]}`;
const A1 = record('A');
const A2 = record('A', ['{"name":"id","type":"int"}', '{"name":"b","type":"string","default":""}']);
const A3 = record('A', ['{"name":"id","type":"int"}', '{"name":"b","type":"string","default":""}', '{"name":"c","type":"long","default":0}']);
const B1 = record('B');

/** Runs `body` against a fresh registry. */
function rpcTest(name: string, body: (call: RegistryClient['call']) => Promise<void>, options: { maxSchemaBytes?: number } = {}) {
  test(name, async () => {
    const registry = await startTestRegistry(undefined, options);
    try {
      await body(registry.client.call);
    } finally {
      await registry.close();
    }
  });
}

// --- RegisterSchema -----------------------------------------------------------------

rpcTest('RegisterSchema: ids are global, versions per subject; schema types JSON and PROTOBUF register too', async (call) => {
  assert.deepEqual(await call('RegisterSchema', { subject: 's1', schema: A1 }), { id: 1, version: 1 });
  assert.deepEqual(await call('RegisterSchema', { subject: 's1', schema: A2 }), { id: 2, version: 2 });
  assert.deepEqual(await call('RegisterSchema', { subject: 's2', schema: A2 }), { id: 2, version: 1 });
  assert.deepEqual(await call('RegisterSchema', { subject: 'j', schema_type: 'JSON', schema: '{ "type": "string" }' }), { id: 3, version: 1 });
  const json = await call('GetSchema', { id: 3 });
  assert.deepEqual([json.schema_type, json.schema], ['JSON', '{"type":"string"}']);
  const proto = 'syntax = "proto3";\nmessage M { int32 x = 1; }\n';
  assert.deepEqual(await call('RegisterSchema', { subject: 'p', schema_type: 'PROTOBUF', schema: proto }), { id: 4, version: 1 });
  assert.equal((await call('GetSchemaVersion', { subject: 'p', version: 'latest' })).schema_type, 'PROTOBUF');
  // Explicit "AVRO" is the same as omission.
  assert.deepEqual(await call('RegisterSchema', { subject: 's1', schema: A1, schema_type: 'AVRO' }), { id: 1, version: 1 });
});

rpcTest('RegisterSchema: invalid subject, schema type, schema and empty schema', async (call) => {
  await assertRegistryError(call('RegisterSchema', { subject: 'bad\u0001subject', schema: A1 }), 'INVALID_SUBJECT', {
    code: status.INVALID_ARGUMENT,
    message: "The specified subject 'bad\u0001subject' is not a valid.",
  });
  await assertRegistryError(call('RegisterSchema', { subject: '__GLOBAL', schema: A1 }), 'INVALID_SUBJECT');
  await assertRegistryError(call('RegisterSchema', { subject: 's', schema: A1, schema_type: 'avro' }), 'INVALID_SCHEMA', {
    message: 'Invalid schema type avro',
  });
  await assertRegistryError(call('RegisterSchema', { subject: 's', schema: '{"type":"record","name":"R","fields":[{"name":"a","type":"string","default":null}]}' }), 'INVALID_SCHEMA', {
    code: status.INVALID_ARGUMENT,
  });
  await assertRegistryError(call('RegisterSchema', { subject: 's', schema_type: 'JSON', schema: '{"type":' }), 'INVALID_SCHEMA');
  await assertRegistryError(call('RegisterSchema', { subject: 's', schema_type: 'PROTOBUF', schema: 'message {' }), 'INVALID_SCHEMA');
  await assertRegistryError(call('RegisterSchema', { subject: 's', schema: '' }), 'INVALID_SCHEMA', { message: 'Empty schema' });
  // 7.4+: an empty schema re-uses the latest live version; the registry changed what was
  // sent, so the whole schema is answered (confluent-data-contracts.md §3.2 step 9).
  await call('RegisterSchema', { subject: 's', schema: A1 });
  assert.deepEqual(await call('RegisterSchema', { subject: 's', schema: '' }), { id: 1, version: 1, schema: A1, schema_type: 'AVRO', references: [] });
});

rpcTest('RegisterSchema: schema too large', async (call) => {
  await assertRegistryError(call('RegisterSchema', { subject: 's', schema: record('A', Array.from({ length: 30 }, (_, i) => `{"name":"f${i}","type":"int"}`)) }), 'SCHEMA_TOO_LARGE', {
    code: status.INVALID_ARGUMENT,
    message: 'Register operation failed because schema is too large',
  });
}, { maxSchemaBytes: 200 });

rpcTest('RegisterSchema: explicit version must be the next one outside IMPORT', async (call) => {
  await call('RegisterSchema', { subject: 's', schema: A1 });
  await assertRegistryError(call('RegisterSchema', { subject: 's', schema: A2, version: 5 }), 'INVALID_SCHEMA', {
    message: 'Version is not one more than previous version',
  });
  assert.deepEqual(await call('RegisterSchema', { subject: 's', schema: A2, version: 2 }), { id: 2, version: 2 });
  assert.deepEqual(await call('RegisterSchema', { subject: 's', schema: A3, version: -1 }), { id: 3, version: 3 });
});

rpcTest('RegisterSchema: version numbering after soft and hard deletes (§3.4)', async (call) => {
  await call('RegisterSchema', { subject: 's', schema: A1 });
  await call('RegisterSchema', { subject: 's', schema: A2 });
  await call('DeleteSubject', { subject: 's' });
  assert.deepEqual(await call('RegisterSchema', { subject: 's', schema: A3 }), { id: 3, version: 3 });
  assert.deepEqual((await call('ListSchemaVersions', { subject: 's' })).versions, [3]);
  await assertRegistryError(call('GetSchemaVersion', { subject: 's', version: '1' }), 'VERSION_NOT_FOUND');
  // After a permanent subject delete numbering restarts at 1.
  await call('DeleteSubject', { subject: 's' });
  assert.deepEqual((await call('DeleteSubject', { subject: 's', permanent: true })).versions, [1, 2, 3]);
  assert.deepEqual(await call('RegisterSchema', { subject: 's', schema: B1 }), { id: 4, version: 1 });
});

rpcTest('RegisterSchema: re-registering a soft-deleted schema reuses its id', async (call) => {
  await call('RegisterSchema', { subject: 's', schema: A1 });
  await call('RegisterSchema', { subject: 's', schema: A2 });
  await call('DeleteSchemaVersion', { subject: 's', version: '2' });
  await call('DeleteSchemaVersion', { subject: 's', version: '2', permanent: true });
  await call('DeleteSchemaVersion', { subject: 's', version: '1' });
  // register v1 schema again ⇒ version 2, versions [2] (RestApiTest, §3.4)
  assert.deepEqual(await call('RegisterSchema', { subject: 's', schema: A1 }), { id: 1, version: 2 });
  assert.deepEqual((await call('ListSchemaVersions', { subject: 's', deleted: true })).versions, [2]);
});

rpcTest('RegisterSchema: normalize gives the normalised identity', async (call) => {
  const namespaced = '{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":"int"}]}';
  const qualified = '{"type":"record","name":"n.R","fields":[{"name":"a","type":"int"}]}';
  const first = await call('RegisterSchema', { subject: 's', schema: namespaced, normalize: true });
  assert.deepEqual(await call('RegisterSchema', { subject: 's', schema: qualified, normalize: true }), first);
  assert.equal((await call('GetSchema', { id: first.id })).schema, '{"type":"record","name":"n.R","fields":[{"name":"a","type":"int"}]}');
  // A lookup matches a normalised registration only when it normalises too.
  await assertRegistryError(call('LookupSchema', { subject: 's', schema: namespaced }), 'SCHEMA_NOT_FOUND');
  assert.equal((await call('LookupSchema', { subject: 's', schema: namespaced, normalize: true })).id, first.id);
});

// --- LookupSchema -------------------------------------------------------------------

rpcTest('LookupSchema: match, deleted, and the error order', async (call) => {
  await assertRegistryError(call('LookupSchema', { subject: 'nope', schema: '{"type":"strin"}' }), 'INVALID_SCHEMA');
  await assertRegistryError(call('LookupSchema', { subject: 'nope', schema: A1 }), 'SUBJECT_NOT_FOUND', { message: "Subject 'nope' not found." });
  await call('RegisterSchema', { subject: 's', schema: A1 });
  await call('RegisterSchema', { subject: 's', schema: A2 });
  await assertRegistryError(call('LookupSchema', { subject: 's', schema: B1 }), 'SCHEMA_NOT_FOUND', { code: status.NOT_FOUND, message: 'Schema not found' });
  // An empty schema is "no match" (7.4+).
  await assertRegistryError(call('LookupSchema', { subject: 's', schema: '' }), 'SCHEMA_NOT_FOUND');
  const found = await call('LookupSchema', { subject: 's', schema: ' ' + A2 });
  assert.deepEqual(found, { subject: 's', version: 2, id: 2, schema_type: 'AVRO', references: [], schema: A2 });
  await call('DeleteSchemaVersion', { subject: 's', version: '2' });
  await assertRegistryError(call('LookupSchema', { subject: 's', schema: A2 }), 'SCHEMA_NOT_FOUND');
  assert.equal((await call('LookupSchema', { subject: 's', schema: A2, deleted: true })).version, 2);
  await call('DeleteSubject', { subject: 's' });
  await assertRegistryError(call('LookupSchema', { subject: 's', schema: A1 }), 'SUBJECT_NOT_FOUND');
});

// --- GetSchemaVersion -----------------------------------------------------------------

const invalidVersions = ['0', '-2', 'earliest', '1.5', '2147483648', '', 'latest1'];
for (const version of invalidVersions) {
  rpcTest(`GetSchemaVersion: '${version}' is INVALID_VERSION, even for an unknown subject`, async (call) => {
    await assertRegistryError(call('GetSchemaVersion', { subject: 'nope', version }), 'INVALID_VERSION', {
      message: `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
      metadata: { error_code: '42202', version },
    });
  });
}

rpcTest('GetSchemaVersion: latest, -1, trimmed numbers, and deleted versions (§3.7)', async (call) => {
  await call('RegisterSchema', { subject: 's', schema: A1 });
  await call('RegisterSchema', { subject: 's', schema: A2 });
  for (const version of ['latest', ' LATEST ', 'Latest', '-1', '2', ' 2 ', '+2']) {
    assert.equal((await call('GetSchemaVersion', { subject: 's', version })).version, 2, version);
  }
  await assertRegistryError(call('GetSchemaVersion', { subject: 's', version: '2147483647' }), 'VERSION_NOT_FOUND', {
    metadata: { error_code: '40402' },
  });
  await call('DeleteSchemaVersion', { subject: 's', version: '2' });
  assert.equal((await call('GetSchemaVersion', { subject: 's', version: 'latest' })).version, 1);
  assert.equal((await call('GetSchemaVersion', { subject: 's', version: 'latest', deleted: true })).version, 1);
  await call('DeleteSchemaVersion', { subject: 's', version: '1' });
  // Only soft-deleted versions left: latest is 40401 without deleted, 40402 "-1" with it.
  await assertRegistryError(call('GetSchemaVersion', { subject: 's', version: 'latest' }), 'SUBJECT_NOT_FOUND');
  await assertRegistryError(call('GetSchemaVersion', { subject: 's', version: 'latest', deleted: true }), 'VERSION_NOT_FOUND', {
    message: 'Version -1 not found.',
  });
  assert.equal((await call('GetSchemaVersion', { subject: 's', version: '1', deleted: true })).schema, A1);
  await assertRegistryError(call('GetSchemaVersion', { subject: 'nope', version: '1' }), 'SUBJECT_NOT_FOUND');
});

// --- ListSchemaVersions, ListSubjects ---------------------------------------------------

rpcTest('ListSchemaVersions and ListSubjects: deleted, deleted_only, prefix, pagination (§3.9)', async (call) => {
  await call('RegisterSchema', { subject: 'a-value', schema: A1 });
  await call('RegisterSchema', { subject: 'a-value', schema: A2 });
  await call('RegisterSchema', { subject: 'a-value', schema: A3 });
  await call('RegisterSchema', { subject: 'b-value', schema: B1 });
  await call('RegisterSchema', { subject: 'c-key', schema: B1 });
  await call('DeleteSchemaVersion', { subject: 'a-value', version: '2' });
  await call('DeleteSubject', { subject: 'c-key' });

  const versions = async (extra: Record<string, unknown>) => (await call('ListSchemaVersions', { subject: 'a-value', ...extra })).versions;
  assert.deepEqual(await versions({}), [1, 3]);
  assert.deepEqual(await versions({ deleted: true }), [1, 2, 3]);
  assert.deepEqual(await versions({ deleted_only: true }), [2]);
  assert.deepEqual(await versions({ deleted: true, deleted_only: true }), [2]);
  assert.deepEqual(await versions({ deleted: true, offset: 1, limit: 1 }), [2]);
  assert.deepEqual(await versions({ deleted: true, offset: -3, limit: 0 }), [1, 2, 3]);
  assert.deepEqual((await call('ListSchemaVersions', { subject: 'b-value', deleted_only: true })).versions, []);
  await assertRegistryError(call('ListSchemaVersions', { subject: 'c-key' }), 'SUBJECT_NOT_FOUND');
  assert.deepEqual((await call('ListSchemaVersions', { subject: 'c-key', deleted: true })).versions, [1]);

  const subjects = async (extra: Record<string, unknown>) => (await call('ListSubjects', extra)).subjects;
  assert.deepEqual(await subjects({}), ['a-value', 'b-value']);
  assert.deepEqual(await subjects({ subject_prefix: ':*:' }), ['a-value', 'b-value']);
  assert.deepEqual(await subjects({ deleted: true }), ['a-value', 'b-value', 'c-key']);
  assert.deepEqual(await subjects({ deleted_only: true }), ['c-key']);
  assert.deepEqual(await subjects({ subject_prefix: 'b' }), ['b-value']);
  assert.deepEqual(await subjects({ subject_prefix: ':.:a' }), ['a-value']);
  assert.deepEqual(await subjects({ subject_prefix: ':.other:' }), []);
  assert.deepEqual(await subjects({ offset: 1, limit: 5 }), ['b-value']);
});

// --- DeleteSchemaVersion, DeleteSubject -------------------------------------------------

rpcTest('DeleteSchemaVersion: check order and results (§2.1 S7)', async (call) => {
  await assertRegistryError(call('DeleteSchemaVersion', { subject: 'nope', version: 'x' }), 'INVALID_VERSION');
  await assertRegistryError(call('DeleteSchemaVersion', { subject: 'nope', version: '1' }), 'SUBJECT_NOT_FOUND');
  await call('RegisterSchema', { subject: 's', schema: A1 });
  await call('RegisterSchema', { subject: 's', schema: A2 });
  await assertRegistryError(call('DeleteSchemaVersion', { subject: 's', version: '7' }), 'VERSION_NOT_FOUND', { message: 'Version 7 not found.' });
  // latest resolves to the newest live version and the response names it.
  assert.deepEqual(await call('DeleteSchemaVersion', { subject: 's', version: 'latest' }), { version: 2 });
  await assertRegistryError(call('DeleteSchemaVersion', { subject: 's', version: 'latest', permanent: true }), 'SCHEMAVERSION_NOT_SOFT_DELETED', {
    code: status.FAILED_PRECONDITION,
    message: "Subject 's' Version 1 was not deleted first before being permanently deleted",
  });
  assert.deepEqual(await call('DeleteSchemaVersion', { subject: 's', version: '2', permanent: true }), { version: 2 });
  await assertRegistryError(call('DeleteSchemaVersion', { subject: 's', version: '2', permanent: true }), 'VERSION_NOT_FOUND');
  // Soft-deleted before anything else is checked: 40406 even in READONLY.
  await call('DeleteSchemaVersion', { subject: 's', version: '1' });
  await call('UpdateMode', { subject: 's', mode: 'READONLY' });
  await assertRegistryError(call('DeleteSchemaVersion', { subject: 's', version: '1' }), 'SCHEMAVERSION_SOFT_DELETED');
  await assertRegistryError(call('DeleteSchemaVersion', { subject: 's', version: '1', permanent: true }), 'OPERATION_NOT_PERMITTED', {
    message: 'Subject s is in read-only mode',
  });
  await call('DeleteMode', { subject: 's' });
  await call('DeleteSchemaVersion', { subject: 's', version: '1', permanent: true });
  await assertRegistryError(call('DeleteSchemaVersion', { subject: 's', version: '1' }), 'SUBJECT_NOT_FOUND');
});

rpcTest('DeleteSubject: soft then permanent (§2.1 S9)', async (call) => {
  await assertRegistryError(call('DeleteSubject', { subject: 's' }), 'SUBJECT_NOT_FOUND');
  await call('RegisterSchema', { subject: 's', schema: A1 });
  await call('RegisterSchema', { subject: 's', schema: A2 });
  await call('DeleteSchemaVersion', { subject: 's', version: '1' });
  await assertRegistryError(call('DeleteSubject', { subject: 's', permanent: true }), 'SUBJECT_NOT_SOFT_DELETED', {
    code: status.FAILED_PRECONDITION,
    message: "Subject 's' was not deleted first before being permanently deleted",
  });
  assert.deepEqual(await call('DeleteSubject', { subject: 's' }), { versions: [2] });
  await assertRegistryError(call('DeleteSubject', { subject: 's' }), 'SUBJECT_SOFT_DELETED', {
    message: "Subject 's' was soft deleted.Set permanent=true to delete permanently",
  });
  assert.deepEqual(await call('DeleteSubject', { subject: 's', permanent: true }), { versions: [1, 2] });
  await assertRegistryError(call('DeleteSubject', { subject: 's', permanent: true }), 'SUBJECT_NOT_FOUND');
  await assertRegistryError(call('GetSchema', { id: 1 }), 'SCHEMA_NOT_FOUND');
});

// --- references ---------------------------------------------------------------------------

rpcTest('references: resolve, identity, referenced-by, and refusing to delete what is referenced (§3.10)', async (call) => {
  const address = '{"type":"record","name":"Address","namespace":"acme","fields":[{"name":"street","type":"string"}]}';
  await call('RegisterSchema', { subject: 'address', schema: address });
  const user = '{"type":"record","name":"User","namespace":"acme","fields":[{"name":"home","type":"acme.Address"}]}';
  await assertRegistryError(call('RegisterSchema', { subject: 'user', schema: user }), 'INVALID_SCHEMA');
  await assertRegistryError(
    call('RegisterSchema', { subject: 'user', schema: user, references: [{ name: 'acme.Address', subject: 'address', version: 9 }] }),
    'INVALID_SCHEMA',
    { message: /No schema reference found for subject "address" and version 9/ },
  );
  await assertRegistryError(
    call('RegisterSchema', { subject: 'user', schema: user, references: [{ name: '', subject: 'address', version: 1 }] }),
    'INVALID_SCHEMA',
    { message: /^Invalid reference: / },
  );
  const registered = await call('RegisterSchema', { subject: 'user', schema: user, references: [{ name: 'acme.Address', subject: 'address', version: -1 }] });
  assert.deepEqual(registered, { id: 2, version: 1 });
  const got = await call('GetSchemaVersion', { subject: 'user', version: '1' });
  // The referenced type is printed by name; -1 was stored as the concrete version.
  assert.equal(got.schema, '{"type":"record","name":"User","namespace":"acme","fields":[{"name":"home","type":"Address"}]}');
  assert.deepEqual(got.references, [{ name: 'acme.Address', subject: 'address', version: 1 }]);
  assert.deepEqual((await call('GetSchema', { id: 2 })).references, [{ name: 'acme.Address', subject: 'address', version: 1 }]);
  assert.deepEqual((await call('ListReferencedBy', { subject: 'address', version: '1' })).ids, [2]);
  assert.deepEqual((await call('ListReferencedBy', { subject: 'address', version: 'latest', offset: 1 })).ids, []);
  await assertRegistryError(call('ListReferencedBy', { subject: 'address', version: 'x' }), 'INVALID_VERSION');

  // Lookup with the same references matches; without them it is another schema.
  assert.equal((await call('LookupSchema', { subject: 'user', schema: user, references: [{ name: 'acme.Address', subject: 'address', version: 1 }] })).id, 2);

  await assertRegistryError(call('DeleteSchemaVersion', { subject: 'address', version: '1' }), 'REFERENCE_EXISTS', {
    code: status.FAILED_PRECONDITION,
    message: 'One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=address,version=1}.',
  });
  await assertRegistryError(call('DeleteSubject', { subject: 'address' }), 'REFERENCE_EXISTS');
  // Soft-deleting the referrer releases the reference.
  await call('DeleteSubject', { subject: 'user' });
  assert.deepEqual((await call('ListReferencedBy', { subject: 'address', version: '1' })).ids, []);
  assert.deepEqual(await call('DeleteSubject', { subject: 'address' }), { versions: [1] });
});

// --- by id -------------------------------------------------------------------------------

rpcTest('GetSchema, ListSchemaSubjects, ListSchemaSubjectVersions, max id', async (call) => {
  assert.equal((await assertRegistryError(call('GetSchema', { id: 1, fetch_max_id: true }), 'SCHEMA_NOT_FOUND')).details, 'Schema 1 not found');
  await call('RegisterSchema', { subject: 'b', schema: A1 });
  await call('RegisterSchema', { subject: 'a', schema: A1 });
  await call('RegisterSchema', { subject: 'a', schema: A2 });
  await call('DeleteSchemaVersion', { subject: 'b', version: '1' });
  // Soft deletion does not hide a schema by id; `subject` is accepted and ignored.
  assert.deepEqual(await call('GetSchema', { id: 1, subject: 'unrelated' }), { schema_type: 'AVRO', schema: A1, references: [], max_id: 0 });
  assert.equal((await call('GetSchema', { id: 1, fetch_max_id: true })).max_id, 2);
  assert.deepEqual((await call('ListSchemaSubjects', { id: 1 })).subjects, ['a']);
  assert.deepEqual((await call('ListSchemaSubjects', { id: 1, deleted: true })).subjects, ['a', 'b']);
  assert.deepEqual((await call('ListSchemaSubjectVersions', { id: 1, deleted: true })).subject_versions, [
    { subject: 'a', version: 1 },
    { subject: 'b', version: 1 },
  ]);
  assert.deepEqual((await call('ListSchemaSubjectVersions', { id: 1, deleted: true, offset: 1 })).subject_versions, [{ subject: 'b', version: 1 }]);
  await assertRegistryError(call('ListSchemaSubjects', { id: 42 }), 'SCHEMA_NOT_FOUND', { message: 'Schema not found' });
  await assertRegistryError(call('ListSchemaSubjectVersions', { id: 42 }), 'SCHEMA_NOT_FOUND', { message: 'Schema not found' });
});

rpcTest('ListSchemas, GetSchemaTypes, ListContexts', async (call) => {
  await call('RegisterSchema', { subject: 'b', schema: B1 });
  await call('RegisterSchema', { subject: 'a', schema: A1 });
  await call('RegisterSchema', { subject: 'a', schema: A2 });
  await call('DeleteSchemaVersion', { subject: 'a', version: '2' });
  const list = async (extra: Record<string, unknown>) => (await call('ListSchemas', extra)).schemas.map((s: { subject: string; version: number }) => `${s.subject}/${s.version}`);
  assert.deepEqual(await list({}), ['a/1', 'b/1']);
  assert.deepEqual(await list({ deleted: true }), ['a/1', 'a/2', 'b/1']);
  assert.deepEqual(await list({ deleted: true, latest_only: true }), ['a/2', 'b/1']);
  assert.deepEqual(await list({ subject_prefix: 'b' }), ['b/1']);
  assert.deepEqual(await list({ offset: 1, limit: 1 }), ['b/1']);
  const [first] = (await call('ListSchemas', { subject_prefix: 'a' })).schemas;
  assert.deepEqual(first, { subject: 'a', version: 1, id: 2, schema_type: 'AVRO', references: [], schema: A1 });
  assert.deepEqual(new Set((await call('GetSchemaTypes', {})).schema_types), new Set(['AVRO', 'JSON', 'PROTOBUF']));
  assert.deepEqual((await call('ListContexts', {})).contexts, ['.']);
});

// --- CheckCompatibility ------------------------------------------------------------------

rpcTest('CheckCompatibility: versions, latest, verbose, invalid schemas (§1.4)', async (call) => {
  const incompatible = record('A', ['{"name":"id","type":"string"}']);
  // latest on an unknown subject is compatible; a numeric version is 40402 even then.
  assert.deepEqual(await call('CheckCompatibility', { subject: 'nope', version: 'latest', schema: A1 }), { is_compatible: true, messages: [] });
  await assertRegistryError(call('CheckCompatibility', { subject: 'nope', version: '1', schema: A1 }), 'VERSION_NOT_FOUND', { message: 'Version 1 not found.' });
  await assertRegistryError(call('CheckCompatibility', { subject: 'nope', version: 'one', schema: A1 }), 'INVALID_VERSION');
  await call('RegisterSchema', { subject: 's', schema: A1 });
  assert.deepEqual(await call('CheckCompatibility', { subject: 's', version: '1', schema: A2 }), { is_compatible: true, messages: [] });
  assert.deepEqual(await call('CheckCompatibility', { subject: 's', version: '1', schema: A2, verbose: true }), { is_compatible: true, messages: [] });
  assert.deepEqual(await call('CheckCompatibility', { subject: 's', schema: incompatible }), { is_compatible: false, messages: [] });
  const verbose = await call('CheckCompatibility', { subject: 's', schema: incompatible, verbose: true });
  assert.deepEqual(verbose.messages, [
    "{errorType:'TYPE_MISMATCH', description:'The type (path '/fields/0/type') of a field in the new schema does not match with the old schema', additionalInfo:'reader type: STRING not compatible with writer type: INT'}",
    '{oldSchemaVersion: 1}',
    `{oldSchema: '${A1}'}`,
    "{validateFields: 'false', compatibility: 'BACKWARD'}",
  ]);
  // An invalid schema: 42201, or with verbose a 200 carrying the parse message.
  await assertRegistryError(call('CheckCompatibility', { subject: 's', schema: '{"type":"strin"}' }), 'INVALID_SCHEMA');
  const invalid = await call('CheckCompatibility', { subject: 's', schema: '{"type":"strin"}', verbose: true });
  assert.equal(invalid.is_compatible, false);
  assert.match(invalid.messages[0], /^Invalid schema/);
  // A different schema type.
  const typeChange = await call('CheckCompatibility', { subject: 's', schema_type: 'JSON', schema: '{"type":"object"}', verbose: true });
  assert.equal(typeChange.is_compatible, false);
  assert.equal(typeChange.messages[0], 'Incompatible because of different schema type');
  // Soft-deleted versions are not compared; a deleted numbered version is 40402.
  await call('DeleteSchemaVersion', { subject: 's', version: '1' });
  assert.equal((await call('CheckCompatibility', { subject: 's', schema: incompatible })).is_compatible, true);
  await assertRegistryError(call('CheckCompatibility', { subject: 's', version: '1', schema: A1 }), 'VERSION_NOT_FOUND');
});

rpcTest('compatibility levels: which versions, which direction (compatibility-rules.md §1)', async (call) => {
  // v1 {id:int}, v2 {id:int, b:string=""}; candidate removes nothing but adds c without default.
  const noDefault = record('A', ['{"name":"id","type":"int"}', '{"name":"b","type":"string","default":""}', '{"name":"c","type":"long"}']);
  const dropsB = record('A', ['{"name":"id","type":"int"}']);
  await call('RegisterSchema', { subject: 's', schema: A1 });
  await call('RegisterSchema', { subject: 's', schema: A2 });
  const verdict = async (level: string, schema: string) => {
    await call('UpdateConfig', { subject: 's', compatibility: level });
    return (await call('CheckCompatibility', { subject: 's', schema })).is_compatible;
  };
  assert.equal(await verdict('NONE', noDefault), true);
  assert.equal(await verdict('BACKWARD', noDefault), false);
  assert.equal(await verdict('FORWARD', noDefault), true);
  assert.equal(await verdict('FULL', noDefault), false);
  // Removing a field that has a default in the old schema is fine both ways.
  assert.equal(await verdict('FULL', dropsB), true);
  // int → long: backward yes, forward no.
  const widened = record('A', ['{"name":"id","type":"long"}', '{"name":"b","type":"string","default":""}']);
  assert.equal(await verdict('BACKWARD', widened), true);
  assert.equal(await verdict('FORWARD', widened), false);
  // Transitive levels look past the newest version: a schema fine against v2 but not v1.
  const needsB = record('A', ['{"name":"id","type":"int"}', '{"name":"b","type":"string"}']);
  assert.equal(await verdict('BACKWARD', needsB), true);
  assert.equal(await verdict('BACKWARD_TRANSITIVE', needsB), false);
  assert.equal(await verdict('FULL_TRANSITIVE', needsB), false);
  const transitive = await call('CheckCompatibility', { subject: 's', schema: needsB, verbose: true });
  assert.deepEqual(transitive.messages.slice(1), ['{oldSchemaVersion: 1}', `{oldSchema: '${A1}'}`, "{validateFields: 'false', compatibility: 'FULL_TRANSITIVE'}"]);
  // Against one version a transitive level acts like the plain one.
  assert.equal((await call('CheckCompatibility', { subject: 's', version: 'latest', schema: needsB })).is_compatible, true);
  // FORWARD_TRANSITIVE: old versions read the new one.
  assert.equal(await verdict('FORWARD_TRANSITIVE', widened), false);
  // FULL lists old-reads-new first, then new-reads-old.
  await call('UpdateConfig', { subject: 's', compatibility: 'FULL' });
  const full = await call('CheckCompatibility', { subject: 's', schema: record('A', ['{"name":"id","type":"string"}', '{"name":"b","type":"string","default":""}']), verbose: true });
  assert.match(full.messages[0], /in the old schema does not match with the new schema/);
  assert.match(full.messages[1], /in the new schema does not match with the old schema/);
  // Registration uses the same check and the same messages.
  await assertRegistryError(call('RegisterSchema', { subject: 's', schema: noDefault }), 'INCOMPATIBLE_SCHEMA', { metadata: { subject: 's', error_code: '409' } });
  await call('UpdateConfig', { subject: 's', compatibility: 'NONE' });
  assert.equal((await call('RegisterSchema', { subject: 's', schema: noDefault })).version, 3);
  // Under NONE even the type may change.
  assert.equal((await call('RegisterSchema', { subject: 's', schema_type: 'JSON', schema: '{}' })).version, 4);
});

// --- config -----------------------------------------------------------------------------

rpcTest('config: global default, subject level, defaultToGlobal, delete (§3.12)', async (call) => {
  assert.deepEqual(await call('GetConfig', {}), { compatibility_level: 'BACKWARD' });
  assert.deepEqual(await call('GetConfig', { default_to_global: true }), { compatibility_level: 'BACKWARD' });
  assert.deepEqual(await call('UpdateConfig', { compatibility: 'full_transitive' }), { compatibility: 'FULL_TRANSITIVE' });
  assert.deepEqual(await call('GetConfig', { subject: ':.:' }), { compatibility_level: 'FULL_TRANSITIVE' });
  await assertRegistryError(call('GetConfig', { subject: 'unknown' }), 'SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED', { metadata: { error_code: '40408' } });
  assert.deepEqual(await call('GetConfig', { subject: 'unknown', default_to_global: true }), { compatibility_level: 'FULL_TRANSITIVE' });
  // A subject need not exist to be configured.
  assert.deepEqual(await call('UpdateConfig', { subject: 'unknown', compatibility: 'Forward' }), { compatibility: 'FORWARD' });
  // An absent level keeps the stored one; an empty one (REST `null`) removes it (7.7+).
  assert.deepEqual(await call('UpdateConfig', { subject: 'unknown' }), { compatibility: 'FORWARD' });
  assert.deepEqual(await call('GetConfig', { subject: 'unknown' }), { compatibility_level: 'FORWARD' });
  assert.deepEqual(await call('UpdateConfig', { subject: 'unknown', compatibility: '' }), { compatibility: '' });
  await assertRegistryError(call('GetConfig', { subject: 'unknown' }), 'SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED');
  assert.deepEqual(await call('UpdateConfig', { subject: 'unknown', compatibility: 'FORWARD' }), { compatibility: 'FORWARD' });
  await assertRegistryError(call('UpdateConfig', { subject: 'bad\u007f', compatibility: 'bogus' }), 'INVALID_COMPATIBILITY_LEVEL');
  await assertRegistryError(call('UpdateConfig', { subject: 'bad\u007f', compatibility: 'NONE' }), 'INVALID_SUBJECT');
  assert.deepEqual(await call('DeleteConfig', { subject: 'unknown' }), { compatibility_level: 'FORWARD' });
  await assertRegistryError(call('DeleteConfig', { subject: 'unknown' }), 'SUBJECT_NOT_FOUND', { message: "Subject 'unknown' not found." });
  assert.deepEqual(await call('DeleteConfig', {}), { compatibility_level: 'FULL_TRANSITIVE' });
  assert.deepEqual(await call('GetConfig', {}), { compatibility_level: 'BACKWARD' });
  assert.deepEqual(await call('DeleteConfig', {}), { compatibility_level: 'BACKWARD' });
});

// --- modes ------------------------------------------------------------------------------

rpcTest('modes: READONLY blocks writes but not the register shortcut, reads or mode changes (§3.13)', async (call) => {
  assert.deepEqual(await call('GetMode', {}), { mode: 'READWRITE' });
  await call('RegisterSchema', { subject: 's', schema: A1 });
  assert.deepEqual(await call('UpdateMode', { subject: 's', mode: 'readonly' }), { mode: 'READONLY' });
  assert.deepEqual(await call('GetMode', { subject: 's' }), { mode: 'READONLY' });
  await assertRegistryError(call('GetMode', { subject: 'other' }), 'SUBJECT_LEVEL_MODE_NOT_CONFIGURED', {
    code: status.NOT_FOUND,
    message: "Subject 'other' does not have subject-level mode configured",
  });
  assert.deepEqual(await call('GetMode', { subject: 'other', default_to_global: true }), { mode: 'READWRITE' });
  assert.deepEqual(await call('RegisterSchema', { subject: 's', schema: A1 }), { id: 1, version: 1 });
  await assertRegistryError(call('RegisterSchema', { subject: 's', schema: A2 }), 'OPERATION_NOT_PERMITTED', {
    code: status.FAILED_PRECONDITION,
    message: 'Subject s is in read-only mode',
  });
  await assertRegistryError(call('DeleteSubject', { subject: 's' }), 'OPERATION_NOT_PERMITTED');
  await assertRegistryError(call('UpdateConfig', { subject: 's', compatibility: 'NONE' }), 'OPERATION_NOT_PERMITTED');
  assert.equal((await call('LookupSchema', { subject: 's', schema: A1 })).id, 1);
  assert.equal((await call('CheckCompatibility', { subject: 's', schema: A2 })).is_compatible, true);
  // Other subjects are unaffected, unless the global mode is READONLY_OVERRIDE.
  await call('RegisterSchema', { subject: 'other', schema: B1 });
  await call('UpdateMode', { mode: 'READONLY_OVERRIDE' });
  assert.deepEqual(await call('GetMode', { subject: 'other', default_to_global: true }), { mode: 'READONLY_OVERRIDE' });
  await assertRegistryError(call('RegisterSchema', { subject: 'other', schema: A3 }), 'OPERATION_NOT_PERMITTED');
  assert.deepEqual(await call('DeleteMode', {}), { mode: 'READONLY_OVERRIDE' });
  assert.deepEqual(await call('DeleteMode', { subject: 's' }), { mode: 'READONLY' });
  await assertRegistryError(call('DeleteMode', { subject: 's' }), 'SUBJECT_NOT_FOUND');
  assert.deepEqual(await call('RegisterSchema', { subject: 's', schema: A2 }), { id: 3, version: 2 });
});

rpcTest('modes: invalid mode, invalid subject, IMPORT with explicit ids (§3.3, §3.13)', async (call) => {
  await assertRegistryError(call('UpdateMode', { mode: 'SIDEWAYS' }), 'INVALID_MODE', {
    code: status.INVALID_ARGUMENT,
    message: 'Invalid mode. Valid values are READWRITE, READONLY, and IMPORT.',
  });
  // An absent mode is 42204 (Confluent dereferences null: 500); an empty one (REST `null`)
  // removes the mode at that scope (7.7+).
  await assertRegistryError(call('UpdateMode', {}), 'INVALID_MODE');
  assert.deepEqual(await call('UpdateMode', { subject: 'cleared', mode: 'READONLY' }), { mode: 'READONLY' });
  assert.deepEqual(await call('UpdateMode', { subject: 'cleared', mode: '' }), { mode: '' });
  await assertRegistryError(call('GetMode', { subject: 'cleared' }), 'SUBJECT_LEVEL_MODE_NOT_CONFIGURED');
  await assertRegistryError(call('UpdateMode', { subject: '\u0000', mode: 'SIDEWAYS' }), 'INVALID_SUBJECT');
  // An explicit id outside IMPORT.
  await assertRegistryError(call('RegisterSchema', { subject: 's', schema: A1, id: 5 }), 'OPERATION_NOT_PERMITTED', {
    message: 'Subject s is not in import mode',
  });
  await call('RegisterSchema', { subject: 's', schema: A1 });
  await call('DeleteSubject', { subject: 's' });
  // Soft-deleted versions do not block the switch; they are purged by it.
  assert.deepEqual(await call('UpdateMode', { mode: 'IMPORT' }), { mode: 'IMPORT' });
  await assertRegistryError(call('ListSchemaVersions', { subject: 's', deleted: true }), 'SUBJECT_NOT_FOUND');
  await assertRegistryError(call('RegisterSchema', { subject: 's', schema: A1 }), 'OPERATION_NOT_PERMITTED', {
    message: 'Subject s is not in read-write mode',
  });
  assert.deepEqual(await call('RegisterSchema', { subject: 's', schema: A1, id: 100, version: 7 }), { id: 100, version: 7 });
  // Compatibility is not checked in IMPORT.
  assert.deepEqual(await call('RegisterSchema', { subject: 's', schema: record('A', ['{"name":"id","type":"string"}']), id: 50, version: 3 }), { id: 50, version: 3 });
  // The same schema may be imported under another id; an id bound to another schema may not.
  assert.deepEqual(await call('RegisterSchema', { subject: 't', schema: A1, id: 101, version: 1 }), { id: 101, version: 1 });
  await assertRegistryError(call('RegisterSchema', { subject: 'u', schema: B1, id: 100, version: 1 }), 'OPERATION_NOT_PERMITTED', {
    message: 'Overwrite new schema with id 100 is not permitted.',
  });
  // The shortcut still answers for a schema already live in the subject.
  assert.deepEqual(await call('RegisterSchema', { subject: 's', schema: A1 }), { id: 100, version: 7 });
  await assertRegistryError(call('UpdateMode', { subject: 's', mode: 'IMPORT' }), 'OPERATION_NOT_PERMITTED', {
    message: 'Cannot import since found existing subjects',
  });
  assert.deepEqual(await call('UpdateMode', { subject: 's', mode: 'IMPORT', force: true }), { mode: 'IMPORT' });
  // Back to READWRITE: new ids continue after the imported ones.
  await call('DeleteMode', { subject: 's' });
  await call('UpdateMode', { mode: 'READWRITE' });
  assert.deepEqual(await call('RegisterSchema', { subject: 'n', schema: B1 }), { id: 102, version: 1 });
  assert.equal((await call('GetSchema', { id: 102, fetch_max_id: true })).max_id, 102);
});

rpcTest('lookup and register match a version with references when the request writes them out inline (§3.2)', async (call) => {
  const address = '{"type":"record","name":"Address","namespace":"acme","fields":[{"name":"street","type":"string"}]}';
  await call('RegisterSchema', { subject: 'address', schema: address });
  const user = '{"type":"record","name":"User","namespace":"acme","fields":[{"name":"home","type":"Address"}]}';
  const refs = [{ name: 'acme.Address', subject: 'address', version: 1 }];
  await call('RegisterSchema', { subject: 'user', schema: user, references: refs });
  const inline = `{"type":"record","name":"User","namespace":"acme","fields":[{"name":"home","type":${address}}]}`;
  const found = await call('LookupSchema', { subject: 'user', schema: inline });
  // The answer carries the canonical form of what was sent (the nested namespace is implied).
  const inlineCanonical = '{"type":"record","name":"User","namespace":"acme","fields":[{"name":"home","type":{"type":"record","name":"Address","fields":[{"name":"street","type":"string"}]}}]}';
  assert.deepEqual(found, { subject: 'user', version: 1, id: 2, schema_type: 'AVRO', references: refs, schema: inlineCanonical });
  assert.deepEqual(await call('RegisterSchema', { subject: 'user', schema: inline }), { id: 2, version: 1 });
  // A different inline schema does not match.
  await assertRegistryError(call('LookupSchema', { subject: 'user', schema: inline.replace('"street"', '"road"') }), 'SCHEMA_NOT_FOUND');
});

rpcTest('global READONLY blocks global config writes, naming the scope __GLOBAL', async (call) => {
  await call('UpdateMode', { mode: 'READONLY' });
  await assertRegistryError(call('UpdateConfig', { compatibility: 'FULL' }), 'OPERATION_NOT_PERMITTED', { message: 'Subject __GLOBAL is in read-only mode' });
  await assertRegistryError(call('DeleteConfig', {}), 'OPERATION_NOT_PERMITTED');
  await assertRegistryError(call('RegisterSchema', { subject: 's', schema: A1 }), 'OPERATION_NOT_PERMITTED', { message: 'Subject s is in read-only mode' });
  // Mode changes are still allowed.
  assert.deepEqual(await call('UpdateMode', { mode: 'READWRITE' }), { mode: 'READWRITE' });
  assert.deepEqual(await call('UpdateConfig', { compatibility: 'FULL' }), { compatibility: 'FULL' });
});

rpcTest('concurrent registrations: the same schema gets one id and one version; different ones distinct ids', async (call) => {
  const same = await Promise.all(Array.from({ length: 10 }, () => call('RegisterSchema', { subject: 's', schema: A1 })));
  assert.deepEqual(new Set(same.map((r) => `${r.id}/${r.version}`)), new Set(['1/1']));
  await call('UpdateConfig', { subject: 't', compatibility: 'NONE' });
  const schemas = Array.from({ length: 10 }, (_, i) => record(`T${i}`));
  const different = await Promise.all(schemas.map((schema) => call('RegisterSchema', { subject: 't', schema })));
  assert.equal(new Set(different.map((r) => r.id)).size, 10);
  assert.deepEqual(different.map((r) => r.version).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

rpcTest('config normalize (7.4+): stored per scope, applied to register and lookup, merged and cleared', async (call) => {
  const namespaced = '{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":"int"}]}';
  const qualified = '{"type":"record","name":"n.R","fields":[{"name":"a","type":"int"}]}';
  assert.deepEqual(await call('UpdateConfig', { subject: 's', normalize: true }), { compatibility: '', normalize: true });
  // A subject config without a level reads the server default (confluent-data-contracts.md §1.4).
  assert.deepEqual(await call('GetConfig', { subject: 's' }), { compatibility_level: 'BACKWARD', normalize: true });
  assert.deepEqual(await call('GetConfig', { subject: 's', default_to_global: true }), { compatibility_level: 'BACKWARD', normalize: true });
  // An update without normalize keeps it.
  assert.deepEqual(await call('UpdateConfig', { subject: 's', compatibility: 'FULL' }), { compatibility: 'FULL', normalize: true });
  const first = await call('RegisterSchema', { subject: 's', schema: namespaced });
  assert.deepEqual(await call('RegisterSchema', { subject: 's', schema: qualified }), first);
  assert.equal((await call('LookupSchema', { subject: 's', schema: namespaced })).id, first.id);
  // Another subject does not normalise, unless the global config says so.
  const other = await call('RegisterSchema', { subject: 't', schema: namespaced });
  assert.notEqual(other.id, first.id);
  await call('UpdateConfig', { normalize: true });
  assert.deepEqual(await call('GetConfig', {}), { compatibility_level: 'BACKWARD', normalize: true });
  assert.deepEqual(await call('RegisterSchema', { subject: 'u', schema: qualified }), { id: first.id, version: 1 });
  assert.deepEqual(await call('DeleteConfig', { subject: 's' }), { compatibility_level: 'FULL', normalize: true });
  await assertRegistryError(call('GetConfig', { subject: 's' }), 'SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED');
  assert.deepEqual(await call('UpdateConfig', { normalize: false }), { compatibility: '', normalize: false });
  assert.deepEqual(await call('DeleteConfig', {}), { compatibility_level: 'BACKWARD', normalize: false });
  assert.deepEqual(await call('GetConfig', {}), { compatibility_level: 'BACKWARD' });
});
