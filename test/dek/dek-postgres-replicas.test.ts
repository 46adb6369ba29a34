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
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { errorInfoOf } from '../patterns/registry/registry-test-client.js';
import { createTestDatabase, type TestDatabase } from '../patterns/registry/postgres-test-db.js';
import { createDekClient, type DekClient } from './dek-test-client.js';

const tsx = import.meta.resolve('tsx');
const cli = fileURLToPath(new URL('../../patterns/registry/cli.ts', import.meta.url));

const databases: TestDatabase[] = [];
const children: ChildProcess[] = [];
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(databases.map((db) => db.drop()));
});

interface Replica {
  readonly child: ChildProcess;
  readonly client: DekClient;
  readonly exited: Promise<unknown>;
}

/** Starts `prism-registry serve` on the database; resolves once it printed its address. */
function startReplica(url: string): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', tsx, cli, 'serve', '--listen', '127.0.0.1:0', '--backend', url], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      const m = / on (\S+:\d+) /.exec(out);
      if (m) resolve({ child, client: createDekClient(m[1]), exited });
    });
    child.stderr!.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => reject(new Error(`replica exited with ${code}: ${out}${err}`)));
  });
}

async function stop(...replicas: Replica[]): Promise<void> {
  for (const r of replicas) {
    r.client.close();
    if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM');
  }
  await Promise.all(replicas.map((r) => r.exited));
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
    const acked: string[] = [];
    let killed = false;
    // Writers on A, each creating its own subjects; A is killed once 20 creates are acknowledged.
    await Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; i < 25 && !killed; i++) {
          const subject = `w${w}-s${i}`;
          try {
            await a.client.call('CreateDek', { kek_name: 'k', subject, encrypted_key_material: Buffer.from(subject).toString('base64') });
            acked.push(subject);
            if (acked.length === 20 && !killed) {
              killed = true;
              a.child.kill('SIGKILL');
            }
          } catch {
            // Calls in flight when A dies fail; they were not acknowledged.
          }
        }
      }),
    );
    await a.exited;
    assert.equal(a.child.signalCode, 'SIGKILL');
    const stored = new Set((await b.client.call('ListDekSubjects', { kek_name: 'k' })).subjects as string[]);
    for (const subject of acked) assert.ok(stored.has(subject), `${subject} was acknowledged and is stored`);
    // B keeps serving writes.
    await b.client.call('CreateDek', { kek_name: 'k', subject: 'after-kill', encrypted_key_material: 'AAAA' });
  } finally {
    await stop(a, b);
  }
});
