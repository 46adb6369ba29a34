/**
 * The MEMSTORE backend: everything in process memory, gone on exit. For tests and for
 * throw-away registries; it follows exactly the same contract as the durable backends.
 */
import {
  SETTING_KINDS,
  StorageConflictError,
  type InsertVersionInput,
  type RegistryStorage,
  type SettingKind,
  type SettingValues,
  type StoredSchema,
  type StoredVersion,
} from './registry-storage.js';
import { compareStrings } from './compare-strings.js';
import { checkChangeRetention, createChangeSignal, settingsChangeKind, subjectHasPrefix, type ChangeInput, type SettingsChangeKind, type StoredChange } from './registry-change.js';

interface MutableVersion {
  id: number;
  deleted: boolean;
}

export interface MemoryStorageOptions {
  /** How many of the newest changes the feed keeps (default 100,000). */
  readonly changeRetention?: number;
}

/**
 * Creates an empty in-memory storage.
 * @throws RangeError when `changeRetention` is not an integer ≥ 1.
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): RegistryStorage {
  const retention = checkChangeRetention(options.changeRetention);
  // Ascending and gap-free: the change with sequence n is at index n - changes[0].sequence.
  let changes: StoredChange[] = [];
  let latest = 0;
  const signal = createChangeSignal();
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

  /** Appends changes (the last step of a write, so a failed write records none) and wakes watchers. */
  function record(inputs: readonly ChangeInput[]): void {
    if (inputs.length === 0) return;
    const time = Date.now();
    for (const input of inputs) changes.push({ ...input, sequence: ++latest, time });
    // Trimmed in batches: splicing the front of a long array on every write would be linear.
    if (changes.length >= retention + Math.max(1, Math.min(retention, 1024))) changes = changes.slice(changes.length - retention);
    signal.notify();
  }

  function putSettings(scope: string, values: SettingValues, change: SettingsChangeKind): void {
    for (const [kind, value] of Object.entries(values)) {
      if (value === null || value === undefined) settings.delete(settingKey(kind as SettingKind, scope));
      else settings.set(settingKey(kind as SettingKind, scope), value);
    }
    record([{ kind: change, subject: scope }]);
  }

  function retained(): StoredChange[] {
    return changes.length > retention ? changes.slice(changes.length - retention) : changes;
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
        schemas.set(id, {
          id,
          schemaType: input.schemaType,
          schema: input.schema,
          references: [...input.references],
          hash: input.hash,
          ...(input.metadata ? { metadata: input.metadata } : {}),
          ...(input.ruleSet ? { ruleSet: input.ruleSet } : {}),
        });
      }
      for (const [n, v] of entries) if (v.deleted && v.id === id && n < version) entries.delete(n);
      entries.set(version, { id, deleted: false });
      subjects.set(input.subject, entries);
      maxId = Math.max(maxId, id);
      record([{ kind: 'SCHEMA_REGISTERED', subject: input.subject, version, id, schemaType: input.schemaType }]);
      return { id, version };
    },
    async softDeleteVersions(subject, versions, scope = 'versions') {
      const entries = subjects.get(subject);
      if (!entries) return;
      const deleted: ChangeInput[] = [];
      for (const n of versions) {
        const v = entries.get(n);
        if (v && !v.deleted) {
          v.deleted = true;
          deleted.push({ kind: 'VERSION_DELETED', subject, version: n, id: v.id });
        }
      }
      record(scope === 'subject' && deleted.length > 0 ? [{ kind: 'SUBJECT_DELETED', subject }] : deleted);
    },
    async hardDeleteVersions(subject, versions, scope = 'versions') {
      const entries = subjects.get(subject);
      if (!entries) return;
      const touched = new Set<number>();
      const removed: ChangeInput[] = [];
      for (const n of versions) {
        const v = entries.get(n);
        if (v) {
          touched.add(v.id);
          entries.delete(n);
          removed.push({ kind: 'VERSION_PERMANENTLY_DELETED', subject, version: n, id: v.id });
        }
      }
      if (entries.size === 0) {
        subjects.delete(subject);
        for (const kind of SETTING_KINDS) settings.delete(settingKey(kind, subject));
      }
      dropUnusedSchemas(touched);
      record(scope === 'subject' && removed.length > 0 ? [{ kind: 'SUBJECT_PERMANENTLY_DELETED', subject }] : removed);
    },
    async putSetting(kind, scope, value) {
      putSettings(scope, { [kind]: value ?? null }, settingsChangeKind(kind === 'mode', value === undefined));
    },
    async putSettings(scope, values, change) {
      putSettings(scope, values, change);
    },
    async changesAfter(after, prefix, limit) {
      const kept = retained();
      const first = kept[0]?.sequence ?? latest + 1;
      const page: StoredChange[] = [];
      for (let i = Math.max(0, after + 1 - first); i < kept.length && page.length < limit; i++) {
        if (subjectHasPrefix(kept[i].subject, prefix)) page.push(kept[i]);
      }
      return { changes: page, oldest: kept[0]?.sequence, latest };
    },
    async subscribeChanges(listener) {
      return signal.subscribe(listener);
    },
    async close() {},
  };
}
