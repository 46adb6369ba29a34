/**
 * The Confluent clients' own auth options, end to end against the stack with auth on:
 * kafkajs `auth: {username, password}`, @confluentinc/schemaregistry `basicAuthCredentials`
 * (USER_INFO) and `bearerAuthCredentials` (STATIC_TOKEN). Wrong credentials fail with 401.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { RestError, SchemaRegistryClient } from '@confluentinc/schemaregistry';
import { schema, startSecureStack, USERS, type SecureStack } from './support.js';
import { useStarted } from '../support/use-suite.js';

const stack = useStarted(() => startSecureStack());

test('kafkajs client with auth: registers and reads back; a wrong password is refused', async () => {
  const registry = new SchemaRegistry({ host: stack.url, auth: { username: 'writer', password: USERS.writer.password }, retry: { retries: 0 } });
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: schema('KafkaJs') }, { subject: 'kafkajs-value' });
  assert.ok(id > 0);
  const encoded = await registry.encode(id, { f: 7 });
  assert.deepEqual(JSON.parse(JSON.stringify(await registry.decode(encoded))), { f: 7 });
  const wrong = new SchemaRegistry({ host: stack.url, auth: { username: 'writer', password: 'nope' }, retry: { retries: 0 } });
  await assert.rejects(wrong.getLatestSchemaId('kafkajs-value'), (err: Error) => /401|Unauthorized/.test(err.message));
  const reader = new SchemaRegistry({ host: stack.url, auth: { username: 'reader', password: USERS.reader.password }, retry: { retries: 0 } });
  assert.equal(await reader.getLatestSchemaId('kafkajs-value'), id);
  await assert.rejects(reader.register({ type: SchemaType.AVRO, schema: schema('KafkaJs2') }, { subject: 'kafkajs-value' }), (err: Error) => /403|Forbidden/.test(err.message));
});

test('@confluentinc/schemaregistry basicAuthCredentials (USER_INFO)', async () => {
  const client = new SchemaRegistryClient({ baseURLs: [stack.url], maxRetries: 0, basicAuthCredentials: { credentialsSource: 'USER_INFO', userInfo: `writer:${USERS.writer.password}` } });
  const id = await client.register('confluent-basic-value', { schemaType: 'AVRO', schema: schema('Basic') });
  assert.ok(id > 0);
  assert.equal((await client.getLatestSchemaMetadata('confluent-basic-value')).id, id);
  const wrong = new SchemaRegistryClient({ baseURLs: [stack.url], maxRetries: 0, basicAuthCredentials: { credentialsSource: 'USER_INFO', userInfo: 'writer:nope' } });
  await assert.rejects(wrong.getAllSubjects(), (err: unknown) => err instanceof RestError && err.status === 401 && err.errorCode === 401);
});

test('@confluentinc/schemaregistry bearerAuthCredentials (STATIC_TOKEN)', async () => {
  const token = await stack.token({ sub: 'confluent-client', roles: ['default:write'] });
  const client = new SchemaRegistryClient({
    baseURLs: [stack.url],
    maxRetries: 0,
    bearerAuthCredentials: { credentialsSource: 'STATIC_TOKEN', token, logicalCluster: 'lsrc-test', identityPoolId: 'pool-test' },
  });
  const id = await client.register('confluent-bearer-value', { schemaType: 'AVRO', schema: schema('Bearer') });
  assert.ok(id > 0);
  assert.deepEqual(await client.getAllVersions('confluent-bearer-value'), [1]);
  const expired = await stack.token({ roles: ['admin'] }, { expiresAt: Math.floor(Date.now() / 1000) - 120 });
  const stale = new SchemaRegistryClient({ baseURLs: [stack.url], maxRetries: 0, bearerAuthCredentials: { credentialsSource: 'STATIC_TOKEN', token: expired, logicalCluster: 'l', identityPoolId: 'p' } });
  await assert.rejects(stale.getAllSubjects(), (err: unknown) => err instanceof RestError && err.status === 401);
});
