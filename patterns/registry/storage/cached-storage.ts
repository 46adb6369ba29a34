/**
 * An in-process read cache in front of any storage, for the registry's hot reads: a schema
 * by id (every consumer's deserializer asks for it), the versions of a subject (`latest`,
 * lookups, the register shortcut) and the settings every write and lookup consults.
 *
 * Coherence: every write goes through this wrapper and drops the entries it can change
 * *after* the inner write has committed, so a read that follows an acknowledged write
 * always sees it. A schema row only changes by disappearing (hard delete of its last
 * use), so hard deletes clear the schema entries; the other writes only touch one
 * subject's versions. On its own that is only valid while this process is the store's only
 * writer; a storage shared by several processes offers `watch` (see WatchableStorage), and
 * the cache then also drops what other writers changed, and caches nothing while it cannot
 * hear about their changes.
 *
 * Bounds: each of the three caches (schemas, version lists, settings) is an lru-cache bounded
 * in entries and in estimated bytes; the least recently used entry goes first, so the hot
 * schemas stay however many cold ones pass through, and one very large entry can take no more
 * than its byte budget (an entry larger than the whole budget is not cached at all).
 */
import { LRUCache } from 'lru-cache';
import { SETTING_KINDS, type RegistryStorage, type SettingKind, type StoredSchema, type StoredVersion } from './registry-storage.js';

/** A committed change, as a storage shared by several writers reports it. */
export type StorageChange =
  /** The versions of `subject` changed (insert or soft delete). */
  | { readonly type: 'versions'; readonly subject: string }
  /** Versions of `subject` were hard-deleted: schemas may be gone, and the subject's settings. */
  | { readonly type: 'hard-delete'; readonly subject: string }
  | { readonly type: 'setting'; readonly kind: SettingKind; readonly scope: string }
  /** Changes may have been missed (connection lost): nothing cached can be trusted. */
  | { readonly type: 'lost' }
  /** Changes are heard again after a `lost`. */
  | { readonly type: 'resumed' }
  /** Anything may have changed. */
  | { readonly type: 'all' };

/** A storage that reports changes committed by any writer, this process included. */
export interface WatchableStorage extends RegistryStorage {
  /**
   * Starts reporting changes; resolves, with a function that stops, once every change
   * committed from then on will be reported (or `lost` said first).
   */
  watch(onChange: (change: StorageChange) => void): Promise<() => Promise<void>>;
}

const isWatchable = (s: RegistryStorage): s is WatchableStorage => typeof (s as Partial<WatchableStorage>).watch === 'function';

export interface CachedStorageOptions {
  /** Most schemas kept by id (default 10,000); the least recently used is dropped first. */
  readonly maxSchemas?: number;
  /**
   * Estimated bytes of the schemas kept by id (default 64 MiB: a schema costs its text,
   * hash and references, one byte a character, plus a fixed overhead); a schema larger
   * than this is read through, never kept.
   */
  readonly maxSchemaCacheBytes?: number;
  /** Most subjects whose version lists are kept, and most settings kept (default 10,000 each). */
  readonly maxSubjects?: number;
  /**
   * Estimated bytes of the version lists kept, and again of the settings kept (default
   * 16 MiB each): subject names have no length limit, and a subject may have any number of
   * versions.
   */
  readonly maxSubjectCacheBytes?: number;
}

const DEFAULT_MAX_ENTRIES = 10_000;
const DEFAULT_MAX_SCHEMA_CACHE_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_SUBJECT_CACHE_BYTES = 16 * 1024 * 1024;
/** What an entry costs beside its strings: the objects holding them, the cache's bookkeeping. */
const ENTRY_OVERHEAD_BYTES = 128;
/** What one version of a cached list costs (the subject string is shared by the list). */
const VERSION_BYTES = 48;

// Estimates count one byte a character: `length` is free, where encoding a large schema to
// count its UTF-8 bytes on every store is not.
const schemaBytes = (s: StoredSchema): number => {
  let bytes = ENTRY_OVERHEAD_BYTES + s.schema.length + s.hash.length;
  for (const ref of s.references) bytes += ENTRY_OVERHEAD_BYTES + ref.name.length + ref.subject.length;
  return bytes;
};
const versionListBytes = (list: readonly StoredVersion[], subject: string): number => ENTRY_OVERHEAD_BYTES + subject.length + list.length * VERSION_BYTES;

