/**
 * The read cache serves hot reads from memory and stays coherent with writes
 * (its correctness under the full contract is covered by the conformance suite).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCachedStorage } from '../../../../patterns/registry/storage/cached-storage.js';
import { createMemoryStorage } from '../../../../patterns/registry/storage/memory-storage.js';
import type { RegistryStorage } from '../../../../patterns/registry/storage/registry-storage.js';

function counting(inner: RegistryStorage) {
  const counts = { getSchema: 0, listVersions: 0 };
  const wrapped: RegistryStorage = {
    ...inner,
    getSchema: (id) => (counts.getSchema++, inner.getSchema(id)),
    listVersions: (subject) => (counts.listVersions++, inner.listVersions(subject)),
  };
  return { wrapped, counts };
}

const input = (n: number) => ({ subject: 's', schemaType: 'AVRO' as const, schema: `"s${n}"`, references: [], hash: `h${n}` });

test('schema by id and versions of a subject are read once, then from memory', async () => {
  const { wrapped, counts } = counting(createMemoryStorage());
  const cached = createCachedStorage(wrapped);
  await cached.insertVersion(input(1));
  for (let i = 0; i < 5; i++) {
    assert.equal((await cached.getSchema(1))?.schema, '"s1"');
    assert.equal((await cached.listVersions('s')).length, 1);
  }
  assert.deepEqual(counts, { getSchema: 1, listVersions: 1 });
  // Its own inserts and soft deletes update the cached list in place: no reread.
  await cached.insertVersion(input(2));
  assert.equal((await cached.listVersions('s')).length, 2);
  await cached.softDeleteVersions('s', [1]);
  assert.deepEqual(await cached.listVersions('s'), await wrapped.listVersions('s'));
  assert.equal(counts.listVersions, 2, 'one read to fill, one by this comparison');
  // A hard delete drops the subject's versions and every schema.
  await cached.hardDeleteVersions('s', [1]);
  assert.equal(await cached.getSchema(1), undefined);
  assert.equal(counts.getSchema, 2);
  assert.equal((await cached.listVersions('s')).length, 1);
  assert.equal(counts.listVersions, 3);
  // Misses are not cached: a schema that appears later is found.
  assert.equal(await cached.getSchema(3), undefined);
  await cached.insertVersion(input(3));
  assert.equal((await cached.getSchema(3))?.schema, '"s3"');
});

test('a read that overlaps a write does not store what it read before the write', async () => {
  const inner = createMemoryStorage();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const slow: RegistryStorage = {
    ...inner,
    async listVersions(subject) {
      const snapshot = await inner.listVersions(subject);
      await gate;
      return snapshot;
    },
  };
  const cached = createCachedStorage(slow);
  const staleRead = cached.listVersions('s');
  await cached.insertVersion(input(1));
  release();
  assert.equal((await staleRead).length, 0, 'the overlapping read saw the old state');
  assert.equal((await cached.listVersions('s')).length, 1, 'but did not cache it');
});

test('settings are read once and dropped by writes and by the hard delete of the last version', async () => {
  const inner = createMemoryStorage();
  let reads = 0;
  const cached = createCachedStorage({ ...inner, getSetting: (kind, scope) => (reads++, inner.getSetting(kind, scope)) });
  assert.equal(await cached.getSetting('mode', 's'), undefined);
  assert.equal(await cached.getSetting('mode', 's'), undefined);
  assert.equal(reads, 1, 'a missing setting is cached too');
  await cached.putSetting('mode', 's', 'READONLY');
  assert.equal(await cached.getSetting('mode', 's'), 'READONLY');
  await cached.insertVersion(input(1));
  await cached.softDeleteVersions('s', [1]);
  await cached.hardDeleteVersions('s', [1]);
  assert.equal(await cached.getSetting('mode', 's'), undefined);
});

test('the cached version list follows inserts and soft deletes exactly as the storage applies them', async () => {
  const inner = createMemoryStorage();
  const cached = createCachedStorage(inner);
  const steps: [string, () => Promise<unknown>][] = [
    ['insert a', () => cached.insertVersion(input(1))],
    ['insert b', () => cached.insertVersion(input(2))],
    ['soft delete 1', () => cached.softDeleteVersions('s', [1, 99])],
    // The same schema again: version 3 with id 1, and the soft-deleted version 1 goes.
    ['re-register a', () => cached.insertVersion(input(1))],
    ['explicit version 7', () => cached.insertVersion({ ...input(4), version: 7 })],
    ['explicit version 5, between', () => cached.insertVersion({ ...input(5), version: 5 })],
    ['soft delete 5 and 7', () => cached.softDeleteVersions('s', [5, 7])],
    ['re-register the schema of 7', () => cached.insertVersion(input(4))],
  ];
  await cached.listVersions('s');
  for (const [what, step] of steps) {
    await step();
    assert.deepEqual(await cached.listVersions('s'), await inner.listVersions('s'), what);
  }
  assert.deepEqual(
    (await cached.listVersions('s')).map((v) => `${v.version}:${v.id}${v.deleted ? 'd' : ''}`),
    ['2:2', '3:1', '5:4d', '8:3'],
  );
});

test('a read that lands while an insert is being acknowledged does not get the new version twice', async () => {
  const inner = createMemoryStorage();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  // The insert commits at once but is acknowledged late (a networked store's round trip).
  const slowAck: RegistryStorage = {
    ...inner,
    async insertVersion(input) {
      const added = await inner.insertVersion(input);
      await gate;
      return added;
    },
  };
  const cached = createCachedStorage(slowAck);
  const insert = cached.insertVersion(input(1));
  assert.equal((await cached.listVersions('s')).length, 1, 'the read sees the committed version');
  release();
  await insert;
  assert.deepEqual(await cached.listVersions('s'), await inner.listVersions('s'));
});
