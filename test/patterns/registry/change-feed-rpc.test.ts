/**
 * WatchChanges over a real socket (memory and SQLite storage): every kind of change once, in
 * order, in the exact JSON the gateway renders; the subject prefix; `latest`; resuming after a
 * sequence; CHANGES_EXPIRED once retention dropped it; a shutdown ends streams with
 * UNAVAILABLE; a transport that cannot take more stops the reading of the store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { decodeErrorInfo, STATUS_DETAILS_KEY } from '../../../src/grpc/rich-status.js';
import type { ChangeStream } from '../../../patterns/registry/registry-messages.js';
import { startRegistryServer } from '../../../patterns/registry/registry-server.js';
import { createRegistryService } from '../../../patterns/registry/registry-service.js';
import { createCachedStorage } from '../../../patterns/registry/storage/cached-storage.js';
import { createMemoryStorage } from '../../../patterns/registry/storage/memory-storage.js';
import type { RegistryStorage } from '../../../patterns/registry/storage/registry-storage.js';
import { createSqliteStorage } from '../../../patterns/registry/storage/sqlite-storage.js';
import { watchChanges, withoutTime, type ChangeJson } from './change-feed-client.js';
import { A1, writeEveryKind } from './change-feed-writes.js';
import { createRegistryClient, type RegistryClient } from './registry-test-client.js';

const B1 = '{"type":"record","name":"B","fields":[{"name":"b","type":"string"}]}';

async function startRegistry(storage: RegistryStorage, changePageSize?: number) {
  const server = await startRegistryServer({ listen: '127.0.0.1:0', storage, logError: () => {}, changePageSize });
  const client = createRegistryClient(server.address);
  return {
    server,
    client,
    async close() {
      client.close();
      await server.close(1000);
    },
  };
}

function errorInfo(ended: { metadata?: { get(key: string): unknown[] } }) {
  return decodeErrorInfo(ended.metadata?.get(STATUS_DETAILS_KEY)[0] as Buffer | undefined);
}

const storages: [string, () => { storage: RegistryStorage; cleanup(): void }][] = [
  ['memory', () => ({ storage: createCachedStorage(createMemoryStorage()), cleanup: () => {} })],
  [
    'SQLite',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'change-feed-'));
      return { storage: createCachedStorage(createSqliteStorage({ path: join(dir, 'r.db') })), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
];

for (const [name, open] of storages) {
  test(`${name}: every kind of change once, in order, live and replayed, in the gateway's JSON`, async () => {
    const { storage, cleanup } = open();
    const registry = await startRegistry(storage);
    try {
      const live = watchChanges(registry.server.address, { after: 'latest' });
      const everything = watchChanges(registry.server.address, { after: 'latest', subject_prefix: ':*:' });
      // The watch is in place once a change made after it arrives (nothing before it would).
      await new Promise((resolve) => setTimeout(resolve, 100));
      const expected = await writeEveryKind(registry.client.call);
      assert.deepEqual((await live.take(expected.length)).map(withoutTime), expected);
      assert.deepEqual((await everything.take(expected.length)).map(withoutTime), expected);

      const replay = watchChanges(registry.server.address);
      const replayed = await replay.take(expected.length);
      assert.deepEqual(replayed.map(withoutTime), expected);
      // Exactly these keys, in the contract's order (e.g. the global scope's "subject":"").
      assert.equal(JSON.stringify(withoutTime(replayed[0])), '{"sequence":"1","kind":"SCHEMA_REGISTERED","subject":"orders-value","version":1,"id":1,"schemaType":"AVRO","time":"T"}');
      assert.equal(JSON.stringify(withoutTime(replayed[6])), '{"sequence":"7","kind":"CONFIG_CHANGED","subject":"","time":"T"}');

      const resumed = watchChanges(registry.server.address, { after: '8' });
      assert.deepEqual((await resumed.take(2)).map(withoutTime), expected.slice(8));
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(resumed.pending(), 0, 'nothing more than the two changes after 8');
      for (const w of [live, everything, replay, resumed]) w.cancel();
      assert.equal((await live.ended).code, status.CANCELLED);
    } finally {
      await registry.close();
      cleanup();
    }
  });
}

test('the subject prefix filters changes; global config and mode pass only the empty prefix', async () => {
  const registry = await startRegistry(createCachedStorage(createMemoryStorage()));
  try {
    const { call } = registry.client;
    await call('RegisterSchema', { subject: 'orders-value', schema: A1 });
    await call('RegisterSchema', { subject: 'payments-value', schema: B1 });
    await call('UpdateConfig', { compatibility: 'NONE' });
    await call('UpdateConfig', { subject: 'orders-key', compatibility: 'NONE' });
    const orders = watchChanges(registry.server.address, { subject_prefix: 'orders' });
    const qualified = watchChanges(registry.server.address, { subject_prefix: ':.:orders' });
    const otherContext = watchChanges(registry.server.address, { subject_prefix: ':.other:' });
    const all = watchChanges(registry.server.address, { subject_prefix: '' });
    const subjects = (changes: ChangeJson[]) => changes.map((c) => `${c.sequence} ${c.kind} ${c.subject}`);
    assert.deepEqual(subjects(await orders.take(2)), ['1 SCHEMA_REGISTERED orders-value', '4 CONFIG_CHANGED orders-key']);
    assert.deepEqual(subjects(await qualified.take(2)), ['1 SCHEMA_REGISTERED orders-value', '4 CONFIG_CHANGED orders-key']);
    assert.deepEqual(subjects(await all.take(4)), [
      '1 SCHEMA_REGISTERED orders-value',
      '2 SCHEMA_REGISTERED payments-value',
      '3 CONFIG_CHANGED ',
      '4 CONFIG_CHANGED orders-key',
    ]);
    // Live changes are filtered the same way.
    await call('RegisterSchema', { subject: 'payments-value', schema: B1.replace('"b"', '"c"') });
    await call('DeleteSubject', { subject: 'orders-value' });
    assert.deepEqual(subjects(await orders.take(1)), ['6 SUBJECT_DELETED orders-value']);
    assert.deepEqual(subjects(await all.take(2)), ['5 SCHEMA_REGISTERED payments-value', '6 SUBJECT_DELETED orders-value']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(otherContext.pending(), 0, 'a context this registry does not have matches nothing');
    for (const w of [orders, qualified, otherContext, all]) w.cancel();
  } finally {
    await registry.close();
  }
});

test('latest streams only changes committed after the call; after resumes past a sequence', async () => {
  const registry = await startRegistry(createCachedStorage(createMemoryStorage()));
  try {
    const { call } = registry.client;
    await call('RegisterSchema', { subject: 'a', schema: A1 });
    await call('RegisterSchema', { subject: 'b', schema: B1 });
    const latest = watchChanges(registry.server.address, { after: 'latest' });
    const afterOne = watchChanges(registry.server.address, { after: '1' });
    assert.deepEqual((await afterOne.take(1)).map((c) => c.sequence), ['2']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(latest.pending(), 0);
    await call('UpdateMode', { subject: 'a', mode: 'READONLY' });
    assert.deepEqual((await latest.take(1)).map((c) => [c.sequence, c.kind]), [['3', 'MODE_CHANGED']]);
    assert.deepEqual((await afterOne.take(1)).map((c) => c.sequence), ['3']);
    // A sequence beyond the newest waits for it.
    const ahead = watchChanges(registry.server.address, { after: '4' });
    await call('DeleteMode', { subject: 'a' });
    await call('UpdateMode', { subject: 'a', mode: 'READONLY' });
    assert.deepEqual((await ahead.take(1)).map((c) => c.sequence), ['5']);
    for (const w of [latest, afterOne, ahead]) w.cancel();
  } finally {
    await registry.close();
  }
});

test('CHANGES_EXPIRED once retention dropped the point to resume after; INVALID_SEQUENCE for what is no sequence', async () => {
  const registry = await startRegistry(createCachedStorage(createMemoryStorage({ changeRetention: 3 })));
  try {
    const { call } = registry.client;
    for (const mode of ['READONLY', 'READWRITE', 'READONLY', 'READWRITE', 'READONLY', 'READWRITE']) await call('UpdateMode', { subject: 's', mode });
    // Retained: 4, 5, 6.
    const expired = await watchChanges(registry.server.address, { after: '2' }).ended;
    assert.equal(expired.code, status.FAILED_PRECONDITION);
    assert.equal(expired.details, 'Changes after sequence 2 are no longer retained; the oldest retained change is 4');
    const info = errorInfo(expired);
    assert.equal(info?.reason, 'CHANGES_EXPIRED');
    assert.equal(info?.domain, 'registry.prism.io');
    assert.deepEqual(info?.metadata, { error_code: '410', after: '2', oldest: '4' });

    const justInTime = watchChanges(registry.server.address, { after: '3' });
    assert.deepEqual((await justInTime.take(3)).map((c) => c.sequence), ['4', '5', '6']);
    const oldest = watchChanges(registry.server.address, { after: '' });
    assert.deepEqual((await oldest.take(3)).map((c) => c.sequence), ['4', '5', '6']);
    justInTime.cancel();
    oldest.cancel();

    for (const after of ['abc', '-1', '1.5', '99999999999999999999']) {
      const invalid = await watchChanges(registry.server.address, { after }).ended;
      assert.equal(invalid.code, status.INVALID_ARGUMENT, after);
      assert.equal(errorInfo(invalid)?.reason, 'INVALID_SEQUENCE');
    }
  } finally {
    await registry.close();
  }
});

test('SQLite: retention applies in the write transaction, and the sequence never goes back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'change-feed-'));
  try {
    const path = join(dir, 'r.db');
    let storage = createSqliteStorage({ path, changeRetention: 2 });
    for (let i = 0; i < 5; i++) await storage.putSetting('mode', 's', i % 2 ? 'READONLY' : 'READWRITE');
    let page = await storage.changesAfter(0, '', 10);
    assert.deepEqual([page.oldest, page.latest, page.changes.map((c) => c.sequence)], [4, 5, [4, 5]]);
    await storage.close();
    // Reopened with a larger retention: nothing comes back, numbering goes on.
    storage = createSqliteStorage({ path, changeRetention: 10 });
    await storage.putSettings('', { compatibility: 'NONE', normalize: 'true' }, 'CONFIG_CHANGED');
    page = await storage.changesAfter(3, '', 10);
    assert.deepEqual(
      page.changes.map((c) => [c.sequence, c.kind, c.subject]),
      [
        [4, 'MODE_CHANGED', 's'],
        [5, 'MODE_CHANGED', 's'],
        [6, 'CONFIG_CHANGED', ''],
      ],
    );
    await storage.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a shutdown ends open streams with UNAVAILABLE instead of waiting for their callers', async () => {
  const registry = await startRegistry(createCachedStorage(createMemoryStorage()));
  const watch = watchChanges(registry.server.address, { after: 'latest' });
  await registry.client.call('UpdateMode', { subject: 's', mode: 'READONLY' });
  await watch.take(1);
  const started = Date.now();
  registry.client.close();
  await registry.server.close(10_000);
  const ended = await watch.ended;
  assert.equal(ended.code, status.UNAVAILABLE);
  assert.ok(Date.now() - started < 5000, 'the shutdown did not wait for the grace period');
});

test('a transport that cannot take more stops the reading of the store until it drains (bounded pages)', async () => {
  const inner = createMemoryStorage();
  const total = 5000;
  for (let i = 0; i < total; i++) await inner.putSetting('mode', `s${i}`, 'READONLY');
  let rowsRead = 0;
  const counting: RegistryStorage = {
    ...inner,
    async changesAfter(after, prefix, limit) {
      const page = await inner.changesAfter(after, prefix, limit);
      rowsRead += page.changes.length;
      return page;
    },
  };
  const registry = createRegistryService({ storage: counting, changePageSize: 100 });
  const controller = new AbortController();
  const sent: string[] = [];
  let drain: (() => void) | undefined;
  // A transport whose buffer holds 10 messages and that drains only when told.
  const stream: ChangeStream = {
    accepted: () => {},
    write: (change) => (sent.push(change.sequence), sent.length % 10 !== 0),
    drained: () => new Promise<void>((resolve) => (drain = resolve)),
    signal: controller.signal,
  };
  const watching = registry.WatchChanges({ subject_prefix: '', after: '' }, stream);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual([sent.length, rowsRead], [10, 100], 'one page read, and nothing sent beyond the full buffer');
  for (let round = 0; round < 20; round++) {
    drain!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(sent.length, 210);
  assert.ok(rowsRead <= 300, `read ${rowsRead} rows for 210 sent`);
  // Drained without bound, everything arrives, in order.
  stream.write = (change) => (sent.push(change.sequence), true);
  drain!();
  while (sent.length < total) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(sent.every((s, i) => s === String(i + 1)));
  controller.abort();
  await watching;
  await registry.close();
});

test('a reader that pauses gets every change, in order, once it reads again', { timeout: 60_000 }, async () => {
  const inner = createMemoryStorage();
  const total = 20_000;
  for (let i = 0; i < total; i++) await inner.putSetting('mode', `subject-${'x'.repeat(100)}-${i}`, 'READONLY');
  const registry = await startRegistry(inner, 100);
  try {
    const watch = watchChanges(registry.server.address, {}, { paused: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(watch.pending(), 0);
    watch.resume();
    const all = await watch.take(total, 30_000);
    assert.ok(all.every((c, i) => c.sequence === String(i + 1)), 'in order, none missing');
    watch.cancel();
  } finally {
    await registry.close();
  }
});
