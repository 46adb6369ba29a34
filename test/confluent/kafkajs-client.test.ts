/**
 * End to end with @kafkajs/confluent-schema-registry 3.9, unchanged, against the real stack:
 * gateway + registry pattern over loopback gRPC + SQLite file.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { call, startStack } from './support.js';
import { useSuite } from '../support/use-suite.js';
import { avroReferencePair, avroVersions, CUSTOMER_RECORD, JSON_SCHEMA, jsonReferencePair, ORDER_RECORD, PROTOBUF_SCHEMA, protobufReferencePair, type ReferencePair } from './fixtures/schemas.js';

// The registry client holds nothing to close.
const suite = useSuite(async (scope) => {
  const stack = scope.own(await startStack());
  return { stack, registry: freshClient(stack.url) };
});

/** A registry client with no cache and no retries (a 5xx must fail the test at once). */
function freshClient(url: string = suite.stack.url): SchemaRegistry {
  return new SchemaRegistry({ host: url, retry: { retries: 0 } });
}

/** Avro/protobuf decoders return class instances; compare their plain JSON form. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** Confluent wire format: magic byte 0, then the schema id as a 4-byte big-endian int. */
function wireId(buffer: Buffer): number {
  assert.equal(buffer[0], 0, 'magic byte');
  return buffer.readInt32BE(1);
}

const user = avroVersions('User', 'com.example.kafkajs');

/**
 * Registers `pair.referenced` under `referencedSubject`, then `pair.referring` under
 * `referringSubject` with a reference to it; returns both ids and the references sent.
 */
async function registerPair(type: SchemaType.AVRO | SchemaType.JSON | SchemaType.PROTOBUF, pair: ReferencePair, referencedSubject: string, referringSubject: string) {
  const { id: referencedId } = await suite.registry.register({ type, schema: pair.referenced } as never, { subject: referencedSubject });
  const references = [{ name: pair.referenceName, subject: referencedSubject, version: 1 }];
  const { id } = await suite.registry.register({ type, schema: pair.referring, references } as never, { subject: referringSubject });
  return { id, referencedId, references };
}

/** Encodes `record` with schema `id` (wire format) and checks that a fresh client decodes it back. */
async function roundTrip(id: number, record: unknown): Promise<void> {
  const encoded = await suite.registry.encode(id, record);
  assert.equal(wireId(encoded), id);
  assert.deepEqual(plain(await freshClient().decode(encoded)), record);
}

describe('kafkajs: AVRO', () => {
  let firstId: number;

  test('register probes GET /config/{S} (404 on first registration), registers and then sets the subject level', async () => {
    const subject = 'com.example.kafkajs.User';
    const before = await call(suite.stack.url, 'GET', `/config/${subject}`);
    assert.equal(before.status, 404);
    assert.equal((before.json() as { error_code: number }).error_code, 40408);

    const { id } = await suite.registry.register(user.v1);
    assert.equal(typeof id, 'number');
    assert.ok(id >= 1);
    firstId = id;

    // The first registration was followed by PUT /config/{S} {"compatibility":"BACKWARD"}.
    const after = await call(suite.stack.url, 'GET', `/config/${subject}`);
    assert.equal(after.status, 200);
    assert.equal(after.text, '{"compatibilityLevel":"BACKWARD"}');

    const versions = await call(suite.stack.url, 'GET', `/subjects/${subject}/versions`);
    assert.equal(versions.text, '[1]');
  });

  test('registering the same schema again (config now answers 200 BACKWARD) returns the same id and no new version', async () => {
    const again = await freshClient().register(user.v1);
    assert.equal(again.id, firstId);
    const versions = await call(suite.stack.url, 'GET', '/subjects/com.example.kafkajs.User/versions');
    assert.equal(versions.text, '[1]');
  });

  test('a subject configured with another level makes register refuse (it reads compatibilityLevel)', async () => {
    const put = await call(suite.stack.url, 'PUT', '/config/com.example.kafkajs.Strict', { body: { compatibility: 'FULL' } });
    assert.equal(put.status, 200);
    const strict = { ...user.v1, name: 'Strict' };
    await assert.rejects(freshClient().register(strict), (err: Error) => {
      assert.equal(err.name, 'ConfluentSchemaRegistryCompatibilityError');
      assert.match(err.message, /BACKWARD != FULL/);
      return true;
    });
    // With the matching level it registers.
    const { id } = await freshClient().register(strict, { compatibility: 'FULL' as never });
    assert.ok(id > firstId);
  });

  test('encode writes the wire format and decode (fresh client, GET /schemas/ids/{id}) returns the record', async () => {
    await roundTrip(firstId, { id: 42, name: 'Ada' });
  });

  test('getLatestSchemaId and getRegistryId follow a compatible new version', async () => {
    assert.equal(await suite.registry.getLatestSchemaId('com.example.kafkajs.User'), firstId);
    const { id: secondId } = await freshClient().register(user.v2);
    assert.notEqual(secondId, firstId);
    assert.equal(await freshClient().getLatestSchemaId('com.example.kafkajs.User'), secondId);
    assert.equal(await freshClient().getRegistryId('com.example.kafkajs.User', 1), firstId);
    assert.equal(await freshClient().getRegistryId('com.example.kafkajs.User', 2), secondId);
    assert.equal(await freshClient().getRegistryId('com.example.kafkajs.User', 'latest'), secondId);

    // Data written with v1 reads under v2 with the default filled in.
    const encoded = await suite.registry.encode(firstId, { id: 7, name: 'Grace' });
    const decoded = await freshClient().decode(encoded, { [SchemaType.AVRO]: { readerSchema: user.v2 } } as never);
    assert.deepEqual(plain(decoded), { id: 7, name: 'Grace', email: null });
  });

  test('getRegistryIdBySchema finds the id by lookup (POST /subjects/{S}) and fails for an unknown schema', async () => {
    assert.equal(await freshClient().getRegistryIdBySchema('com.example.kafkajs.User', user.v1), firstId);
    const other = { ...user.v1, fields: [{ name: 'other', type: 'long' }] };
    await assert.rejects(freshClient().getRegistryIdBySchema('com.example.kafkajs.User', other), (err: Error) => {
      assert.equal(err.name, 'ConfluentSchemaRegistryError');
      assert.match(err.message, /Schema not found/);
      return true;
    });
  });

  test('decoding a payload whose id the registry does not know fails with the 404 / 40403 answer', async () => {
    const payload = Buffer.concat([Buffer.from([0, 0, 1, 0x86, 0x9f]), Buffer.from([2, 4])]);
    assert.equal(wireId(payload), 99999);
    await assert.rejects(freshClient().decode(payload), (err: Error & { status?: number }) => {
      assert.equal(err.status, 404);
      assert.match(err.message, /Schema 99999 not found/);
      return true;
    });
  });

  test('an incompatible schema is refused with 409 and Confluent\'s message', async () => {
    await assert.rejects(freshClient().register(user.incompatible), (err: Error & { status?: number }) => {
      assert.equal(err.status, 409);
      // kafkajs prefixes the server's message with its own tag.
      assert.match(err.message, /Schema being registered is incompatible with an earlier schema for subject "com\.example\.kafkajs\.User"/);
      return true;
    });
  });

  test('references: a record using a type registered under another subject encodes and decodes', async () => {
    const { id, referencedId, references } = await registerPair(SchemaType.AVRO, avroReferencePair('com.example.kafkajs'), 'kafkajs-address', 'kafkajs-customer');
    assert.notEqual(id, referencedId);

    const byId = await call(suite.stack.url, 'GET', `/schemas/ids/${id}`);
    assert.deepEqual((byId.json() as { references: unknown }).references, references);
    const referencedBy = await call(suite.stack.url, 'GET', '/subjects/kafkajs-address/versions/1/referencedby');
    assert.equal(referencedBy.text, `[${id}]`);

    await roundTrip(id, CUSTOMER_RECORD);
  });
});