/** What the settings cache keeps for a setting that is not set (lru-cache keeps no null). */
const NOT_SET: unique symbol = Symbol('not set');
type CachedSetting = string | typeof NOT_SET;
const settingBytes = (value: CachedSetting, key: string): number => ENTRY_OVERHEAD_BYTES + key.length + (value === NOT_SET ? 0 : value.length);

/**
 * An LRU cache of at most `maxEntries` entries and `maxBytes` estimated bytes. lru-cache
 * allocates its index for `max` entries up front, so `max` is also capped by how many of the
 * smallest entries the byte budget could hold. A bound below 1 keeps one entry, as before.
 */
function createBoundedCache<K extends {}, V extends {}>(maxEntries: number, maxBytes: number, sizeCalculation: (value: V, key: K) => number): LRUCache<K, V> {
  const maxSize = Math.max(1, Math.floor(maxBytes));
  return new LRUCache<K, V>({
    max: Math.max(1, Math.min(Math.floor(maxEntries), Math.floor(maxSize / ENTRY_OVERHEAD_BYTES))),
    maxSize,
    sizeCalculation,
  });
}

/**
 * A subject's versions after an insert, as every storage applies it: the new version in
 * order, and an older soft-deleted version with the same id gone (registry-storage.ts).
 */
function withInserted(list: readonly StoredVersion[], subject: string, added: { id: number; version: number }): readonly StoredVersion[] {
  const entry: StoredVersion = { subject, version: added.version, id: added.id, deleted: false };
  const replaces = list.some((v) => v.deleted && v.id === added.id);
  // The usual case, a new newest version, is one copy of the list.
  if (!replaces && (list.length === 0 || list[list.length - 1].version < added.version)) return [...list, entry];
  const kept = list.filter((v) => !(v.deleted && v.id === added.id && v.version < added.version));
  const at = kept.findIndex((v) => v.version > added.version);
  kept.splice(at < 0 ? kept.length : at, 0, entry);
  return kept;
}

/** A subject's versions after a soft delete (unknown versions are ignored, as by the storages). */
function withSoftDeleted(list: readonly StoredVersion[], deleted: readonly number[]): readonly StoredVersion[] {
  const set = new Set(deleted);
  return list.map((v) => (set.has(v.version) && !v.deleted ? { ...v, deleted: true } : v));
}

/**
 * Wraps `inner` with a coherent read cache; `close` closes `inner`.
 * @throws TypeError when a bound in `options` is not a number.
 */
