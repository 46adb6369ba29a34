/**
 * The MEMSTORE backend: everything in process memory, gone on exit. For tests and for
 * throw-away registries; it follows exactly the same contract as the durable backends.
 */
import {
  StorageConflictError,
  type InsertVersionInput,
  type RegistryStorage,
  type SettingKind,
  type StoredSchema,
  type StoredVersion,
} from './registry-storage.js';
import { compareStrings } from './compare-strings.js';

interface MutableVersion {
  id: number;
  deleted: boolean;
}

/** Creates an empty in-memory storage. */
export function createMemoryStorage(): RegistryStorage {
  const schemas = new Map<number, StoredSchema>();
  // subject → version → entry
  const subjects = new Map<string, Map<number, MutableVersion>>();
  const settings = new Map<string, string>();
  let maxId = 0;

  const settingKey = (kind: SettingKind, scope: string) => `${kind}\u0000${scope}`;

  function versionsOf(subject: string): StoredVersion[] {
    const entries = subjects.get(subject);
    if (!entries) return [];
    return [...entries.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([version, v]) => ({ subject, version, id: v.id, deleted: v.deleted }));
  }

  function allVersions(): StoredVersion[] {
    return [...subjects.keys()].sort(compareStrings).flatMap(versionsOf);
  }

  function dropUnusedSchemas(ids: Iterable<number>): void {
    for (const id of ids) {
      const used = [...subjects.values()].some((entries) => [...entries.values()].some((v) => v.id === id));
      if (!used) schemas.delete(id);
    }
  }

  return {
    async getSchema(id) {
      return schemas.get(id);
    },
    async findSchemaIds(hash) {
      return [...schemas.values()].filter((s) => s.hash === hash).map((s) => s.id).sort((a, b) => a - b);
    },
    async listVersions(subject) {
      return versionsOf(subject);
    },
    async listAllVersions() {
      return allVersions();
    },
    async listVersionsOfSchema(id) {
      return allVersions().filter((v) => v.id === id);
    },
    async listReferrers(subject, version) {
      return [...schemas.values()]
        .filter((s) => s.references.some((r) => r.subject === subject && r.version === version))
        .map((s) => s.id)
        .sort((a, b) => a - b);
    },
    async maxId() {
      return maxId;
    },
    async getSetting(kind, scope) {
      return settings.get(settingKey(kind, scope));
    },

    async insertVersion(input: InsertVersionInput) {
      // Compute everything first and mutate last, so a conflict leaves no trace (the
      // in-memory equivalent of a rolled-back transaction).
      let id: number;
      if (input.id !== undefined) {
        const bound = schemas.get(input.id);
        if (bound && bound.hash !== input.hash) throw new StorageConflictError(`id ${input.id} is bound to another schema`);
        id = input.id;
      } else {
        const existing = [...schemas.values()].filter((s) => s.hash === input.hash).map((s) => s.id);
        id = existing.length > 0 ? Math.min(...existing) : maxId + 1;
      }
      const entries = subjects.get(input.subject) ?? new Map<number, MutableVersion>();
      let version: number;
      if (input.version !== undefined) {
        if (entries.has(input.version)) throw new StorageConflictError(`version ${input.version} of '${input.subject}' exists`);
        version = input.version;
      } else {
        version = entries.size === 0 ? 1 : Math.max(...entries.keys()) + 1;
      }
      if (!schemas.has(id)) {
        schemas.set(id, { id, schemaType: input.schemaType, schema: input.schema, references: [...input.references], hash: input.hash });
      }
      for (const [n, v] of entries) if (v.deleted && v.id === id && n < version) entries.delete(n);
      entries.set(version, { id, deleted: false });
      subjects.set(input.subject, entries);
      maxId = Math.max(maxId, id);
      return { id, version };
    },
    async softDeleteVersions(subject, versions) {
      const entries = subjects.get(subject);
      if (!entries) return;
      for (const n of versions) {
        const v = entries.get(n);
        if (v) v.deleted = true;
      }
    },
    async hardDeleteVersions(subject, versions) {
      const entries = subjects.get(subject);
      if (!entries) return;
      const touched = new Set<number>();
      for (const n of versions) {
        const v = entries.get(n);
        if (v) {
          touched.add(v.id);
          entries.delete(n);
        }
      }
      if (entries.size === 0) {
        subjects.delete(subject);
        for (const kind of ['compatibility', 'normalize', 'mode'] as const) settings.delete(settingKey(kind, subject));
      }
      dropUnusedSchemas(touched);
    },
    async putSetting(kind, scope, value) {
      if (value === undefined) settings.delete(settingKey(kind, scope));
      else settings.set(settingKey(kind, scope), value);
    },
    async close() {},
  };
}
