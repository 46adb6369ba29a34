/**
 * The DEK registry through the Confluent frontend (`npm start`'s config): Confluent's worked
 * sequence (confluent-data-contracts.md §3.13 steps 14–22), then every error code of §2.1 the
 * DEK registry raises, each with its status and exact body, as one ordered case table over
 * HTTP. `ts` is checked to be a number and then left out of the comparison.
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

interface HttpCase {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly status: number;
  /** The exact JSON body (without `ts`); undefined for 204's empty body. */
  readonly reply?: unknown;
}

const K = '/dek-registry/v1/keks';
const kek1 = { name: 'k1', kmsType: 'local-kms', kmsKeyId: 'id1', kmsProps: {}, shared: false };
const dek1 = { kekName: 'k1', subject: 'w-value', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: 'AAAA' };
const err = (error_code: number, message: string) => ({ error_code, message });
const notFound404 = err(404, 'HTTP 404 Not Found');

const CASES: readonly HttpCase[] = [
  // §3.13, steps 14–22.
  { name: '14 create a KEK', method: 'POST', path: K, body: { name: 'k1', kmsType: 'local-kms', kmsKeyId: 'id1', shared: false }, status: 200, reply: kek1 },
  { name: '15 again: 40971', method: 'POST', path: K, body: { name: 'k1', kmsType: 'local-kms', kmsKeyId: 'id1', shared: false }, status: 409, reply: err(40971, "Key 'k1' already exists; use a different value") },
  { name: '16 no material: 42271', method: 'POST', path: `${K}/k1/deks/w-value`, body: { subject: 'w-value', version: 1, algorithm: 'AES256_GCM' }, status: 422, reply: err(42271, "Invalid or missing value for field 'encryptedKeyMaterial' of key") },
  { name: '17 create a DEK', method: 'POST', path: `${K}/k1/deks/w-value`, body: { subject: 'w-value', version: 1, algorithm: 'AES256_GCM', encryptedKeyMaterial: 'AAAA' }, status: 200, reply: dek1 },
  { name: '18 KEK with a live DEK: 42272', method: 'DELETE', path: `${K}/k1`, status: 422, reply: err(42272, "One or more references exist to the key 'k1'") },
  { name: '19 soft-delete the DEK: 204', method: 'DELETE', path: `${K}/k1/deks/w-value`, status: 204 },
  { name: '20 the deleted DEK: 40470 naming the subject', method: 'GET', path: `${K}/k1/deks/w-value`, status: 404, reply: err(40470, "Key 'w-value' not found") },
  { name: '21 permanent KEK delete with a soft-deleted DEK: 42272', method: 'DELETE', path: `${K}/k1?permanent=true`, status: 422, reply: err(42272, "One or more references exist to the key 'k1'") },
  { name: '22 an unknown KEK: 40470', method: 'GET', path: `${K}/nope`, status: 404, reply: err(40470, "Key 'nope' not found") },

  // Reads, listings and the deprecated create form.
  { name: 'the deleted DEK with deleted=true', method: 'GET', path: `${K}/k1/deks/w-value?deleted=true`, status: 200, reply: { ...dek1, deleted: true } },
  { name: 'undelete the DEK: 204', method: 'POST', path: `${K}/k1/deks/w-value/undelete`, status: 204 },
  { name: 'version 2 through the deprecated POST …/deks', method: 'POST', path: `${K}/k1/deks`, body: { subject: 'w-value', version: 2, encryptedKeyMaterial: 'BBBB' }, status: 200, reply: { ...dek1, version: 2, encryptedKeyMaterial: 'BBBB' } },
  { name: 'latest', method: 'GET', path: `${K}/k1/deks/w-value/versions/latest?algorithm=AES256_GCM&deleted=false`, status: 200, reply: { ...dek1, version: 2, encryptedKeyMaterial: 'BBBB' } },
  { name: 'versions', method: 'GET', path: `${K}/k1/deks/w-value/versions`, status: 200, reply: [1, 2] },
  { name: 'subjects', method: 'GET', path: `${K}/k1/deks`, status: 200, reply: ['w-value'] },
  { name: 'KEK names', method: 'GET', path: K, status: 200, reply: ['k1'] },
  { name: 'KEK names by DEK subject prefix', method: 'GET', path: `${K}?subjectPrefix=x&subjectPrefix=w-`, status: 200, reply: ['k1'] },
  { name: 'KEK names by a prefix nothing has', method: 'GET', path: `${K}?subjectPrefix=x`, status: 200, reply: [] },
  {
    name: 'update a KEK (kmsType and kmsKeyId stay)',
    method: 'PUT',
    path: `${K}/k1`,
    body: { kmsProps: { b: '2', a: '1' }, doc: 'hello', kmsType: 'ignored' },
    status: 200,
    reply: { ...kek1, kmsProps: { a: '1', b: '2' }, doc: 'hello' },
  },
  { name: 'null clears a field, absence keeps one', method: 'PUT', path: `${K}/k1`, body: { doc: null }, status: 200, reply: { ...kek1, kmsProps: { a: '1', b: '2' } } },
  { name: 'null kmsProps clears them', method: 'PUT', path: `${K}/k1`, body: { kmsProps: null }, status: 200, reply: kek1 },

  // Every other error code of §2.1 the DEK registry raises.
  { name: '42271 name', method: 'POST', path: K, body: { name: '9x', kmsType: 'local-kms', kmsKeyId: 'a' }, status: 422, reply: err(42271, "Invalid or missing value for field 'name' of key") },
  { name: '42271 kmsKeyId', method: 'POST', path: K, body: { name: 'k2', kmsType: 'local-kms' }, status: 422, reply: err(42271, "Invalid or missing value for field 'kmsKeyId' of key") },
  { name: '42271 kmsType', method: 'POST', path: K, body: { name: 'k2', kmsKeyId: 'a' }, status: 422, reply: err(42271, "Invalid or missing value for field 'kmsType' of key") },
  { name: '42271 kmsKeyId that does not fit GCP', method: 'POST', path: K, body: { name: 'k2', kmsType: 'gcp-kms', kmsKeyId: 'a' }, status: 422, reply: err(42271, "Invalid or missing value for field 'kmsKeyId' of key") },
  { name: '42271 subject', method: 'POST', path: `${K}/k1/deks/a%07b`, body: { encryptedKeyMaterial: 'AAAA' }, status: 422, reply: err(42271, "Invalid or missing value for field 'subject' of key") },
  { name: '42271 shared (testing a KEK that is not shared)', method: 'POST', path: `${K}/k1/test`, status: 422, reply: err(42271, "Invalid or missing value for field 'shared' of key") },
  { name: '40971 DEK', method: 'POST', path: `${K}/k1/deks/w-value`, body: { encryptedKeyMaterial: 'AAAA' }, status: 409, reply: err(40971, "Key 'w-value' already exists; use a different value") },
  { name: '42202 version', method: 'GET', path: `${K}/k1/deks/w-value/versions/0`, status: 422, reply: err(42202, `The specified version '0' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`) },
  { name: '40471 DEK not soft-deleted first', method: 'DELETE', path: `${K}/k1/deks/w-value/versions/2?permanent=true`, status: 404, reply: err(40471, "Key 'w-value' was not deleted first before being permanently deleted") },
  { name: '40471 KEK not soft-deleted first', method: 'POST', path: K, body: { name: 'k3', kmsType: 'local-kms', kmsKeyId: 'c' }, status: 200, reply: { ...kek1, name: 'k3', kmsKeyId: 'c' } },
  { name: '… its permanent delete', method: 'DELETE', path: `${K}/k3?permanent=true`, status: 404, reply: err(40471, "Key 'k3' was not deleted first before being permanently deleted") },
  { name: 'soft-delete the DEKs of k1', method: 'DELETE', path: `${K}/k1/deks/w-value`, status: 204 },
  { name: 'soft-delete k1', method: 'DELETE', path: `${K}/k1`, status: 204 },
  { name: '40472 undeleting a DEK under a deleted KEK', method: 'POST', path: `${K}/k1/deks/w-value/versions/1/undelete`, status: 404, reply: err(40472, "Key 'k1' must be undeleted first") },
  { name: 'a deleted KEK shows with deleted=true', method: 'GET', path: `${K}/k1?deleted=true`, status: 200, reply: { ...kek1, deleted: true } },
  { name: 'undelete k1: 204', method: 'POST', path: `${K}/k1/undelete`, status: 204 },
  {
    name: 'a shared KEK whose KMS the registry cannot reach',
    method: 'POST',
    path: K,
    body: { name: 'kaws', kmsType: 'aws', kmsKeyId: 'arn:aws:kms:eu-west-1:1:key/k', shared: true },
    status: 200,
    reply: { name: 'kaws', kmsType: 'aws-kms', kmsKeyId: 'arn:aws:kms:eu-west-1:1:key/k', kmsProps: {}, shared: true },
  },
  { name: '50070 the registry cannot make its DEK', method: 'POST', path: `${K}/kaws/deks/s`, body: {}, status: 500, reply: err(50070, 'Could not generate encrypted dek for s: the registry cannot reach the aws-kms KMS') },

  // JAX-RS conversions and the framework's answers, in Confluent's shape.
  { name: 'an unknown algorithm in the query: 404', method: 'GET', path: `${K}/k1/deks/w-value?algorithm=DES`, status: 404, reply: notFound404 },
  { name: 'a limit that is no number: 404', method: 'GET', path: `${K}?limit=x`, status: 404, reply: notFound404 },
  { name: 'a KEK create without a body: 422', method: 'POST', path: K, status: 422 },
  { name: 'an unknown algorithm in the body: 400', method: 'POST', path: `${K}/k1/deks/s`, body: { algorithm: 'DES', encryptedKeyMaterial: 'AAAA' }, status: 400, reply: err(400, "Invalid algorithm 'DES'. Valid values are AES128_GCM, AES256_GCM and AES256_SIV") },
];

