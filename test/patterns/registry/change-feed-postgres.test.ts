/**
 * The change feed on PostgreSQL (the machine's server, a database per test): two replicas on
 * one database stream the same sequence, a watcher on one hears the other's writes live
 * (LISTEN/NOTIFY), and resuming after a sequence works on either.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStorage } from '../../../patterns/registry/create-storage.js';
import { startRegistryServer } from '../../../patterns/registry/registry-server.js';
import { watchChanges, withoutTime } from './change-feed-client.js';
import { writeEveryKind } from './change-feed-writes.js';
import { createTestDatabase } from './postgres-test-db.js';
import { createRegistryClient } from './registry-test-client.js';


async function startReplica(url: string) {
  const storage = createStorage({ type: 'POSTGRES', config: { url } }, '.');
  await storage.maxId();
  const server = await startRegistryServer({ listen: '127.0.0.1:0', storage, logError: () => {} });
  const client = createRegistryClient(server.address);
  return {
    address: server.address,
    call: client.call,
    async close() {
      client.close();
      await server.close(1000);
    },
  };
}

test('two replicas on one database: write through one, watch through the other, same sequences', { timeout: 60_000 }, async () => {
  const db = await createTestDatabase('feed');
  const writer = await startReplica(db.url);
  const watcher = await startReplica(db.url);
  try {
    // Live on the other replica, from before the first write.
    const live = watchChanges(watcher.address, { after: 'latest' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const expected = await writeEveryKind(writer.call);
    assert.deepEqual((await live.take(expected.length)).map(withoutTime), expected);

    // Replayed from either replica: the same changes under the same sequences.
    for (const replica of [watcher, writer]) {
      const replay = watchChanges(replica.address);
      assert.deepEqual((await replay.take(expected.length)).map(withoutTime), expected);
      replay.cancel();
    }
    const resumed = watchChanges(watcher.address, { after: '8', subject_prefix: 'payments' });
    assert.deepEqual((await resumed.take(2)).map((c) => c.sequence), ['9', '10']);
    // Writes through both replicas interleave into one sequence.
    await watcher.call('UpdateMode', { subject: 'a', mode: 'READONLY' });
    await writer.call('UpdateMode', { subject: 'b', mode: 'READONLY' });
    await watcher.call('UpdateMode', { subject: 'c', mode: 'READONLY' });
    assert.deepEqual((await live.take(3)).map((c) => `${c.sequence} ${c.subject}`), ['11 a', '12 b', '13 c']);
    live.cancel();
    resumed.cancel();
  } finally {
    await writer.close();
    await watcher.close();
    await db.drop();
  }
});

test('PostgreSQL: retention drops the oldest changes in the write transaction', { timeout: 60_000 }, async () => {
  const db = await createTestDatabase('feed_retention');
  const storage = createStorage({ type: 'POSTGRES', config: { url: db.url, changeRetention: 2 } }, '.');
  try {
    for (const mode of ['READONLY', 'READWRITE', 'READONLY', 'READWRITE']) await storage.putSetting('mode', 's', mode);
    const page = await storage.changesAfter(0, '', 10);
    assert.deepEqual([page.oldest, page.latest, page.changes.map((c) => c.sequence)], [3, 4, [3, 4]]);
    assert.deepEqual((await storage.changesAfter(3, 's', 10)).changes.map((c) => [c.sequence, c.kind, c.subject]), [[4, 'MODE_CHANGED', 's']]);
    assert.ok(Math.abs(page.changes[0].time - Date.now()) < 60_000, 'time is the commit time, in epoch milliseconds');
  } finally {
    await storage.close();
    await db.drop();
  }
});
