/**
 * Durability of the DEK registry on SQLite (DESIGN.md §4): `prism-registry serve` on a SQLite
 * file is SIGKILLed while writers create DEKs; a registry restarted on the same file has every
 * DEK it acknowledged, with the acknowledged material, and the registry's own schemas beside
 * them (one file, two sets of tables).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createRegistryClient } from '../patterns/registry/registry-test-client.js';
import { startRegistryProcess } from '../patterns/registry/registry-process.js';
import { tempDir } from '../support/temp-dir.js';
import { createDekClient, type DekClient } from './dek-test-client.js';
import { createDeksUntilKilled } from './create-deks-until-killed.js';

const dir = tempDir('dek-durability');
after(() => dir.remove());

test('DEKs acknowledged before a SIGKILL are in the file after a restart', { timeout: 120_000 }, async () => {
  const file = join(dir.path, 'registry.db');
  const first = await startRegistryProcess(`sqlite:${file}`);
  let client: DekClient = createDekClient(first.address);
  const registry = createRegistryClient(first.address);
  await registry.call('RegisterSchema', { subject: 'orders-value', schema: '{"type":"record","name":"O","fields":[{"name":"id","type":"int"}]}' });
  registry.close();
  await client.call('CreateKek', { name: 'k', kms_type: 'local-kms', kms_key_id: 'k' });
  const acked = await createDeksUntilKilled(client, { kek: 'k', writers: 4, perWriter: 100, killAfter: 40, kill: () => first.child.kill('SIGKILL') });
  await first.exited;
  assert.equal(first.child.signalCode, 'SIGKILL');
  client.close();

  const second = await startRegistryProcess(`sqlite:${file}`);
  client = createDekClient(second.address);
  const again = createRegistryClient(second.address);
  try {
    const stored = new Set((await client.call('ListDekSubjects', { kek_name: 'k' })).subjects as string[]);
    for (const [subject, material] of acked) {
      assert.ok(stored.has(subject), `${subject} was acknowledged`);
      assert.equal((await client.call('GetDek', { kek_name: 'k', subject })).encrypted_key_material, material);
    }
    assert.equal((await again.call('GetSchemaVersion', { subject: 'orders-value', version: '1' })).id, 1, 'the schemas share the file');
  } finally {
    client.close();
    again.close();
    await second.stop();
  }
});