export function createCachedStorage(inner: RegistryStorage, options: CachedStorageOptions = {}): RegistryStorage {
  const maxSchemas = options.maxSchemas ?? DEFAULT_MAX_ENTRIES;
  const maxSubjects = options.maxSubjects ?? DEFAULT_MAX_ENTRIES;
  const maxSubjectBytes = options.maxSubjectCacheBytes ?? DEFAULT_MAX_SUBJECT_CACHE_BYTES;
  const schemas = createBoundedCache<number, StoredSchema>(maxSchemas, options.maxSchemaCacheBytes ?? DEFAULT_MAX_SCHEMA_CACHE_BYTES, schemaBytes);
  const versions = createBoundedCache<string, readonly StoredVersion[]>(maxSubjects, maxSubjectBytes, versionListBytes);
  // kind + scope → value; NOT_SET records "not set" (asked about for any subject name, so bounded).
  const settings = createBoundedCache<string, CachedSetting>(maxSubjects, maxSubjectBytes, settingBytes);
  const settingKey = (kind: string, scope: string) => `${kind}\u0000${scope}`;
  // Bumped by every write: a read that overlapped a write must not store what it read,
  // since it may predate the write.
  let generation = 0;
  // Whether what is cached can be trusted: always for a storage with one writer; for a
  // watchable one only while its changes are heard.
  let coherent = !isWatchable(inner);
  let stopWatching: Promise<(() => Promise<void>) | undefined> = Promise.resolve(undefined);
  const clear = () => {
    generation++;
    schemas.clear();
    versions.clear();
    settings.clear();
  };
  if (isWatchable(inner)) {
    stopWatching = inner
      .watch((change) => {
        generation++;
        switch (change.type) {
          case 'versions':
            versions.delete(change.subject);
            break;
          case 'hard-delete':
            versions.delete(change.subject);
            schemas.clear();
            for (const kind of SETTING_KINDS) settings.delete(settingKey(kind, change.subject));
            break;
          case 'setting':
            settings.delete(settingKey(change.kind, change.scope));
            break;
          case 'lost':
            coherent = false;
            clear();
            break;
          case 'resumed':
            clear();
            coherent = true;
            break;
          case 'all':
            clear();
            break;
        }
      })
      .then(
        (stop) => {
          clear();
          coherent = true;
          return stop;
        },
        () => undefined,
      );
  }
  /** Whether a read that started at generation `before` may be stored. */
  const storable = (before: number) => coherent && before === generation;

  return {
    // Hot path: answered from memory when possible.
    async getSchema(id) {
      const hit = schemas.get(id);
      if (hit) return hit;
      const before = generation;
      const found = await inner.getSchema(id);
      if (found && storable(before)) schemas.set(id, found);
      return found;
    },
    async listVersions(subject) {
      const hit = versions.get(subject);
      if (hit) return hit;
      const before = generation;
      const found = await inner.listVersions(subject);
      if (storable(before)) versions.set(subject, found);
      return found;
    },
    async getSetting(kind, scope) {
      const key = settingKey(kind, scope);
      const hit = settings.get(key);
      if (hit !== undefined) return hit === NOT_SET ? undefined : hit;
      const before = generation;
      const found = await inner.getSetting(kind, scope);
      if (storable(before)) settings.set(key, found ?? NOT_SET);
      return found;
    },
    findSchemaIds: (hash) => inner.findSchemaIds(hash),
    listAllVersions: () => inner.listAllVersions(),
    listVersionsOfSchema: (id) => inner.listVersionsOfSchema(id),
    listReferrers: (subject, version) => inner.listReferrers(subject, version),
    maxId: () => inner.maxId(),
    async insertVersion(input) {
      // Hot path of a growing subject: rather than reread its whole list on the next
      // registration, apply the committed insert to the list cached before the write, but
      // only when nothing else happened meanwhile: no other write, no change heard from
      // another writer, and no read that stored a newer list (which may hold the insert).
      const cached = versions.get(input.subject);
      const before = ++generation;
      let added: { id: number; version: number } | undefined;
      try {
        added = await inner.insertVersion(input);
        return added;
      } finally {
        if (added && cached && storable(before) && versions.peek(input.subject) === cached) versions.set(input.subject, withInserted(cached, input.subject, added));
        else versions.delete(input.subject);
        generation++;
      }
    },
    async softDeleteVersions(subject, list, scope) {
      const cached = versions.get(subject);
      const before = ++generation;
      let done = false;
      try {
        await inner.softDeleteVersions(subject, list, scope);
        done = true;
      } finally {
        if (done && cached && storable(before) && versions.peek(subject) === cached) versions.set(subject, withSoftDeleted(cached, list));
        else versions.delete(subject);
        generation++;
      }
    },
    async hardDeleteVersions(subject, list, scope) {
      generation++;
      try {
        await inner.hardDeleteVersions(subject, list, scope);
      } finally {
        generation++;
        versions.delete(subject);
        schemas.clear();
        // The subject's own settings go when its last version does.
        for (const kind of SETTING_KINDS) settings.delete(settingKey(kind, subject));
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
    async putSettings(scope, values, change) {
      generation++;
      try {
        await inner.putSettings(scope, values, change);
      } finally {
        generation++;
        for (const kind of Object.keys(values)) settings.delete(settingKey(kind, scope));
      }
    },
    // The change feed passes through untouched: it is read in order from the store, and a
    // cached page could hide a change committed meanwhile (by another replica, too).
    changesAfter: (after, prefix, limit) => inner.changesAfter(after, prefix, limit),
    subscribeChanges: (listener) => inner.subscribeChanges(listener),
    async close() {
      // The inner storage ends its own watches, which settles a watch still connecting.
      await inner.close();
      const stop = await stopWatching;
      await stop?.();
    },
  };
}
