/**
 * End to end with @confluentinc/schemaregistry (the Confluent JavaScript client), unchanged,
 * against the real stack: gateway + registry pattern over loopback gRPC + SQLite file.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AvroDeserializer,
  AvroSerializer,
  Compatibility,
  JsonDeserializer,
  JsonSerializer,
  ProtobufDeserializer,
  ProtobufSerializer,
  RestError,
  SchemaRegistryClient,
  SerdeType,
} from '@confluentinc/schemaregistry';
import { create, createFileRegistry, createMutableRegistry } from '@bufbuild/protobuf';
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { startStack } from './support.js';
import { useSuite } from '../support/use-suite.js';
import { avroRecord, avroReferencePair, avroVersions, CUSTOMER_RECORD, protobufReferencePair } from './fixtures/schemas.js';

const suite = useSuite(async (scope) => {
  const stack = scope.own(await startStack());
  return { stack, client: scope.own(freshClient(stack.url)) };
});

/** No retries: a 5xx must fail the test at once instead of being retried with back-off. */
function freshClient(url: string = suite.stack.url): SchemaRegistryClient {
  return new SchemaRegistryClient({ baseURLs: [url], maxRetries: 0 });
}

/** Asserts that a call failed with Confluent's typed error (both error_code and message present). */
async function rejectsWith(promise: Promise<unknown>, status: number, errorCode: number, message?: string | RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof RestError, `expected a RestError, got ${String(err)}`);
    assert.equal(err.status, status);
    assert.equal(err.errorCode, errorCode);
    // The client renders the message as "<server message>; Error code: <error_code>".
    if (typeof message === 'string') assert.equal(err.message, `${message}; Error code: ${errorCode}`);
    else if (message) assert.match(err.message, message);
    return true;
  });
}

function wireId(buffer: Buffer): number {
  assert.equal(buffer[0], 0, 'magic byte');
  return buffer.readInt32BE(1);
}

const versions = avroVersions('Payment', 'com.example.confluent');
const payment = JSON.stringify(versions.v1);
const paymentV2 = JSON.stringify(versions.v2);
const paymentIncompatible = JSON.stringify(versions.incompatible);