test('the DEK registry over HTTP: the worked sequence and every error code', async () => {
  for (const c of CASES) {
    const reply = await call(stack.url, c.method, c.path, c.body === undefined ? {} : { body: c.body });
    assert.equal(reply.status, c.status, `${c.name}: status (body ${reply.text})`);
    if (c.status === 204) {
      assert.equal(reply.text, '', `${c.name}: no body`);
      continue;
    }
    const json = reply.json() as Record<string, unknown>;
    if (c.reply === undefined) {
      assert.equal(typeof json.error_code, 'number', `${c.name}: a Confluent error body`);
      continue;
    }
    if (json && typeof json === 'object' && !Array.isArray(json) && 'ts' in json) {
      assert.equal(typeof json.ts, 'number', `${c.name}: ts is a number`);
      delete json.ts;
    }
    assert.deepEqual(json, c.reply, c.name);
    // Field order as Confluent's entities emit it.
    if (c.reply && typeof c.reply === 'object' && !Array.isArray(c.reply) && 'kmsType' in c.reply) {
      assert.deepEqual(Object.keys(JSON.parse(reply.text)).filter((k) => k !== 'ts' && k !== 'deleted' && k !== 'doc'), ['name', 'kmsType', 'kmsKeyId', 'kmsProps', 'shared']);
    }
  }
});

test('a KEK name in the path that fails checkName is 42271, not a routing error', async () => {
  const reply = await call(stack.url, 'GET', `${K}/a.b`);
  assert.equal(reply.status, 422);
  assert.deepEqual(reply.json(), err(42271, "Invalid or missing value for field 'name' of key"));
});
