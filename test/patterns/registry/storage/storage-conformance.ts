/**
 * The conformance suite every RegistryStorage must pass (memory, SQLite, and each with the
 * read cache in front). One function, one factory per backend: the backends are
 * interchangeable only if they agree on every case here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StorageConflictError, GLOBAL_SCOPE, type InsertVersionInput, type RegistryStorage } from '../../../../patterns/registry/storage/registry-storage.js';

export interface StorageFactory {
  /** A fresh, empty storage. */
  create(): Promise<RegistryStorage>;
  /** Closes and re-opens the same store (durable backends only). */
  reopen?(storage: RegistryStorage): Promise<RegistryStorage>;
}

const schema = (n: number, extra: Partial<InsertVersionInput> = {}): Omit<InsertVersionInput, 'subject'> => ({
  schemaType: 'AVRO',
  schema: `{"type":"fixed","name":"F${n}","size":${n}}`,
  references: [],
  hash: `hash-${n}`,
  ...extra,
});

export function runStorageConformance(name: string, factory: StorageFactory): void {
  const withStorage = (title: string, body: (s: RegistryStorage) => Promise<void>) =>
    test(`${name}: ${title}`, async () => {
      const storage = await factory.create();
      try {
        await body(storage);
      } finally {
        await storage.close();
      }
    });

  withStorage('an empty store has nothing', async (s) => {
    assert.equal(await s.maxId(), 0);
    assert.equal(await s.getSchema(1), undefined);
    assert.deepEqual(await s.listVersions('a'), []);
    assert.deepEqual(await s.listAllVersions(), []);
    assert.deepEqual(await s.findSchemaIds('hash-1'), []);
    assert.equal(await s.getSetting('compatibility', GLOBAL_SCOPE), undefined);
  });

  withStorage('ids start at 1 and versions per subject at 1', async (s) => {
    assert.deepEqual(await s.insertVersion({ subject: 'a', ...schema(1) }), { id: 1, version: 1 });
    assert.deepEqual(await s.insertVersion({ subject: 'a', ...schema(2) }), { id: 2, version: 2 });
    assert.deepEqual(await s.insertVersion({ subject: 'b', ...schema(3) }), { id: 3, version: 1 });
    assert.equal(await s.maxId(), 3);
    const stored = await s.getSchema(2);
    assert.deepEqual(stored, { id: 2, schemaType: 'AVRO', schema: '{"type":"fixed","name":"F2","size":2}', references: [], hash: 'hash-2' });
  });

  withStorage('a data contract is stored with its schema and read back as stored; none stays absent', async (s) => {
    const metadata = { tags: { 'R.a': ['PII'] }, properties: { owner: 'team' }, sensitive: ['owner'] };
    const ruleSet = { domainRules: [{ name: 'r', kind: 'CONDITION' as const, mode: 'WRITE' as const, type: 'CEL', expr: 'true', disabled: false }] };
    await s.insertVersion({ subject: 'a', ...schema(1), hash: 'hash-with-contract', metadata, ruleSet });
    await s.insertVersion({ subject: 'a', ...schema(2), metadata: {} });
    await s.insertVersion({ subject: 'a', ...schema(3) });
    assert.deepEqual(await s.getSchema(1), { id: 1, schemaType: 'AVRO', schema: schema(1).schema, references: [], hash: 'hash-with-contract', metadata, ruleSet });
    // An empty metadata object is a contract (it is not "none").
    assert.deepEqual((await s.getSchema(2))?.metadata, {});
    const bare = await s.getSchema(3);
    assert.ok(bare && !('metadata' in bare) && !('ruleSet' in bare));
  });

  withStorage('the same hash reuses its id across subjects', async (s) => {
    await s.insertVersion({ subject: 'a', ...schema(1) });
    assert.deepEqual(await s.insertVersion({ subject: 'b', ...schema(1) }), { id: 1, version: 1 });
    assert.deepEqual(await s.findSchemaIds('hash-1'), [1]);
    assert.deepEqual(await s.listVersionsOfSchema(1), [
      { subject: 'a', version: 1, id: 1, deleted: false },
      { subject: 'b', version: 1, id: 1, deleted: false },
    ]);
  });

  withStorage('soft-deleted versions keep their numbers; hard-deleted ones free them', async (s) => {
    await s.insertVersion({ subject: 'a', ...schema(1) });
    await s.insertVersion({ subject: 'a', ...schema(2) });
    await s.softDeleteVersions('a', [1, 2]);
    assert.deepEqual(await s.insertVersion({ subject: 'a', ...schema(3) }), { id: 3, version: 3 });
    await s.softDeleteVersions('a', [3]);
    await s.hardDeleteVersions('a', [2, 3]);
    assert.deepEqual((await s.listVersions('a')).map((v) => [v.version, v.deleted]), [[1, true]]);
    assert.deepEqual(await s.insertVersion({ subject: 'a', ...schema(4) }), { id: 4, version: 2 });
  });

  withStorage('a schema no version uses is removed, and its id is never reused', async (s) => {
    await s.insertVersion({ subject: 'a', ...schema(1) });
    await s.softDeleteVersions('a', [1]);
    assert.ok(await s.getSchema(1), 'soft delete keeps the schema');
    await s.hardDeleteVersions('a', [1]);
    assert.equal(await s.getSchema(1), undefined);
    assert.deepEqual(await s.findSchemaIds('hash-1'), []);
    assert.deepEqual(await s.listVersions('a'), []);
    assert.deepEqual(await s.insertVersion({ subject: 'a', ...schema(1) }), { id: 2, version: 1 });
    assert.equal(await s.maxId(), 2);
  });

  withStorage('registering an id again drops an older soft-deleted version with that id', async (s) => {
    await s.insertVersion({ subject: 'a', ...schema(1) });
    await s.insertVersion({ subject: 'a', ...schema(2) });
    await s.softDeleteVersions('a', [1]);
    assert.deepEqual(await s.insertVersion({ subject: 'a', ...schema(1) }), { id: 1, version: 3 });
    assert.deepEqual((await s.listVersions('a')).map((v) => v.version), [2, 3]);
  });

  withStorage('explicit ids and versions (IMPORT)', async (s) => {
    assert.deepEqual(await s.insertVersion({ subject: 'a', ...schema(1), id: 10, version: 5 }), { id: 10, version: 5 });
    assert.equal(await s.maxId(), 10);
    assert.deepEqual(await s.insertVersion({ subject: 'a', ...schema(2) }), { id: 11, version: 6 });
    // The same schema may be imported under another id.
    assert.deepEqual(await s.insertVersion({ subject: 'b', ...schema(1), id: 20 }), { id: 20, version: 1 });
    assert.deepEqual(await s.findSchemaIds('hash-1'), [10, 20]);
    await assert.rejects(s.insertVersion({ subject: 'c', ...schema(3), id: 10 }), StorageConflictError);
    await assert.rejects(s.insertVersion({ subject: 'a', ...schema(3), version: 5 }), StorageConflictError);
    // A refused write leaves no trace.
    assert.deepEqual(await s.listVersions('c'), []);
    assert.equal(await s.maxId(), 20);
  });

  withStorage('references index the referring schema', async (s) => {
    await s.insertVersion({ subject: 'base', ...schema(1) });
    const refs = [{ name: 'F1', subject: 'base', version: 1 }];
    await s.insertVersion({ subject: 'top', ...schema(2, { references: refs }) });
    assert.deepEqual((await s.getSchema(2))?.references, refs);
    assert.deepEqual(await s.listReferrers('base', 1), [2]);
    assert.deepEqual(await s.listReferrers('base', 2), []);
    await s.softDeleteVersions('top', [1]);
    await s.hardDeleteVersions('top', [1]);
    assert.deepEqual(await s.listReferrers('base', 1), []);
  });

  withStorage('listings are ordered by subject (UTF-16 order) then version', async (s) => {
    for (const subject of ['b', 'a', 'B', '\u{1F600}', '\uFF5E']) await s.insertVersion({ subject, ...schema(1) });
    await s.insertVersion({ subject: 'a', ...schema(2) });
    assert.deepEqual(
      (await s.listAllVersions()).map((v) => `${v.subject}/${v.version}`),
      ['B/1', 'a/1', 'a/2', 'b/1', '\u{1F600}/1', '\uFF5E/1'],
    );
  });

  withStorage('settings per kind and scope; hard-deleting a subject drops its own settings', async (s) => {
    await s.putSetting('compatibility', GLOBAL_SCOPE, 'FULL');
    await s.putSetting('compatibility', 'a', 'NONE');
    await s.putSetting('mode', 'a', 'READONLY');
    await s.putSetting('normalize', 'a', 'true');
    assert.equal(await s.getSetting('normalize', 'a'), 'true');
    assert.equal(await s.getSetting('normalize', 'b'), undefined);
    assert.equal(await s.getSetting('compatibility', GLOBAL_SCOPE), 'FULL');
    assert.equal(await s.getSetting('compatibility', 'a'), 'NONE');
    assert.equal(await s.getSetting('mode', GLOBAL_SCOPE), undefined);
    await s.putSetting('compatibility', 'a', 'FORWARD');
    assert.equal(await s.getSetting('compatibility', 'a'), 'FORWARD');
    await s.insertVersion({ subject: 'a', ...schema(1) });
    await s.softDeleteVersions('a', [1]);
    assert.equal(await s.getSetting('mode', 'a'), 'READONLY', 'a soft delete keeps settings (7.9.3+)');
    await s.hardDeleteVersions('a', [1]);
    assert.equal(await s.getSetting('compatibility', 'a'), undefined);
    assert.equal(await s.getSetting('mode', 'a'), undefined);
    assert.equal(await s.getSetting('normalize', 'a'), undefined);
    assert.equal(await s.getSetting('compatibility', GLOBAL_SCOPE), 'FULL');
    await s.putSetting('compatibility', GLOBAL_SCOPE, undefined);
    assert.equal(await s.getSetting('compatibility', GLOBAL_SCOPE), undefined);
  });

  withStorage('reads right after writes see them (cache coherence)', async (s) => {
    await s.insertVersion({ subject: 'a', ...schema(1) });
    assert.equal((await s.listVersions('a')).length, 1);
    assert.ok(await s.getSchema(1));
    await s.insertVersion({ subject: 'a', ...schema(2) });
    assert.equal((await s.listVersions('a')).length, 2);
    await s.softDeleteVersions('a', [2]);
    assert.equal((await s.listVersions('a'))[1].deleted, true);
    await s.hardDeleteVersions('a', [2]);
    assert.equal(await s.getSchema(2), undefined);
    assert.equal((await s.listVersions('a')).length, 1);
  });

  withStorage('concurrent inserts get distinct ids and versions', async (s) => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.insertVersion({ subject: 'a', ...schema(i + 1) })));
    assert.deepEqual(new Set(results.map((r) => r.id)).size, 20);
    assert.deepEqual(results.map((r) => r.version).sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i + 1));
  });

  if (factory.reopen) {
    const reopen = factory.reopen;
    test(`${name}: everything survives a reopen, and ids keep growing`, async () => {
      let s = await factory.create();
      await s.insertVersion({ subject: 'a', ...schema(1) });
      await s.insertVersion({ subject: 'a', ...schema(2, { references: [{ name: 'x', subject: 'a', version: 1 }] }) });
      await s.softDeleteVersions('a', [2]);
      await s.hardDeleteVersions('a', [2]);
      await s.putSetting('mode', GLOBAL_SCOPE, 'READONLY');
      s = await reopen(s);
      try {
        assert.deepEqual((await s.listVersions('a')).map((v) => v.version), [1]);
        assert.equal(await s.getSetting('mode', GLOBAL_SCOPE), 'READONLY');
        assert.equal(await s.maxId(), 2);
        assert.deepEqual(await s.insertVersion({ subject: 'b', ...schema(3) }), { id: 3, version: 1 });
      } finally {
        await s.close();
      }
    });
  }
}
