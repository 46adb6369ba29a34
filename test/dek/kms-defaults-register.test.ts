/**
 * Registering through the Confluent frontend applies the DEK registry's KMS defaults to ENCRYPT
 * rules before the schema's identity is computed (confluent-data-contracts.md §3.11, Confluent's
 * `testRegisterCreatesKmsDefaults`): a rule naming only a KMS key id is stored, and answered,
 * with the KEK name and KMS type derived from it; a rule that names both keeps them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startStack, type Stack } from '../confluent/support.js';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.close();
});

const schema = JSON.stringify({
  type: 'record',
  name: 'Payment',
  fields: [{ name: 'card', type: 'string', 'confluent:tags': ['PII'] }],
});
const encryptRule = (params: Record<string, string>) => ({
  name: 'encrypt-pii',
  kind: 'TRANSFORM',
  mode: 'WRITEREAD',
  type: 'ENCRYPT',
  tags: ['PII'],
  params,
});

async function registerAndReadParams(subject: string, params: Record<string, string>): Promise<unknown> {
  const registered = await call(stack.url, 'POST', `/subjects/${subject}/versions`, {
    body: { schema, ruleSet: { domainRules: [encryptRule(params)] } },
  });
  assert.equal(registered.status, 200, registered.text);
  const latest = await call(stack.url, 'GET', `/subjects/${subject}/versions/latest`);
  assert.equal(latest.status, 200, latest.text);
  const body = JSON.parse(latest.text) as { ruleSet: { domainRules: { params: unknown }[] } };
  return body.ruleSet.domainRules[0].params;
}

test('an AWS key id alone gets the KEK name and the aws-kms type', async () => {
  const params = await registerAndReadParams('payments-value', { 'encrypt.kms.key.id': 'arn:aws:kms:us-east-1:123:key/abc' });
  assert.deepEqual(params, {
    'encrypt.kms.key.id': 'arn:aws:kms:us-east-1:123:key/abc',
    'encrypt.kek.name': 'aws-kms-us-east-1-123-key-abc',
    'encrypt.kms.type': 'aws-kms',
  });
});

test('a rule that names its KEK and KMS type is stored as sent', async () => {
  const sent = { 'encrypt.kms.key.id': 'projects/p/keys/k', 'encrypt.kek.name': 'mine', 'encrypt.kms.type': 'gcp-kms' };
  assert.deepEqual(await registerAndReadParams('refunds-value', sent), sent);
});