describe('confluent-js: Avro serde', () => {
  test('AvroSerializer with autoRegisterSchemas registers <topic>-value and AvroDeserializer reads the record back', async () => {
    const serializer = new AvroSerializer(suite.client, SerdeType.VALUE, { autoRegisterSchemas: true });
    const record = { orderId: 'o-17', quantity: 3, express: true };
    const bytes = await serializer.serialize('orders', record);
    const id = wireId(bytes);
    assert.ok(id >= 1);

    const subjects = await freshClient().getAllSubjects();
    assert.ok(subjects.includes('orders-value'), `subjects: ${JSON.stringify(subjects)}`);
    const latest = await freshClient().getLatestSchemaMetadata('orders-value');
    assert.equal(latest.id, id);
    assert.equal(latest.version, 1);
    assert.equal(latest.subject, 'orders-value');
    assert.equal(latest.schemaType, undefined, 'schemaType is omitted for AVRO');

    const reader = freshClient();
    const deserializer = new AvroDeserializer(reader, SerdeType.VALUE, {});
    assert.deepEqual({ ...(await deserializer.deserialize('orders', bytes)) }, record);
    await reader.close();

    // Serialising again re-registers (cache miss in a new client) and keeps the id.
    const again = await new AvroSerializer(freshClient(), SerdeType.VALUE, { autoRegisterSchemas: true }).serialize('orders', { orderId: 'o-18', quantity: 1, express: false });
    assert.equal(wireId(again), id);
    assert.deepEqual(await freshClient().getAllVersions('orders-value'), [1]);
  });

  test('register + useLatestVersion serialiser; getBySubjectAndId, getId, getVersion', async () => {
    const id = await suite.client.register('payments-value', { schemaType: 'AVRO', schema: payment });
    assert.ok(id >= 1);
    const serializer = new AvroSerializer(freshClient(), SerdeType.VALUE, { useLatestVersion: true });
    const record = { id: 1, name: 'p-1' };
    const bytes = await serializer.serialize('payments', record);
    assert.equal(wireId(bytes), id);
    const deserializer = new AvroDeserializer(freshClient(), SerdeType.VALUE, {});
    assert.deepEqual({ ...(await deserializer.deserialize('payments', bytes)) }, record);

    // by id, with a subject the id is not registered under (must be tolerated)
    const info = await freshClient().getBySubjectAndId('unrelated-value', id);
    assert.equal(info.schema, payment);
    assert.equal(info.schemaType, undefined);
    assert.equal(await freshClient().getId('payments-value', { schemaType: 'AVRO', schema: payment }), id);
    assert.equal(await freshClient().getVersion('payments-value', { schemaType: 'AVRO', schema: payment }), 1);
    await rejectsWith(freshClient().getId('payments-value', { schemaType: 'AVRO', schema: paymentIncompatible }), 404, 40403, 'Schema not found');
    await rejectsWith(freshClient().getBySubjectAndId('payments-value', 99999), 404, 40403, 'Schema 99999 not found');
    await rejectsWith(freshClient().getLatestSchemaMetadata('no-such-value'), 404, 40401, "Subject 'no-such-value' not found.");
  });

  test('testSubjectCompatibility / testCompatibility; an incompatible register is a 409 RestError', async () => {
    assert.equal(await suite.client.testSubjectCompatibility('payments-value', { schemaType: 'AVRO', schema: paymentV2 }), true);
    assert.equal(await suite.client.testSubjectCompatibility('payments-value', { schemaType: 'AVRO', schema: paymentIncompatible }), false);
    assert.equal(await suite.client.testCompatibility('payments-value', 1, { schemaType: 'AVRO', schema: paymentIncompatible }), false);
    await rejectsWith(suite.client.testCompatibility('payments-value', 9, { schemaType: 'AVRO', schema: paymentV2 }), 404, 40402, 'Version 9 not found.');
    await rejectsWith(freshClient().register('payments-value', { schemaType: 'AVRO', schema: paymentIncompatible }), 409, 409, /^Schema being registered is incompatible with an earlier schema for subject "payments-value", details: \[/);

    const v2 = await suite.client.register('payments-value', { schemaType: 'AVRO', schema: paymentV2 });
    const meta = await freshClient().getLatestSchemaMetadata('payments-value');
    assert.equal(meta.id, v2);
    assert.equal(meta.version, 2);
    assert.equal(meta.schema, paymentV2);
    const v1 = await freshClient().getSchemaMetadata('payments-value', 1);
    assert.equal(v1.version, 1);
    assert.equal(v1.schema, payment);
    assert.deepEqual(await freshClient().getAllVersions('payments-value'), [1, 2]);
  });
});

describe('confluent-js: other serializer modes', () => {
  test('useSchemaId (GET /schemas/ids/{id}?subject=S, then lookup) and normalizeSchemas (normalize=true)', async () => {
    const schema = JSON.stringify(avroRecord('Event', [{ name: 'kind', type: 'string' }], 'com.example.cjs'));
    const id = await suite.client.register('events-value', { schemaType: 'AVRO', schema });
    const record = { kind: 'created' };
    const bytes = await new AvroSerializer(freshClient(), SerdeType.VALUE, { useSchemaId: id }).serialize('events', record);
    assert.equal(wireId(bytes), id);
    assert.deepEqual({ ...(await new AvroDeserializer(freshClient(), SerdeType.VALUE, {}).deserialize('events', bytes)) }, record);

    // normalize=true registers the normalised form under a new id; lookups find it only when normalising too.
    const normalizedBytes = await new AvroSerializer(freshClient(), SerdeType.VALUE, { autoRegisterSchemas: true, normalizeSchemas: true }).serialize('audits', { who: 'ada', when: 17 });
    const normalizedId = wireId(normalizedBytes);
    const stored = await freshClient().getLatestSchemaMetadata('audits-value');
    assert.equal(stored.id, normalizedId);
    assert.equal(await freshClient().getId('audits-value', { schemaType: 'AVRO', schema: stored.schema }, true), normalizedId);
    assert.deepEqual({ ...(await new AvroDeserializer(freshClient(), SerdeType.VALUE, {}).deserialize('audits', normalizedBytes)) }, { who: 'ada', when: 17 });
  });
});

describe('confluent-js: config', () => {
  test('getCompatibility is 40408 until set; updateCompatibility / getCompatibility round-trip', async () => {
    await rejectsWith(suite.client.getCompatibility('payments-value'), 404, 40408, "Subject 'payments-value' does not have subject-level compatibility configured");
    assert.equal(await suite.client.updateCompatibility('payments-value', Compatibility.FULL), 'FULL');
    assert.equal(await freshClient().getCompatibility('payments-value'), 'FULL');
    assert.deepEqual(await freshClient().getConfig('payments-value'), { compatibilityLevel: 'FULL' });
    assert.deepEqual(await suite.client.updateConfig('payments-value', { compatibility: Compatibility.BACKWARD_TRANSITIVE }), { compatibility: 'BACKWARD_TRANSITIVE' });
    assert.equal(await freshClient().getCompatibility('payments-value'), 'BACKWARD_TRANSITIVE');
  });

  test('default (global) compatibility get / update', async () => {
    assert.equal(await suite.client.getDefaultCompatibility(), 'BACKWARD');
    assert.deepEqual(await suite.client.getDefaultConfig(), { compatibilityLevel: 'BACKWARD' });
    assert.equal(await suite.client.updateDefaultCompatibility(Compatibility.FORWARD), 'FORWARD');
    assert.equal(await freshClient().getDefaultCompatibility(), 'FORWARD');
    assert.deepEqual(await suite.client.updateDefaultConfig({ compatibility: Compatibility.BACKWARD }), { compatibility: 'BACKWARD' });
    assert.equal(await freshClient().getDefaultCompatibility(), 'BACKWARD');
  });

  test('an invalid level is a 42203 RestError', async () => {
    await rejectsWith(
      suite.client.updateCompatibility('payments-value', 'SIDEWAYS' as Compatibility),
      422,
      42203,
      'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
    );
  });
});

describe('confluent-js: deletes', () => {
  test('deleteSubjectVersion and deleteSubject, soft then permanent', async () => {
    const subject = 'deletions-value';
    const { v1, v2, v3 } = avroVersions('D');
    const [s1, s2, s3] = [v1, v2, v3].map((schema) => JSON.stringify(schema));
    const id1 = await suite.client.register(subject, { schemaType: 'AVRO', schema: s1 });
    await suite.client.register(subject, { schemaType: 'AVRO', schema: s2 });
    await suite.client.register(subject, { schemaType: 'AVRO', schema: s3 });
    assert.deepEqual(await freshClient().getAllVersions(subject), [1, 2, 3]);

    await rejectsWith(suite.client.deleteSubjectVersion(subject, 3, true), 404, 40407, `Subject '${subject}' Version 3 was not deleted first before being permanently deleted`);
    assert.equal(await suite.client.deleteSubjectVersion(subject, 3, false), 3);
    assert.deepEqual(await freshClient().getAllVersions(subject), [1, 2]);
    await rejectsWith(suite.client.deleteSubjectVersion(subject, 3, false), 404, 40406, `Subject '${subject}' Version 3 was soft deleted.Set permanent=true to delete permanently`);
    assert.equal(await suite.client.deleteSubjectVersion(subject, 3, true), 3);
    await rejectsWith(freshClient().getSchemaMetadata(subject, 3, true), 404, 40402, 'Version 3 not found.');

    await rejectsWith(suite.client.deleteSubject(subject, true), 404, 40405, `Subject '${subject}' was not deleted first before being permanently deleted`);
    assert.deepEqual(await suite.client.deleteSubject(subject, false), [1, 2]);
    assert.ok(!(await freshClient().getAllSubjects()).includes(subject));
    await rejectsWith(freshClient().getAllVersions(subject), 404, 40401, `Subject '${subject}' not found.`);
    await rejectsWith(suite.client.deleteSubject(subject, false), 404, 40404, `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`);
    // Still readable by id and, with deleted=true, by version.
    assert.equal((await freshClient().getBySubjectAndId(subject, id1)).schema, s1);
    assert.equal((await freshClient().getSchemaMetadata(subject, 1, true)).id, id1);

    assert.deepEqual(await suite.client.deleteSubject(subject, true), [1, 2]);
    await rejectsWith(suite.client.deleteSubject(subject, true), 404, 40401, `Subject '${subject}' not found.`);
    await rejectsWith(freshClient().getSchemaMetadata(subject, 1, true), 404, 40401, `Subject '${subject}' not found.`);
  });
});

describe('confluent-js: JSON and PROTOBUF', () => {
  test('JsonSerializer with autoRegisterSchemas and JsonDeserializer', async () => {
    const serializer = new JsonSerializer(suite.client, SerdeType.VALUE, { autoRegisterSchemas: true });
    const record = { sku: 'A-1', price: 9, tags: ['x'] };
    const bytes = await serializer.serialize('products', record);
    const id = wireId(bytes);
    const meta = await freshClient().getLatestSchemaMetadata('products-value');
    assert.equal(meta.id, id);
    assert.equal(meta.schemaType, 'JSON');
    const deserializer = new JsonDeserializer(freshClient(), SerdeType.VALUE, {});
    assert.deepEqual(await deserializer.deserialize('products', bytes), record);
  });

  test('a PROTOBUF schema registers and reads back with its type and references', async () => {
    const pair = protobufReferencePair();
    await suite.client.register(pair.referenceName, { schemaType: 'PROTOBUF', schema: pair.referenced });
    const references = [{ name: pair.referenceName, subject: pair.referenceName, version: 1 }];
    const item = pair.referring;
    const id = await suite.client.register('items-value', { schemaType: 'PROTOBUF', schema: item, references });
    const info = await freshClient().getBySubjectAndId('items-value', id);
    assert.equal(info.schemaType, 'PROTOBUF');
    assert.deepEqual(info.references, references);
    assert.equal(await freshClient().getId('items-value', { schemaType: 'PROTOBUF', schema: item, references }), id);
    const latest = await freshClient().getLatestSchemaMetadata('items-value');
    assert.equal(latest.id, id);
    assert.deepEqual(latest.references, references);
  });
});

describe('confluent-js: references and Protobuf serdes', () => {
  test('AvroSerializer (useLatestVersion) resolves a reference with GET …/versions/{V}?deleted=true; AvroDeserializer reads it back', async () => {
    const pair = avroReferencePair('com.example.cjs');
    await suite.client.register('cjs-address', { schemaType: 'AVRO', schema: pair.referenced });
    const references = [{ name: pair.referenceName, subject: 'cjs-address', version: 1 }];
    const id = await suite.client.register('customers-value', { schemaType: 'AVRO', schema: pair.referring, references });
    const record = CUSTOMER_RECORD;
    const bytes = await new AvroSerializer(freshClient(), SerdeType.VALUE, { useLatestVersion: true }).serialize('customers', record);
    assert.equal(wireId(bytes), id);
    const decoded = await new AvroDeserializer(freshClient(), SerdeType.VALUE, {}).deserialize('customers', bytes);
    assert.deepEqual(JSON.parse(JSON.stringify(decoded)), record);
  });

  test('ProtobufSerializer auto-registers a serialized FileDescriptorProto; ProtobufDeserializer reads it back', async (t) => {
    const file = create(FileDescriptorProtoSchema, {
      name: 'reading.proto',
      package: 'cjs',
      syntax: 'proto3',
      messageType: [
        {
          name: 'Reading',
          field: [
            { name: 'sensor', number: 1, type: FieldDescriptorProto_Type.STRING, label: FieldDescriptorProto_Label.OPTIONAL, jsonName: 'sensor' },
            { name: 'value', number: 2, type: FieldDescriptorProto_Type.DOUBLE, label: FieldDescriptorProto_Label.OPTIONAL, jsonName: 'value' },
          ],
        },
      ],
    });
    const reading = createFileRegistry(file, () => undefined).getMessage('cjs.Reading');
    assert.ok(reading);
    // The serializer registers the schema as a base64 FileDescriptorProto.
    const serializer = new ProtobufSerializer(freshClient(), SerdeType.VALUE, { autoRegisterSchemas: true, registry: createMutableRegistry(reading) });
    const bytes = await serializer.serialize('readings', create(reading, { sensor: 't1', value: 21.5 }));
    const id = wireId(bytes);
    const meta = await freshClient().getLatestSchemaMetadata('readings-value');
    assert.equal(meta.id, id);
    assert.equal(meta.schemaType, 'PROTOBUF');
    assert.match(meta.schema, /message Reading/);
    // Serialising again finds the same id.
    const again = await new ProtobufSerializer(freshClient(), SerdeType.VALUE, { autoRegisterSchemas: true, registry: createMutableRegistry(reading) }).serialize('readings', create(reading, { sensor: 't2', value: 1 }));
    assert.equal(wireId(again), id);

    // The deserializer asks for ?format=serialized and parses the answer as a base64 FileDescriptorProto.
    await t.test('ProtobufDeserializer', async () => {
      const decoded = (await new ProtobufDeserializer(freshClient(), SerdeType.VALUE, {}).deserialize('readings', bytes)) as { sensor: string; value: number };
      assert.equal(decoded.sensor, 't1');
      assert.equal(decoded.value, 21.5);
    });
  });
});
