/**
 * An in-process read cache in front of any storage, for the registry's hot reads: a schema
 * by id (every consumer's deserializer asks for it), the versions of a subject (`latest`,
 * lookups, the register shortcut) and the settings every write and lookup consults.
 *
 * Coherence: every write goes through this wrapper and drops the entries it can change
 * *after* the inner write has committed, so a read that follows an acknowledged write
 * always sees it. A schema row only changes by disappearing (hard delete of its last
 * use), so hard deletes clear the schema entries; the other writes only touch one
 * subject's versions. Only valid while this process is the store's only writer.
 */
import type { RegistryStorage, StoredSchema, StoredVersion } from './registry-storage.js';

export interface CachedStorageOptions {
  /** Most schemas kept by id; the oldest entry is dropped first. */
  readonly maxSchemas?: number;
  /** Most subjects whose version lists are kept. */
  readonly maxSubjects?: number;
}

function boundedSet<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (map.size >= max) map.delete(map.keys().next().value as K);
  map.set(key, value);
}

/** Wraps `inner` with a coherent read cache; `close` closes `inner`. */
export function createCachedStorage(inner: RegistryStorage, options: CachedStorageOptions = {}): RegistryStorage {
  const maxSchemas = options.maxSchemas ?? 10_000;
  const maxSubjects = options.maxSubjects ?? 10_000;
  const schemas = new Map<number, StoredSchema>();
  const versions = new Map<string, readonly StoredVersion[]>();
  // kind + scope → value; `null` records "not set" (asked about for any subject name, so bounded).
  const settings = new Map<string, string | null>();
  const settingKey = (kind: string, scope: string) => `${kind}\u0000${scope}`;
  // Bumped by every write: a read that overlapped a write must not store what it read,
  // since it may predate the write.
  let generation = 0;

  return {
    // Hot path: answered from memory when possible.
    async getSchema(id) {
      const hit = schemas.get(id);
      if (hit) return hit;
      const before = generation;
      const found = await inner.getSchema(id);
      if (found && before === generation) boundedSet(schemas, id, found, maxSchemas);
      return found;
    },
    async listVersions(subject) {
      const hit = versions.get(subject);
      if (hit) return [...hit];
      const before = generation;
      const found = await inner.listVersions(subject);
      if (before === generation) boundedSet(versions, subject, Object.freeze([...found]), maxSubjects);
      return found;
    },
    async getSetting(kind, scope) {
      const key = settingKey(kind, scope);
      const hit = settings.get(key);
      if (hit !== undefined) return hit ?? undefined;
      const before = generation;
      const found = await inner.getSetting(kind, scope);
      if (before === generation) boundedSet(settings, key, found ?? null, maxSubjects);
      return found;
    },
    findSchemaIds: (hash) => inner.findSchemaIds(hash),
    listAllVersions: () => inner.listAllVersions(),
    listVersionsOfSchema: (id) => inner.listVersionsOfSchema(id),
    listReferrers: (subject, version) => inner.listReferrers(subject, version),
    maxId: () => inner.maxId(),
    async insertVersion(input) {
      generation++;
      try {
        return await inner.insertVersion(input);
      } finally {
        generation++;
        versions.delete(input.subject);
      }
    },
    async softDeleteVersions(subject, list) {
      generation++;
      try {
        await inner.softDeleteVersions(subject, list);
      } finally {
        generation++;
        versions.delete(subject);
      }
    },
    async hardDeleteVersions(subject, list) {
      generation++;
      try {
        await inner.hardDeleteVersions(subject, list);
      } finally {
        generation++;
        versions.delete(subject);
        schemas.clear();
        // The subject's own settings go when its last version does.
        for (const kind of ['compatibility', 'normalize', 'mode']) settings.delete(settingKey(kind, subject));
      }
    },
    async putSetting(kind, scope, value) {
      generation++;
      try {
        await inner.putSetting(kind, scope, value);
      } finally {
        generation++;
        settings.delete(settingKey(kind, scope));
      }
    },
    close: () => inner.close(),
  };
}
