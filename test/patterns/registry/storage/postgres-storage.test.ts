/**
 * The storage conformance suite on PostgreSQL, bare and behind the read cache, plus what only
 * a shared database has: migrations applied once under concurrent starts, several storages
 * (replicas) writing at once, and store failures reported as STORE_ERROR.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createCachedStorage, type StorageChange } from '../../../../patterns/registry/storage/cached-storage.js';
import { createPostgresStorage, POSTGRES_SCHEMA_VERSION } from '../../../../patterns/registry/storage/postgres-storage.js';
import type { RegistryStorage } from '../../../../patterns/registry/storage/registry-storage.js';
import { createStorage, parseBackendUri, StorageConfigError } from '../../../../patterns/registry/create-storage.js';
import { createRegistryService } from '../../../../patterns/registry/registry-service.js';
import { RegistryError } from '../../../../patterns/registry/registry-error.js';
import { createTestDatabase, createTestSchema, type TestDatabase } from '../postgres-test-db.js';
import { runStorageConformance } from './storage-conformance.js';
import { waitFor } from '../../../support/wait-for.js';

const databases: TestDatabase[] = [];
after(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});
async function database(label: string): Promise<TestDatabase> {
  const db = await createTestDatabase(label);
  databases.push(db);
  return db;
}

// The conformance cases each get a schema of one shared database.
let shared: Promise<TestDatabase> | undefined;
const urls = new WeakMap<RegistryStorage, string>();
function postgres(cached: boolean) {
  const open = (url: string) => {
    const bare = createPostgresStorage({ url, poolSize: 4 });
    const storage = cached ? createCachedStorage(bare) : bare;
    urls.set(storage, url);
    return storage;
  };
  return {
    async create() {
      shared ??= database('conformance');
      return open(await createTestSchema(await shared, cached ? 'cached' : 'bare'));
    },
    async reopen(storage: RegistryStorage) {
      const url = urls.get(storage)!;
      await storage.close();
      return open(url);
    },
  };
}

runStorageConformance('postgres', postgres(false));
runStorageConformance('postgres+cache', postgres(true));

const input = (n: number, subject = 's') => ({ subject, schemaType: 'AVRO' as const, schema: `"s${n}"`, references: [], hash: `h${n}` });

test('postgres: migrations are applied once when several replicas start at once', async () => {
  const db = await database('migrate');
  const stores = Array.from({ length: 6 }, () => createPostgresStorage({ url: db.url, poolSize: 2 }));
  try {
    await Promise.all(stores.map((s) => s.ready()));
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const rows = (await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows;
    await client.end();
    assert.deepEqual(
      rows.map((r) => r.version),
      Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1),
    );
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});

test('postgres: four replicas writing at once share ids and number versions without gaps', async () => {
  for (const locking of ['global', 'subject'] as const) {
    const db = await database(`replicas_${locking}`);
    const stores = Array.from({ length: 4 }, () => createPostgresStorage({ url: db.url, poolSize: 3, locking }));
    try {
      // Each replica writes serially (as the registry does), the replicas concurrently; the
      // schemas overlap across replicas and subjects.
      const acknowledged: { subject: string; hash: string; id: number; version: number }[] = [];
      await Promise.all(
        stores.map(async (s, r) => {
          for (let i = 0; i < 15; i++) {
            const n = (i * 3 + r) % 20;
            const subject = `subj-${(i + r) % 3}`;
            const result = await s.insertVersion(input(n, subject));
            acknowledged.push({ subject, hash: `h${n}`, ...result });
          }
        }),
      );
      const all = await stores[0].listAllVersions();
      const idOfHash = new Map<string, number>();
      for (const a of acknowledged) {
        assert.equal(idOfHash.get(a.hash) ?? a.id, a.id, `one id for ${a.hash} (${locking})`);
        idOfHash.set(a.hash, a.id);
        assert.ok(all.some((v) => v.subject === a.subject && v.version === a.version && v.id === a.id), 'acknowledged and stored');
      }
      assert.equal(new Set(idOfHash.values()).size, idOfHash.size, 'distinct schemas, distinct ids');
      for (const subject of ['subj-0', 'subj-1', 'subj-2']) {
        const versions = all.filter((v) => v.subject === subject);
        assert.deepEqual(versions.map((v) => v.version), versions.map((_, i) => i + 1), `${subject}: versions 1..n`);
        assert.equal(new Set(versions.map((v) => v.id)).size, versions.length, `${subject}: each schema once`);
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  }
});

test('postgres: a hard delete racing a registration of the same schema elsewhere keeps the schema', async () => {
  const db = await database('race_delete');
  const [a, b] = [createPostgresStorage({ url: db.url, locking: 'subject' }), createPostgresStorage({ url: db.url, locking: 'subject' })];
  try {
    for (let round = 0; round < 10; round++) {
      const n = 100 + round;
      await a.insertVersion(input(n, `a${round}`));
      await a.softDeleteVersions(`a${round}`, [1]);
      const [, added] = await Promise.all([a.hardDeleteVersions(`a${round}`, [1]), b.insertVersion(input(n, `b${round}`))]);
      const stored = await b.getSchema(added.id);
      assert.ok(stored, `round ${round}: the schema of an acknowledged version exists`);
      assert.equal(stored.hash, `h${n}`);
    }
  } finally {
    await a.close();
    await b.close();
  }
});

test('postgres: watch reports other writers\' changes, deletes and settings included', async () => {
  const db = await database('watch');
  const writer = createPostgresStorage({ url: db.url });
  const watcher = createPostgresStorage({ url: db.url });
  const changes: StorageChange[] = [];
  const stop = await watcher.watch((c) => changes.push(c));
  try {
    await writer.insertVersion(input(1));
    await writer.softDeleteVersions('s', [1]);
    await writer.hardDeleteVersions('s', [1]);
    await writer.putSetting('mode', 's', 'READONLY');
    await waitFor(() => changes.length >= 4, { what: 'four changes heard', detail: () => JSON.stringify(changes) });
    assert.deepEqual(changes, [
      { type: 'versions', subject: 's' },
      { type: 'versions', subject: 's' },
      { type: 'hard-delete', subject: 's' },
      { type: 'setting', kind: 'mode', scope: 's' },
    ]);
  } finally {
    await stop();
    await writer.close();
    await watcher.close();
  }
});

test('postgres: the cache of one replica sees the other replica\'s writes, and drops everything when its connection is lost', async () => {
  const db = await database('cache');
  const a = createCachedStorage(createPostgresStorage({ url: db.url }));
  const b = createCachedStorage(createPostgresStorage({ url: db.url }));
  // Changes travel by NOTIFY, well under a second; the bound is a liveness bound.
  const eventually = (check: () => Promise<boolean>, what: string) => waitFor(check, { what });
  try {
    await a.insertVersion(input(1));
    await eventually(async () => (await b.listVersions('s')).length === 1, 'insert');
    assert.ok(await b.getSchema(1));
    await a.putSetting('compatibility', 's', 'NONE');
    await eventually(async () => (await b.getSetting('compatibility', 's')) === 'NONE', 'setting');
    await a.softDeleteVersions('s', [1]);
    await eventually(async () => (await b.listVersions('s'))[0]?.deleted === true, 'soft delete');
    await a.hardDeleteVersions('s', [1]);
    await eventually(async () => (await b.listVersions('s')).length === 0 && (await b.getSchema(1)) === undefined, 'hard delete');
    assert.equal(await b.getSetting('compatibility', 's'), undefined);

    // Cut every listening connection: the replicas reconnect, and nothing stale is served.
    await b.insertVersion(input(2, 't'));
    assert.equal((await b.listVersions('t')).length, 1);
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    // A listening session's last statement is its LISTEN; idle once that is in place.
    const listeners = async (where = '') =>
      (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'${where}`)).rows.map((r) => r.pid);
    const cut = await listeners();
    assert.ok(cut.length > 0, 'the replicas listen');
    await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [cut]);
    await a.insertVersion(input(3, 't'));
    await eventually(async () => (await b.listVersions('t')).length === 2, 'a write while the listener reconnects');
    // Once both listen again on new connections, changes are heard again.
    await eventually(async () => (await listeners(" AND state = 'idle'")).filter((pid) => !cut.includes(pid)).length >= cut.length, 'every listener in place again');
    await a.softDeleteVersions('t', [2]);
    await eventually(async () => (await b.listVersions('t'))[1]?.deleted === true, 'a write after the reconnection');
    await admin.end();
  } finally {
    await a.close();
    await b.close();
  }
});

test('postgres: the backend entry and the CLI form; failures are STORE_ERROR', async () => {
  assert.deepEqual(parseBackendUri('postgres://u@h:5432/db'), { type: 'POSTGRES', config: { url: 'postgres://u@h:5432/db' } });
  assert.deepEqual(parseBackendUri('postgresql://h/db'), { type: 'POSTGRES', config: { url: 'postgresql://h/db' } });
  assert.throws(() => createStorage({ type: 'POSTGRES', config: {} }, '.'), StorageConfigError);
  assert.throws(() => createStorage({ type: 'POSTGRES', config: { url: 'postgres://h/db', poolSize: 0 } }, '.'), StorageConfigError);
  assert.throws(() => createStorage({ type: 'POSTGRES', config: { url: 'postgres://h/db', ssl: 'yes' } }, '.'), StorageConfigError);

  const db = await database('entry');
  const storage = createStorage({ type: 'POSTGRES', config: { url: db.url, poolSize: 2, statementTimeoutMs: 5000, ssl: false } }, '.');
  const registry = createRegistryService({ storage });
  const schema = '{"type":"record","name":"A","fields":[{"name":"id","type":"int"}]}';
  assert.deepEqual(await registry.RegisterSchema({ subject: 's', schema, schema_type: 'AVRO', references: [], normalize: false } as never), { id: 1, version: 1 });
  await registry.close();

  // Nothing listens on port 1: every call is a STORE_ERROR (50001).
  const down = createRegistryService({ storage: createStorage({ type: 'POSTGRES', config: { url: 'postgres://postgres@127.0.0.1:1/x' } }, '.') });
  await assert.rejects(down.GetSchema({ id: 1, fetch_max_id: false } as never), (err: unknown) => err instanceof RegistryError && err.reason === 'STORE_ERROR');
  await assert.rejects(
    down.RegisterSchema({ subject: 's', schema, schema_type: 'AVRO', references: [], normalize: false } as never),
    (err: unknown) => err instanceof RegistryError && err.reason === 'STORE_ERROR',
  );
  await down.close();
});
