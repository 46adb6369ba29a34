/**
 * The MEMSTORE keyvalue store: entries in a Map, keys also in a sorted array for Scan (binary
 * search on insert and on the scan start), expiry checked on read and swept now and then.
 * Nothing survives the process; one process is the only writer, so watches are in-process.
 */
import { KEYVALUE_INTERFACES, hasPrefix, type KeyValueStore, type ScannedEntry, type StoredEntry } from './keyvalue-store.js';
import { createWatchHub } from './watch-hub.js';

export interface MemoryStoreOptions {
  /** The clock expiry is measured against (tests may move it). */
  readonly now?: () => number;
  /** How often expired entries are dropped from memory (they are invisible at once anyway). */
  readonly sweepIntervalMs?: number;
}

/** The index of the first key in `sorted` that is ≥ `key` (or > it when `strict`). */
function lowerBound(sorted: readonly Buffer[], key: Buffer, strict = false): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = Buffer.compare(sorted[mid], key);
    if (c < 0 || (strict && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function createMemoryStore(options: MemoryStoreOptions = {}): KeyValueStore {
  const now = options.now ?? Date.now;
  // latin1 maps every byte to one char and back: a binary-safe Map key.
  const entries = new Map<string, StoredEntry>();
  const sorted: Buffer[] = [];
  const hub = createWatchHub();
  let lastVersion = 0;
  let closed = false;

  const id = (key: Buffer) => key.toString('latin1');
  const live = (entry: StoredEntry | undefined) => (entry && (entry.expiresAt === undefined || entry.expiresAt > now()) ? entry : undefined);
  const remove = (key: Buffer) => {
    entries.delete(id(key));
    const at = lowerBound(sorted, key);
    if (at < sorted.length && sorted[at].equals(key)) sorted.splice(at, 1);
  };
  const sweep = setInterval(() => {
    for (const entry of [...entries.values()]) if (!live(entry)) remove(entry.key);
  }, options.sweepIntervalMs ?? 30_000);
  sweep.unref();

  const checkOpen = () => {
    if (closed) throw new Error('the memory store is closed');
  };

  return {
    interfaces: KEYVALUE_INTERFACES,
    async get(key) {
      checkOpen();
      return live(entries.get(id(key)));
    },
    async set(input) {
      checkOpen();
      const current = live(entries.get(id(input.key)));
      if (input.expectedVersion !== undefined && input.expectedVersion !== (current?.version ?? 0)) {
        return { status: 'mismatch', current: current?.version ?? 0 };
      }
      const key = Buffer.from(input.key);
      const entry: StoredEntry = {
        key,
        value: Buffer.from(input.value),
        contentType: input.contentType,
        version: ++lastVersion,
        expiresAt: input.ttlMs === undefined ? undefined : now() + input.ttlMs,
      };
      if (!entries.has(id(key))) sorted.splice(lowerBound(sorted, key), 0, key);
      entries.set(id(key), entry);
      hub.publish({ kind: 'PUT', key, version: entry.version, value: entry.value, contentType: entry.contentType });
      return { status: 'written', version: entry.version, created: current === undefined, expiresAt: entry.expiresAt };
    },
    async delete(key, expectedVersion) {
      checkOpen();
      const current = live(entries.get(id(key)));
      if (!current) return { status: 'absent' };
      if (expectedVersion !== undefined && expectedVersion !== current.version) return { status: 'mismatch', current: current.version };
      remove(key);
      hub.publish({ kind: 'DELETE', key: current.key, version: ++lastVersion, value: Buffer.alloc(0), contentType: '' });
      return { status: 'deleted', version: current.version };
    },
    async scan(prefix, after, limit) {
      checkOpen();
      const out: ScannedEntry[] = [];
      const start = after !== undefined && Buffer.compare(after, prefix) >= 0 ? lowerBound(sorted, after, true) : lowerBound(sorted, prefix);
      for (let i = start; i < sorted.length && out.length < limit; i++) {
        if (!hasPrefix(sorted[i], prefix)) break;
        const entry = live(entries.get(id(sorted[i])));
        if (entry) out.push({ key: entry.key, version: entry.version, size: entry.value.length, contentType: entry.contentType, expiresAt: entry.expiresAt });
      }
      return out;
    },
    async watch(prefix, listener) {
      checkOpen();
      return hub.subscribe(prefix, listener);
    },
    async ping() {
      checkOpen();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweep);
      hub.failAll(new Error('the store is closing'));
    },
  };
}
