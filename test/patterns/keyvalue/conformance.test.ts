/**
 * One shared case table (store-cases.ts) run against all four keyvalue stores. PostgreSQL runs
 * in a database of its own, dropped at the end; Redis under a key prefix unique to this run,
 * deleted at the end. Each case gets a fresh store; `more()` opens a second handle on the same
 * data (a second connection pool for PostgreSQL and Redis, the same store for the in-process ones).
 */
import { describe, test } from 'node:test';
import { join } from 'node:path';
import type { KeyValueStore } from '../../../patterns/keyvalue/store/keyvalue-store.js';
import { createMemoryStore } from '../../../patterns/keyvalue/store/memory-store.js';
import { createPostgresStore } from '../../../patterns/keyvalue/store/postgres-store.js';
import { createRedisStore } from '../../../patterns/keyvalue/store/redis-store.js';
import { createSqliteStore } from '../../../patterns/keyvalue/store/sqlite-store.js';
import { createTestDatabase } from '../registry/postgres-test-db.js';
import { useSuite, type SuiteScope } from '../../support/use-suite.js';
import { tempDir } from '../../support/temp-dir.js';
import { storeCases } from './store-cases.js';
import { REDIS_TEST_URL, deleteRedisKeys } from './redis-test-keys.js';

interface StoreFactory {
  /** A fresh, empty store, and a way to open another handle on the same data. */
  open(): Promise<{ store: KeyValueStore; more: () => Promise<KeyValueStore> }>;
}

let counter = 0;
const runId = `${process.pid}-${Date.now().toString(36)}`;

function runCases(name: string, factory: (scope: SuiteScope) => Promise<StoreFactory> | StoreFactory) {
  describe(`${name} store`, () => {
    const suite = useSuite(async (scope) => ({ factory: await factory(scope) }));
    for (const c of storeCases) {
      test(c.name, async () => {
        const { store, more } = await suite.factory.open();
        const extra: KeyValueStore[] = [];
        try {
          await c.run(store, async () => {
            const handle = await more();
            if (handle !== store) extra.push(handle);
            return handle;
          });
        } finally {
          for (const handle of extra) await handle.close();
          await store.close();
        }
      });
    }
  });
}

runCases('memory', () => ({
  async open() {
    const store = createMemoryStore();
    return { store, more: async () => store };
  },
}));

runCases('sqlite', (scope) => {
  const dir = scope.own(tempDir('kv-sqlite'));
  return {
    async open() {
      const store = createSqliteStore({ path: join(dir.path, `kv-${++counter}.db`) });
      return { store, more: async () => store };
    },
  };
});

runCases('postgres', async (scope) => {
  const { url, drop } = await createTestDatabase('kv');
  scope.onClose(drop);
  return {
    async open() {
      const options = { url, tablePrefix: `kv${++counter}_`, poolSize: 4 };
      return { store: createPostgresStore(options), more: async () => createPostgresStore(options) };
    },
  };
});

runCases('redis', (scope) => {
  const runPrefix = `prism-test:kv:${runId}:`;
  scope.onClose(() => deleteRedisKeys(runPrefix));
  return {
    async open() {
      const options = { url: REDIS_TEST_URL, keyPrefix: `${runPrefix}${++counter}:` };
      return { store: createRedisStore(options), more: async () => createRedisStore(options) };
    },
  };
});
