/**
 * The change feed as the storages keep it (DESIGN.md §8, "The registry change feed"): every
 * write appends its change(s) in the write's own transaction, so a change is visible iff its
 * write committed, under a durable, gap-free, strictly increasing sequence; only the newest
 * `changeRetention` changes are kept.
 *
 * How the registry's writes become changes (what the storages record, and why):
 * - a registration that adds a version is one SCHEMA_REGISTERED; one that answers with a
 *   version already stored (an idempotent re-register) writes nothing and is no change;
 * - a soft delete of one version is VERSION_DELETED; of a whole subject one SUBJECT_DELETED.
 *   Confluent's own log (`_schemas`) records the subject delete as one DELETE_SUBJECT record
 *   beside the per-version updates; the feed keeps the one record a consumer acts on;
 * - a permanent delete of versions is one VERSION_PERMANENTLY_DELETED per version; of a whole
 *   subject one SUBJECT_PERMANENTLY_DELETED, however many versions it had (Confluent
 *   tombstones each version's key; a consumer of the feed drops the subject, which says the
 *   same in one change). The subject's settings going with it is part of that change;
 * - a config write (compatibility and normalize together) is one CONFIG_CHANGED or
 *   CONFIG_DELETED, a mode write one MODE_CHANGED or MODE_DELETED, at the subject or at the
 *   global scope (subject "").
 */
import type { SchemaType } from '../formats/schema-format.js';

export type ChangeKind =
  | 'SCHEMA_REGISTERED'
  | 'VERSION_DELETED'
  | 'VERSION_PERMANENTLY_DELETED'
  | 'SUBJECT_DELETED'
  | 'SUBJECT_PERMANENTLY_DELETED'
  | 'CONFIG_CHANGED'
  | 'CONFIG_DELETED'
  | 'MODE_CHANGED'
  | 'MODE_DELETED';

/** The kinds a settings write may be. */
export type SettingsChangeKind = Extract<ChangeKind, 'CONFIG_CHANGED' | 'CONFIG_DELETED' | 'MODE_CHANGED' | 'MODE_DELETED'>;

/** A change as a write describes it, before the storage numbers and times it. */
export interface ChangeInput {
  readonly kind: ChangeKind;
  /** The subject; GLOBAL_SCOPE ("") for global config and mode. */
  readonly subject: string;
  readonly version?: number;
  readonly id?: number;
  readonly schemaType?: SchemaType;
}

/** A retained change. */
export interface StoredChange extends ChangeInput {
  /** 1, 2, 3, … in commit order; never reused, never skipped. */
  readonly sequence: number;
  /** When it was committed (epoch milliseconds). */
  readonly time: number;
}

/** One read of the feed: a page of changes and, as of the same read, the retained range. */
export interface ChangePage {
  /** Changes with a sequence above the one asked for, whose subject matches, ascending. */
  readonly changes: readonly StoredChange[];
  /** The oldest retained sequence; undefined when nothing is retained. */
  readonly oldest: number | undefined;
  /** The newest sequence ever assigned (0 when none): every change up to it is in this read. */
  readonly latest: number;
}

/** Default of `changeRetention`: the newest 100,000 changes are kept. */
export const DEFAULT_CHANGE_RETENTION = 100_000;

/**
 * Checks a `changeRetention` value.
 * @throws RangeError unless it is an integer ≥ 1.
 */
export function checkChangeRetention(value: number | undefined): number {
  const retention = value ?? DEFAULT_CHANGE_RETENTION;
  if (!Number.isSafeInteger(retention) || retention < 1) throw new RangeError(`changeRetention must be an integer ≥ 1, not ${value}`);
  return retention;
}

/** The kind of a settings write: of the mode or of the config, setting or removing. */
export function settingsChangeKind(isMode: boolean, removes: boolean): SettingsChangeKind {
  if (isMode) return removes ? 'MODE_DELETED' : 'MODE_CHANGED';
  return removes ? 'CONFIG_DELETED' : 'CONFIG_CHANGED';
}

/** Whether `subject` passes a feed's prefix filter (a plain prefix; "" passes everything). */
export const subjectHasPrefix = (subject: string, prefix: string): boolean => subject.startsWith(prefix);

/**
 * The in-process side of waking watchers: the storages call `notify` after a write with
 * changes has committed, and every subscriber's callback runs.
 */
export interface ChangeSignal {
  subscribe(listener: () => void): () => void;
  notify(): void;
  /** How many subscribers there are (to start or stop a shared listener). */
  readonly size: number;
}

/** Creates an empty ChangeSignal. */
export function createChangeSignal(): ChangeSignal {
  const listeners = new Set<() => void>();
  return {
    subscribe(listener) {
      // A wrapper per subscription, so the same function subscribed twice is two subscriptions.
      const entry = () => listener();
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    notify() {
      for (const listener of [...listeners]) listener();
    },
    get size() {
      return listeners.size;
    },
  };
}
