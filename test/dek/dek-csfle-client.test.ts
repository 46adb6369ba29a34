/**
 * Client-side field-level encryption with Confluent's JavaScript client, unchanged, against
 * `npm start`'s stack (confluent-data-contracts.md §4.2): a schema whose `ssn` field is tagged
 * PII and whose rule set has an ENCRYPT domain rule; the serializer creates the KEK and the
 * DEK in the DEK registry (local KMS) and encrypts the field, the deserializer reads the keys
 * back and decrypts it, and the keys are then in the registry for anyone to read over HTTP.
 *
 * The flow needs the registry to store and return rule sets (issue 19, item 1): without them
 * the serializer writes the field in the clear, which the first assertion reports.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AvroDeserializer,
  AvroSerializer,
  FieldEncryptionExecutor,
  LocalKmsDriver,
  RuleRegistry,
  SchemaRegistryClient,
  SerdeType,
} from '@confluentinc/schemaregistry';
import { LocalKmsClient } from '@confluentinc/schemaregistry/dist/rules/encryption/localkms/local-client.js';
import { call, startStack, type Stack } from '../confluent/support.js';

const SECRET = 'csfle-test-secret';
const SSN = '123-45-6789';
const schema = JSON.stringify({
  type: 'record',
  name: 'Customer',
  namespace: 'com.example.csfle',
  fields: [
    { name: 'id', type: 'int' },
    { name: 'ssn', type: 'string', 'confluent:tags': ['PII'] },
  ],
});
const encryptRule = {
  name: 'encrypt-pii',
  kind: 'TRANSFORM',
  mode: 'WRITEREAD',
  type: 'ENCRYPT',
  tags: ['PII'],
  params: { 'encrypt.kek.name': 'customers-kek', 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'customers-key' },
  onFailure: 'ERROR,NONE',
};

let stack: Stack;
let client: SchemaRegistryClient;
before(async () => {
  stack = await startStack();
  client = new SchemaRegistryClient({ baseURLs: [stack.url], maxRetries: 0 });
  LocalKmsDriver.register();
});
after(async () => {
  await client?.close();
  await stack?.close();
});

/** A rule registry of its own per serde: executors cache keys per instance. */
function encryptionRules(): RuleRegistry {
  const rules = new RuleRegistry();
  rules.registerExecutor(new FieldEncryptionExecutor());
  return rules;
}

test('the JS client encrypts a PII field with keys it keeps in the DEK registry, and decrypts it', async () => {
  // The rule set travels with the schema (`normalize=false`, as the client registers).
  await client.register('customers-value', { schemaType: 'AVRO', schema, ruleSet: { domainRules: [encryptRule] } } as never, false);

  const serializer = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true, ruleConfig: { secret: SECRET } }, encryptionRules());
  const bytes = await serializer.serialize('customers', { id: 7, ssn: SSN });
  assert.ok(!bytes.includes(Buffer.from(SSN)), 'the PII field is not in the message in the clear (is the rule set stored and returned?)');

  const deserializer = new AvroDeserializer(client, SerdeType.VALUE, { ruleConfig: { secret: SECRET } }, encryptionRules());
  const decoded = (await deserializer.deserialize('customers', bytes)) as { id: number; ssn: string };
  assert.deepEqual({ ...decoded }, { id: 7, ssn: SSN });

  // A reader without the encryption rule sees the ciphertext.
  const plain = (await new AvroDeserializer(client, SerdeType.VALUE, {}, new RuleRegistry()).deserialize('customers', bytes)) as { ssn: string };
  assert.notEqual(plain.ssn, SSN);

  // The KEK and DEK the serializer created are in the registry.
  const kek = await call(stack.url, 'GET', '/dek-registry/v1/keks/customers-kek');
  assert.equal(kek.status, 200, kek.text);
  assert.deepEqual({ ...(kek.json() as object), ts: 0 }, { name: 'customers-kek', kmsType: 'local-kms', kmsKeyId: 'customers-key', kmsProps: {}, shared: false, ts: 0 });
  const dek = await call(stack.url, 'GET', '/dek-registry/v1/keks/customers-kek/deks/customers-value/versions/1?algorithm=AES256_GCM');
  assert.equal(dek.status, 200, dek.text);
  const { encryptedKeyMaterial, keyMaterial, ...rest } = dek.json() as Record<string, unknown>;
  assert.equal(keyMaterial, undefined, 'the registry never holds the plaintext key of a non-shared KEK');
  assert.deepEqual({ ...rest, ts: 0 }, { kekName: 'customers-kek', subject: 'customers-value', version: 1, algorithm: 'AES256_GCM', ts: 0 });
  // The stored material is the DEK wrapped by the client's local KMS: it unwraps with the secret.
  const raw = await new LocalKmsClient(SECRET).decrypt(Buffer.from(encryptedKeyMaterial as string, 'base64'));
  assert.deepEqual([...raw.subarray(0, 2)], [0x1a, 32], 'an AES256_GCM key in Tink form');
  assert.deepEqual(await (await call(stack.url, 'GET', '/dek-registry/v1/keks')).json(), ['customers-kek']);
});

test('a shared KEK: the registry makes the DEK and hands the client its key material', async () => {
  // The KEK's KMS secret lives with the registry (kmsProps.secret); the client's own secret is
  // another one, so only the key material the registry answers can make this work.
  const created = await call(stack.url, 'POST', '/dek-registry/v1/keks', {
    body: { name: 'shared-kek', kmsType: 'local-kms', kmsKeyId: 'shared-key', kmsProps: { secret: 'registry-side-secret' }, shared: true },
  });
  assert.equal(created.status, 200, created.text);
  const rule = { ...encryptRule, name: 'encrypt-shared', params: { 'encrypt.kek.name': 'shared-kek', 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'shared-key' } };
  await client.register('shared-value', { schemaType: 'AVRO', schema, ruleSet: { domainRules: [rule] } } as never, false);

  const config = { useLatestVersion: true, ruleConfig: { secret: 'a-client-secret' } };
  const bytes = await new AvroSerializer(client, SerdeType.VALUE, config, encryptionRules()).serialize('shared', { id: 8, ssn: SSN });
  assert.ok(!bytes.includes(Buffer.from(SSN)), 'the PII field is encrypted');
  const decoded = (await new AvroDeserializer(client, SerdeType.VALUE, { ruleConfig: { secret: 'a-client-secret' } }, encryptionRules()).deserialize('shared', bytes)) as { ssn: string };
  assert.equal(decoded.ssn, SSN);

  const dek = (await call(stack.url, 'GET', '/dek-registry/v1/keks/shared-kek/deks/shared-value/versions/1')).json() as Record<string, string>;
  assert.ok(dek.keyMaterial && dek.encryptedKeyMaterial, 'a shared KEK\'s DEK is answered with its key material');
  const unwrapped = await new LocalKmsClient('registry-side-secret').decrypt(Buffer.from(dek.encryptedKeyMaterial, 'base64'));
  assert.equal(unwrapped.toString('base64'), dek.keyMaterial);
});
