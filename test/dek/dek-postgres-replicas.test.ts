/**
 * The DEK registry on PostgreSQL across two registry replicas (separate `prism-registry serve`
 * processes on one database): racing creates of the same KEK and of the same DEK versions
 * from both replicas leave exactly one winner each (the others get 40971's reason), every
 * acknowledged key reads back identically on both replicas, a KEK delete racing DEK creates
 * never leaves a live DEK under a deleted KEK, and a replica SIGKILLed mid-load loses nothing
 * it acknowledged.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { errorInfoOf } from '../patterns/registry/registry-test-client.js';
import { createTestDatabase, type TestDatabase } from '../patterns/registry/postgres-test-db.js';
import { startRegistryProcess, type RegistryProcess } from '../patterns/registry/registry-process.js';
import { createDekClient, type DekClient } from './dek-test-client.js';
import { createDeksUntilKilled } from './create-deks-until-killed.js';

const databases: TestDatabase[] = [];
after(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

interface Replica {
  readonly server: RegistryProcess;
  readonly client: DekClient;
}

/** A `prism-registry serve` on the database, with a DekRegistry client of it. */
async function startReplica(url: string): Promise<Replica> {
  const server = await startRegistryProcess(url);
  return { server, client: createDekClient(server.address) };
}

async function stop(...replicas: Replica[]): Promise<void> {
  for (const r of replicas) r.client.close();
  await Promise.all(replicas.map((r) => r.server.stop()));
}

const reasonOf = (err: unknown) => errorInfoOf(err)?.reason ?? (err as Error).message;

test('two replicas: racing creates have one winner each, and both replicas read what was acknowledged', { timeout: 120_000 }, async () => {
  const db = await createTestDatabase('dek_replicas');
  databases.push(db);
  const [a, b] = await Promise.all([startReplica(db.url), startReplica(db.url)]);
  try {
    // The same KEK, 8 times from each replica at once.
    const kekAttempts = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) => (i % 2 ? b : a).client.call('CreateKek', { name: 'shared-kek', kms_type: 'local-kms', kms_key_id: `key-${i}` })),
    );
    const kekWinners = kekAttempts.filter((r) => r.status === 'fulfilled');
    assert.equal(kekWinners.length, 1, 'one KEK create wins');
    for (const r of kekAttempts) if (r.status === 'rejected') assert.equal(reasonOf(r.reason), 'KEY_ALREADY_EXISTS');
    const winnerKeyId = (kekWinners[0] as PromiseFulfilledResult<{ kms_key_id: string }>).value.kms_key_id;
    for (const r of [a, b]) assert.equal((await r.client.call('GetKek', { name: 'shared-kek' })).kms_key_id, winnerKeyId);

    // Versions 1..6 of two subjects, each raced by 3 writers per replica with distinct material.
    const acked = new Map<string, string>();
    const conflicts: string[] = [];
    const others: unknown[] = [];
    await Promise.all(
      [a, b].flatMap((replica, r) =>
        Array.from({ length: 3 }, async (_, w) => {
          for (let version = 1; version <= 6; version++) {
            for (const subject of ['orders-value', 'payments-value']) {
              const material = Buffer.from(`${subject}/${version}/${r}/${w}`).toString('base64');
              try {
                const dek = await replica.client.call('CreateDek', { kek_name: 'shared-kek', subject, version, encrypted_key_material: material });
                assert.equal(acked.has(`${subject}/${version}`), false, `${subject} v${version} acknowledged twice`);
                acked.set(`${subject}/${version}`, dek.encrypted_key_material);
              } catch (err) {
                if (reasonOf(err) === 'KEY_ALREADY_EXISTS') conflicts.push(`${subject}/${version}`);
                else others.push(err);
              }
            }
          }
        }),
      ),
    );
    assert.deepEqual(others, []);
    assert.equal(acked.size, 12, 'every version has exactly one winner');
    assert.equal(conflicts.length, 2 * 3 * 12 - 12, 'every other attempt conflicted');
    for (const replica of [a, b]) {
      for (const subject of ['orders-value', 'payments-value']) {
        assert.deepEqual((await replica.client.call('ListDekVersions', { kek_name: 'shared-kek', subject })).versions, [1, 2, 3, 4, 5, 6]);
        for (let version = 1; version <= 6; version++) {
          const dek = await replica.client.call('GetDek', { kek_name: 'shared-kek', subject, version: String(version) });
          assert.equal(dek.encrypted_key_material, acked.get(`${subject}/${version}`), `${subject} v${version}: the acknowledged material`);
        }
      }
    }

    // A soft delete on A is what B reads next (no cache between the replicas and the store).
    await a.client.call('DeleteDek', { kek_name: 'shared-kek', subject: 'orders-value', version: '6' });
    assert.equal((await b.client.call('GetDek', { kek_name: 'shared-kek', subject: 'orders-value', version: 'latest' })).version, 5);

    // A KEK delete on A racing DEK creates on B: whichever commits first, never a live DEK
    // under a deleted KEK.
    await a.client.call('CreateKek', { name: 'racing', kms_type: 'local-kms', kms_key_id: 'r' });
    const creates = Array.from({ length: 10 }, (_, i) =>
      b.client.call('CreateDek', { kek_name: 'racing', subject: `s${i}`, encrypted_key_material: 'AAAA' }).then(
        () => 'created',
        (err: unknown) => reasonOf(err),
      ),
    );
    const deletion = a.client.call('DeleteKek', { name: 'racing' }).then(
      () => 'deleted',
      (err: unknown) => reasonOf(err),
    );
    const outcomes = await Promise.all([...creates, deletion]);
    for (const o of outcomes) assert.ok(['created', 'deleted', 'KEY_NOT_FOUND', 'KEY_REFERENCE_EXISTS'].includes(o), o);
    const kek = await b.client.call('GetKek', { name: 'racing', deleted: true });
    const live = (await b.client.call('ListDekSubjects', { kek_name: 'racing', deleted: true })).subjects as string[];
    if (kek.deleted) assert.deepEqual(live, [], 'a deleted KEK has no DEKs');
    assert.equal(live.length, outcomes.filter((o) => o === 'created').length, 'every acknowledged DEK exists');
  } finally {
    await stop(a, b);
  }
});

test('a replica SIGKILLed mid-load: every DEK it acknowledged is stored', { timeout: 120_000 }, async () => {
  const db = await createTestDatabase('dek_replicas_kill');
  databases.push(db);
  const [a, b] = await Promise.all([startReplica(db.url), startReplica(db.url)]);
  try {
    await b.client.call('CreateKek', { name: 'k', kms_type: 'local-kms', kms_key_id: 'k' });
    // Writers on A, each creating its own subjects; A is killed once 20 creates are acknowledged.
    const acked = await createDeksUntilKilled(a.client, { kek: 'k', writers: 4, perWriter: 25, killAfter: 20, kill: () => a.server.child.kill('SIGKILL') });
    await a.server.exited;
    assert.equal(a.server.child.signalCode, 'SIGKILL');
    const stored = new Set((await b.client.call('ListDekSubjects', { kek_name: 'k' })).subjects as string[]);
    for (const subject of acked.keys()) assert.ok(stored.has(subject), `${subject} was acknowledged and is stored`);
    // B keeps serving writes.
    await b.client.call('CreateDek', { kek_name: 'k', subject: 'after-kill', encrypted_key_material: 'AAAA' });
  } finally {
    await stop(a, b);
  }
});
