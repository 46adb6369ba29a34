/**
 * The one interface every keyvalue store implements (memory, SQLite, PostgreSQL, Redis), held
 * to one conformance suite (test/patterns/keyvalue/conformance.test.ts).
 *
 * Stores deal in checked values: the service (keyvalue-service.ts) has already refused empty or
 * oversized keys and values, so a store only stores, orders and reports.
 */

/** MEMO-006 thin interfaces a keyvalue store can implement; `keyvalue_basic` is always there. */
export const KEYVALUE_INTERFACES = ['keyvalue_basic', 'keyvalue_ttl', 'keyvalue_scan', 'keyvalue_watch'] as const;
export type KeyValueInterface = (typeof KEYVALUE_INTERFACES)[number];

export interface StoredEntry {
  readonly key: Buffer;
  readonly value: Buffer;
  readonly contentType: string;
  /** Positive; see keyvalue.proto "Versions". */
  readonly version: number;
  /** Milliseconds since the epoch, or undefined when the entry does not expire. */
  readonly expiresAt: number | undefined;
}

/** What Scan lists of an entry: everything but the value, whose length it gives. */
export interface ScannedEntry {
  readonly key: Buffer;
  readonly version: number;
  readonly size: number;
  readonly contentType: string;
  readonly expiresAt: number | undefined;
}

export interface SetInput {
  readonly key: Buffer;
  readonly value: Buffer;
  readonly contentType: string;
  /** > 0: expires this many milliseconds after the write; undefined: never. */
  readonly ttlMs?: number;
  /** When given, write only if the key's current version is this (0: only if absent). */
  readonly expectedVersion?: number;
}

/**
 * A conditional write's outcome: written, or refused because the key's version (0 when absent)
 * was not the expected one.
 */
export type SetOutcome =
  | { readonly status: 'written'; readonly version: number; readonly created: boolean; readonly expiresAt: number | undefined }
  | { readonly status: 'mismatch'; readonly current: number };

export type DeleteOutcome =
  | { readonly status: 'deleted'; readonly version: number }
  | { readonly status: 'absent' }
  | { readonly status: 'mismatch'; readonly current: number };

/** One change, as Watch reports it. */
export interface StoreChange {
  readonly kind: 'PUT' | 'DELETE';
  readonly key: Buffer;
  /** PUT: the key's new version; DELETE: the version the deletion took. */
  readonly version: number;
  /** PUT only (empty for DELETE). */
  readonly value: Buffer;
  readonly contentType: string;
}

export interface WatchSubscription {
  /** Stops delivery; no call of the listener follows. */
  close(): void;
}

export interface WatchListener {
  /** Called once per change under the prefix, in version order, never concurrently. */
  change(change: StoreChange): void;
  /** The watch cannot go on (e.g. the store's change log moved past it); no call follows. */
  failed(err: unknown): void;
}

export interface KeyValueStore {
  /** The interfaces this store implements (the binder may bind fewer). */
  readonly interfaces: readonly KeyValueInterface[];
  get(key: Buffer): Promise<StoredEntry | undefined>;
  set(input: SetInput): Promise<SetOutcome>;
  delete(key: Buffer, expectedVersion?: number): Promise<DeleteOutcome>;
  /**
   * Up to `limit` live entries whose key starts with `prefix` and sorts after `after` (when
   * given), in bytewise key order.
   */
  scan(prefix: Buffer, after: Buffer | undefined, limit: number): Promise<ScannedEntry[]>;
  /**
   * Starts delivering the changes under `prefix` made from now on. Resolves once every write
   * that completes afterwards is sure to be delivered. Absent on stores without keyvalue_watch.
   */
  watch?(prefix: Buffer, listener: WatchListener): Promise<WatchSubscription>;
  /** Checks that the store answers (a health check before a slot serves). */
  ping(): Promise<void>;
  /** Ends open watches and releases connections and files. */
  close(): Promise<void>;
}

/** True when `key` starts with `prefix` (bytewise). */
export function hasPrefix(key: Buffer, prefix: Buffer): boolean {
  return key.length >= prefix.length && key.subarray(0, prefix.length).equals(prefix);
}
