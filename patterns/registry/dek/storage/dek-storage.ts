/**
 * What the DEK registry keeps, and the one interface its three stores implement (memory,
 * SQLite, PostgreSQL). The stores only keep rows; every Confluent check lives in
 * dek-service.ts.
 *
 * A write is a function of what the store holds: `write(work)` runs `work` with reads that no
 * other write can change until the writes `work` returns have committed (one write at a time
 * per process, and across the processes sharing a PostgreSQL database), then commits those
 * writes atomically. It resolves only after the commit, so nothing acknowledged is lost.
 */

export interface StoredKek {
  readonly name: string;
  readonly kmsType: string;
  readonly kmsKeyId: string;
  readonly kmsProps: Readonly<Record<string, string>>;
  /** '' when there is none. */
  readonly doc: string;
  readonly shared: boolean;
  /** Epoch ms of the write that made this state. */
  readonly ts: number;
  readonly deleted: boolean;
}

export interface StoredDek {
  readonly kekName: string;
  readonly subject: string;
  readonly version: number;
  readonly algorithm: string;
  /** Base64 ciphertext of the key (never the plaintext). */
  readonly encryptedKeyMaterial: string;
  readonly ts: number;
  readonly deleted: boolean;
}

/** Identifies one DEK version. */
export interface DekId {
  readonly kekName: string;
  readonly subject: string;
  readonly algorithm: string;
  readonly version: number;
}

export interface DekFilter {
  readonly kekName?: string;
  readonly subject?: string;
  readonly algorithm?: string;
}

export interface DekReads {
  kek(name: string): Promise<StoredKek | undefined>;
  /** Every KEK, deleted ones included, in no particular order. */
  keks(): Promise<StoredKek[]>;
  /** The DEKs matching every field given, deleted ones included, in no particular order. */
  deks(filter: DekFilter): Promise<StoredDek[]>;
  /** How many KEKs and DEKs exist (deleted ones included), for `dek.registry.max.keys`. */
  counts(): Promise<{ keks: number; deks: number }>;
}

/** A row change: put replaces the row with the same key (or adds it), remove drops it. */
export type DekWrite =
  | { readonly op: 'putKek'; readonly kek: StoredKek }
  | { readonly op: 'removeKek'; readonly name: string }
  | { readonly op: 'putDek'; readonly dek: StoredDek }
  | { readonly op: 'removeDek'; readonly id: DekId };

export interface DekStorage {
  /** Reads outside any write (what has committed). */
  readonly reads: DekReads;
  /**
   * Runs `work` against a stable view, then commits the writes it returns, atomically.
   * Resolves with its result after the commit; rejects with `work`'s error (nothing written)
   * or the store's.
   */
  write<T>(work: (reads: DekReads) => Promise<{ result: T; writes: readonly DekWrite[] }>): Promise<T>;
  close(): Promise<void>;
}

/** Runs tasks one at a time, in call order (a failed task does not stop the next). */
export function createSerialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>) => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** Whether a DEK matches a filter. */
export function matchesFilter(dek: StoredDek, filter: DekFilter): boolean {
  return (
    (filter.kekName === undefined || dek.kekName === filter.kekName) &&
    (filter.subject === undefined || dek.subject === filter.subject) &&
    (filter.algorithm === undefined || dek.algorithm === filter.algorithm)
  );
}