describe('kafkajs: JSON', () => {
  const schema = JSON_SCHEMA;

  test('register, encode, decode, latest id and lookup', async () => {
    const { id } = await suite.registry.register({ type: SchemaType.JSON, schema }, { subject: 'kafkajs-json-value' });
    const version = await call(suite.stack.url, 'GET', '/subjects/kafkajs-json-value/versions/1');
    const entity = version.json() as { schemaType: string; id: number };
    assert.equal(entity.schemaType, 'JSON');
    assert.equal(entity.id, id);

    await roundTrip(id, { id: 5, tags: ['a', 'b'] });
    assert.equal(await freshClient().getLatestSchemaId('kafkajs-json-value'), id);
    assert.equal(await freshClient().getRegistryIdBySchema('kafkajs-json-value', { type: SchemaType.JSON, schema }), id);
  });

  test('references: a $ref to a schema registered under another subject', async () => {
    const { id, references } = await registerPair(SchemaType.JSON, jsonReferencePair(), 'kafkajs-money-json', 'kafkajs-invoice-json');
    const byId = await call(suite.stack.url, 'GET', `/schemas/ids/${id}`);
    assert.deepEqual((byId.json() as { references: unknown }).references, references);

    await roundTrip(id, ORDER_RECORD);
    // The referenced schema is enforced: a wrong type inside `total` does not encode.
    await assert.rejects(freshClient().encode(id, { ref: 'i-2', total: { currency: 'EUR', units: 'twelve' } }), (err: Error) => err.name === 'ConfluentSchemaRegistryValidationError');
  });

  test('encode validates against the registered schema', async () => {
    const id = await freshClient().getLatestSchemaId('kafkajs-json-value');
    await assert.rejects(freshClient().encode(id, { tags: ['no id'] }), (err: Error) => err.name === 'ConfluentSchemaRegistryValidationError');
  });
});

describe('kafkajs: PROTOBUF', () => {
  const schema = PROTOBUF_SCHEMA;

  test('register, encode, decode, latest id and lookup', async () => {
    const { id } = await suite.registry.register({ type: SchemaType.PROTOBUF, schema }, { subject: 'kafkajs-proto-value' });
    const byId = await call(suite.stack.url, 'GET', `/schemas/ids/${id}`);
    assert.equal((byId.json() as { schemaType: string }).schemaType, 'PROTOBUF');

    await roundTrip(id, { x: 3, y: -4, label: 'p' });
    assert.equal(await freshClient().getLatestSchemaId('kafkajs-proto-value'), id);
    assert.equal(await freshClient().getRegistryIdBySchema('kafkajs-proto-value', { type: SchemaType.PROTOBUF, schema }), id);
  });

  test('references: an import of a schema registered under another subject', async () => {
    const { id } = await registerPair(SchemaType.PROTOBUF, protobufReferencePair(), 'money.proto', 'kafkajs-order-value');
    await roundTrip(id, ORDER_RECORD);
  });
});
