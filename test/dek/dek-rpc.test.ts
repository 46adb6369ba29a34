/**
 * The DEK registry over real gRPC: the case table (dek-cases.ts) against each of its stores
 * (memory, SQLite, PostgreSQL), the shared KEK's key material checked with the client's own
 * local KMS, the key limit (40972), and the SQLite store keeping what it acknowledged across
 * a reopen of the registry's file.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { LocalKmsClient } from '@confluentinc/schemaregistry/dist/rules/encryption/localkms/local-client.js';
import { errorInfoOf } from '../patterns/registry/registry-test-client.js';
import { createTestDatabase, createTestSchema, type TestDatabase } from '../patterns/registry/postgres-test-db.js';
import { tempDir } from '../support/temp-dir.js';
import { DEK_STEPS } from './dek-cases.js';
import { startTestDekRegistry, type DekClient, type Reply } from './dek-test-client.js';
import { createMemoryDekStorage } from '../../patterns/registry/dek/storage/memory-dek-storage.js';
import { createSqliteDekStorage } from '../../patterns/registry/dek/storage/sqlite-dek-storage.js';
import { createPostgresDekStorage } from '../../patterns/registry/dek/storage/postgres-dek-storage.js';
import { createDekService } from '../../patterns/registry/dek/dek-service.js';
import type { DekStorage } from '../../patterns/registry/dek/storage/dek-storage.js';
import type * as grpc from '@grpc/grpc-js';

const dir = tempDir('dek-rpc');
const databases: TestDatabase[] = [];
after(async () => {
  dir.remove();
  await Promise.all(databases.map((db) => db.drop()));
});

/** Runs every step of the table; the first mismatch fails with the step's name. */
async function runSteps(client: DekClient): Promise<Map<string, Reply>> {
  const replies = new Map<string, Reply>();
  for (const step of DEK_STEPS) {
    let reply: Reply;
    try {
      reply = await client.call(step.call, step.request);
    } catch (err) {
      if (!step.error) assert.fail(`${step.name}: unexpected ${(err as Error).message}`);
      const info = errorInfoOf(err);
      assert.equal((err as grpc.ServiceError).details, step.error.message, `${step.name}: message`);
      assert.equal((err as grpc.ServiceError).code, step.error.code, `${step.name}: code`);
      assert.equal(info?.reason, step.error.reason, `${step.name}: reason`);
      assert.equal(info?.domain, 'registry.prism.io', `${step.name}: domain`);
      continue;
    }
    assert.ok(!step.error, `${step.name}: expected ${step.error?.reason}, got ${JSON.stringify(reply)}`);
    const picked = Object.fromEntries(Object.keys(step.reply ?? {}).map((key) => [key, reply[key]]));
    assert.deepEqual(picked, step.reply, step.name);
    replies.set(step.name, reply);
  }
  return replies;
}

const stores: { name: string; open: () => Promise<DekStorage> }[] = [
  { name: 'memory', open: async () => createMemoryDekStorage() },
  { name: 'SQLite', open: async () => createSqliteDekStorage({ path: join(dir.path, 'cases.db') }) },
  {
    name: 'PostgreSQL',
    open: async () => {
      const db = await createTestDatabase('dek_rpc');
      databases.push(db);
      return createPostgresDekStorage({ url: await createTestSchema(db, 'dek') });
    },
  },
];

for (const store of stores) {
  describe(`DEK registry on ${store.name}`, () => {
    test('the case table', async () => {
      const registry = await startTestDekRegistry(await store.open());
      try {
        const replies = await runSteps(registry.client);
        // The shared KEK's DEK: the registry wrapped it with the local KMS the clients use.
        const made = replies.get('a DEK the registry makes (key material shown)');
        assert.ok(made.key_material.length > 0 && made.encrypted_key_material.length > 0);
        const unwrapped = await new LocalKmsClient('shh').decrypt(Buffer.from(made.encrypted_key_material, 'base64'));
        assert.equal(unwrapped.toString('base64'), made.key_material);
        // An AES256_GCM key in Tink's AesGcmKey form: field 3, 32 bytes.
        assert.deepEqual([...unwrapped.subarray(0, 2)], [0x1a, 32]);
        const read = await registry.client.call('GetDek', { kek_name: 'ks', subject: 'orders-value', version: '1' });
        assert.equal(read.key_material, made.key_material, 'every read unwraps the same key');
        assert.ok(Number(read.ts) > 0, 'ts is the write time');
      } finally {
        await registry.close();
      }
    });
  });
}

test('40972: no more keys than dek.registry.max.keys, per key type', async () => {
  const service = createDekService({ storage: createMemoryDekStorage(), maxKeys: 1 });
  await service.CreateKek({ name: 'a', kms_type: 'local-kms', kms_key_id: 'a', kms_props: {}, doc: '', shared: false, deleted: false, test_sharing: false });
  await assert.rejects(
    service.CreateKek({ name: 'b', kms_type: 'local-kms', kms_key_id: 'b', kms_props: {}, doc: '', shared: false, deleted: false, test_sharing: false }),
    { reason: 'TOO_MANY_KEYS', message: 'A maximum of 1 keys already exist' },
  );
  const dekRequest = { kek_name: 'a', subject: 's', algorithm: '', encrypted_key_material: 'AAAA', deleted: false, rewrap: false };
  await service.CreateDek(dekRequest);
  await assert.rejects(service.CreateDek({ ...dekRequest, subject: 't' }), { reason: 'TOO_MANY_KEYS' });
  // The limit is checked before the conflict (§2.2), but only for a key that would be new.
  await assert.rejects(service.CreateDek(dekRequest), { reason: 'KEY_ALREADY_EXISTS' });
  await service.close();
});

test('SQLite: acknowledged keys are in the file the registry reopens', async () => {
  const path = join(dir.path, 'reopen.db');
  const first = await startTestDekRegistry(createSqliteDekStorage({ path }));
  await first.client.call('CreateKek', { name: 'k', kms_type: 'local-kms', kms_key_id: 'k' });
  await first.client.call('CreateDek', { kek_name: 'k', subject: 's', encrypted_key_material: 'AAAA' });
  await first.close();
  const second = await startTestDekRegistry(createSqliteDekStorage({ path }));
  try {
    assert.equal((await second.client.call('GetKek', { name: 'k' })).kms_key_id, 'k');
    assert.equal((await second.client.call('GetDek', { kek_name: 'k', subject: 's' })).encrypted_key_material, 'AAAA');
  } finally {
    await second.close();
  }
});
