/**
 * KMS defaults on register (confluent-data-contracts.md §3.11): the KEK name and KMS type a
 * domain rule gets when it names only a KMS key id.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kekNameFromKeyId, withKmsDefaults } from '../../patterns/registry/dek/kms-defaults.js';

const rule = (params: Record<string, string>) => ({ name: 'r', type: 'ENCRYPT', params });

test('an AWS key id gives the KEK name and aws-kms', () => {
  const set = withKmsDefaults({ domainRules: [rule({ 'encrypt.kms.key.id': 'arn:aws:kms:us-east-1:123:key/abc' })] });
  assert.deepEqual(set.domainRules![0].params, {
    'encrypt.kms.key.id': 'arn:aws:kms:us-east-1:123:key/abc',
    'encrypt.kek.name': 'aws-kms-us-east-1-123-key-abc',
    'encrypt.kms.type': 'aws-kms',
  });
});

test('a key id that is no ARN gives only the KEK name; what the rule says stays', () => {
  const set = withKmsDefaults({ domainRules: [rule({ 'encrypt.kms.key.id': 'projects/p/keys/k', 'encrypt.kms.type': 'gcp-kms' })] });
  assert.deepEqual(set.domainRules![0].params, { 'encrypt.kms.key.id': 'projects/p/keys/k', 'encrypt.kms.type': 'gcp-kms', 'encrypt.kek.name': 'projects-p-keys-k' });
  const named = withKmsDefaults({ domainRules: [rule({ 'encrypt.kms.key.id': 'arn:aws:kms:x', 'encrypt.kek.name': 'mine' })] });
  assert.equal(named.domainRules![0].params['encrypt.kek.name'], 'mine');
  assert.equal(named.domainRules![0].params['encrypt.kms.type'], 'aws-kms');
});

test('nothing to fill: the same object back', () => {
  const complete = { domainRules: [rule({ 'encrypt.kms.key.id': 'k', 'encrypt.kek.name': 'n', 'encrypt.kms.type': 'local-kms' }), rule({})] };
  assert.equal(withKmsDefaults(complete), complete);
  const migrations: { domainRules?: ReturnType<typeof rule>[]; migrationRules: ReturnType<typeof rule>[] } = { migrationRules: [rule({ 'encrypt.kms.key.id': 'arn:x' })] };
  assert.equal(withKmsDefaults(migrations), migrations, 'only domain rules');
  // A local key id names no type: only the name is derived.
  assert.equal(kekNameFromKeyId('local key #1'), 'local-key--1');
});
