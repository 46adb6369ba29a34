/** The storage conformance suite, run against every backend, bare and behind the read cache. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { createCachedStorage } from '../../../../patterns/registry/storage/cached-storage.js';
import { createMemoryStorage } from '../../../../patterns/registry/storage/memory-storage.js';
import { createSqliteStorage } from '../../../../patterns/registry/storage/sqlite-storage.js';
import type { RegistryStorage } from '../../../../patterns/registry/storage/registry-storage.js';
import { runStorageConformance } from './storage-conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'registry-storage-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const paths = new WeakMap<RegistryStorage, string>();
function sqlite(cached: boolean) {
  const open = (path: string) => {
    const bare = createSqliteStorage({ path });
    const storage = cached ? createCachedStorage(bare) : bare;
    paths.set(storage, path);
    return storage;
  };
  return {
    async create() {
      return open(join(dir, `store-${++n}.db`));
    },
    async reopen(storage: RegistryStorage) {
      const path = paths.get(storage)!;
      await storage.close();
      return open(path);
    },
  };
}

runStorageConformance('memory', { create: async () => createMemoryStorage() });
runStorageConformance('memory+cache', { create: async () => createCachedStorage(createMemoryStorage()) });
runStorageConformance('sqlite', sqlite(false));
runStorageConformance('sqlite+cache', sqlite(true));
