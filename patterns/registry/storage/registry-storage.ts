/**
 * The storage slot of the registry pattern: one interface, several backends (memory,
 * SQLite, PostgreSQL), all held to the same conformance suite
 * (test/patterns/registry/storage/storage-conformance.ts).
 *
 * The registry decides *what* to write (it runs every Confluent check first, with its
 * writes serialised); the storage makes each write atomic and assigns ids and versions
 * inside the write's own transaction, so a number is never handed out twice and nothing is
 * acknowledged before it is committed. Every method returns a Promise so that a networked
 * backend fits the same shape.
 */
import type { SchemaMetadata, SchemaRuleSet } from '../contract/data-contract.js';
import type { SchemaReference, SchemaType } from '../formats/schema-format.js';
import type { ChangePage, SettingsChangeKind } from './registry-change.js';

/** A schema as stored under its global id (shared by every subject-version that uses it). */
export interface StoredSchema {
  readonly id: number;
  readonly schemaType: SchemaType;
  /** Canonical (or normalised) text. */
  readonly schema: string;
  /** References with concrete versions. */
  readonly references: readonly SchemaReference[];
  /** Identity key: canonical text + references + data contract (confluent-sr-api.md §3.2, confluent-data-contracts.md §3.1). */
  readonly hash: string;
  /** Data contract (confluent-data-contracts.md §1.1); absent when the schema has none. */
  readonly metadata?: SchemaMetadata;
  readonly ruleSet?: SchemaRuleSet;
}

/** One stored subject-version. Hard-deleted versions are gone; soft-deleted ones are flagged. */
export interface StoredVersion {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly deleted: boolean;
}

/** The scope of a config or mode setting: a subject, or GLOBAL_SCOPE. */
export const GLOBAL_SCOPE = '';

/**
 * `normalize`, `validateFields` and `validateRules` are stored as "true" or "false"; the
 * default/override metadata and rule sets as their JSON (confluent-data-contracts.md §3.7).
 */
export type SettingKind =
  | 'compatibility'
  | 'normalize'
  | 'mode'
  | 'alias'
  | 'validateFields'
  | 'validateRules'
  | 'compatibilityGroup'
  | 'defaultMetadata'
  | 'overrideMetadata'
  | 'defaultRuleSet'
  | 'overrideRuleSet';

/** Every setting kind, e.g. to forget a subject's settings. */
export const SETTING_KINDS: readonly SettingKind[] = [
  'compatibility',
  'normalize',
  'mode',
  'alias',
  'validateFields',
  'validateRules',
  'compatibilityGroup',
  'defaultMetadata',
  'overrideMetadata',
  'defaultRuleSet',
  'overrideRuleSet',
];

export interface InsertVersionInput {
  readonly subject: string;
  readonly schemaType: SchemaType;
  readonly schema: string;
  readonly references: readonly SchemaReference[];
  readonly hash: string;
  /** Stored with a new schema (the hash covers them, so a reused id already has them). */
  readonly metadata?: SchemaMetadata;
  readonly ruleSet?: SchemaRuleSet;
  /**
   * IMPORT mode: use this id. Otherwise the id of a stored schema with the same hash is
   * reused, or a new one is assigned as `max(id ever assigned) + 1`.
   */
  readonly id?: number;
  /** Explicit version; otherwise `max(stored version of the subject) + 1` (or 1). */
  readonly version?: number;
}

/**
 * What a delete removes, for the change feed: named versions (one change per version), or
 * the whole subject (one change; registry-change.ts).
 */
export type DeleteScope = 'versions' | 'subject';

/** Values of a settings write: a string sets the kind, null removes it, absent leaves it. */
export type SettingValues = Partial<Record<SettingKind, string | null>>;

/** Thrown by a storage write whose precondition no longer holds (e.g. an id bound to another schema). */
export class StorageConflictError extends Error {
  override readonly name = 'StorageConflictError';
}

export interface RegistryStorage {
  /** The schema stored under `id`, whether or not its versions are soft-deleted. */
  getSchema(id: number): Promise<StoredSchema | undefined>;
  /** Ids of stored schemas with this identity hash, ascending (several only after IMPORT). */
  findSchemaIds(hash: string): Promise<number[]>;
  /**
   * Every stored version of a subject (live and soft-deleted), ascending by version.
   * Read-only: a cache may hand the same array to every caller.
   */
  listVersions(subject: string): Promise<readonly StoredVersion[]>;
  /** Every stored version of every subject, ordered by subject then version. */
  listAllVersions(): Promise<StoredVersion[]>;
  /** Every stored version that uses schema `id`, ordered by subject then version. */
  listVersionsOfSchema(id: number): Promise<StoredVersion[]>;
  /** Ids of stored schemas whose references name `subject`/`version`, ascending. */
  listReferrers(subject: string, version: number): Promise<number[]>;
  /** The highest id ever assigned (0 when none); never decreases, survives restarts. */
  maxId(): Promise<number>;
  /** A setting stored at `scope` (GLOBAL_SCOPE or a subject), if any. */
  getSetting(kind: SettingKind, scope: string): Promise<string | undefined>;

  /**
   * Adds a version to a subject in one transaction: reuses or assigns the id, assigns the
   * version, stores the schema if new, hard-deletes an older soft-deleted version of the
   * same subject that has the same id (Confluent's register path, confluent-sr-api.md §3.4),
   * and records SCHEMA_REGISTERED. Resolves only after the transaction has committed.
   * @throws StorageConflictError when `id` is given and bound to a schema with another hash,
   *   or `version` is given and already stored for the subject.
   */
  insertVersion(input: InsertVersionInput): Promise<{ id: number; version: number }>;
  /**
   * Marks versions soft-deleted, in one transaction. Unknown versions are ignored.
   * `scope` (default `versions`) says which change is recorded (registry-change.ts).
   */
  softDeleteVersions(subject: string, versions: readonly number[], scope?: DeleteScope): Promise<void>;
  /**
   * Removes versions for good, in one transaction; a schema no version uses any more is
   * removed with them (so its id is never found again and re-registering the same text
   * yields a new id), and when the subject has no stored version left its subject-level
   * settings go too (the 7.9.3+ rule, confluent-sr-api.md §3.8).
   */
  hardDeleteVersions(subject: string, versions: readonly number[], scope?: DeleteScope): Promise<void>;
  /**
   * Stores (or with `undefined` removes) a setting: one change, CONFIG_* for compatibility and
   * normalize, MODE_* for mode (…_DELETED when removing).
   */
  putSetting(kind: SettingKind, scope: string, value: string | undefined): Promise<void>;
  /** Stores and removes several settings of one scope in one transaction, recorded as one `change`. */
  putSettings(scope: string, values: SettingValues, change: SettingsChangeKind): Promise<void>;

  /**
   * The change feed (registry-change.ts): at most `limit` retained changes with a sequence
   * above `after` whose subject starts with `prefix`, ascending, with the retained range as
   * of the same read (`limit` 0 reads only the range).
   */
  changesAfter(after: number, prefix: string, limit: number): Promise<ChangePage>;
  /**
   * Calls `listener` whenever changes may have been committed: after this process's writes
   * and, for a storage shared by several processes, after theirs. Resolves, with a function
   * that stops, once changes committed from then on will be signalled (a lost connection is
   * signalled too, since changes may have been missed; the feed itself is durable).
   */
  subscribeChanges(listener: () => void): Promise<() => void>;
  /** Releases files and connections. */
  close(): Promise<void>;
}
