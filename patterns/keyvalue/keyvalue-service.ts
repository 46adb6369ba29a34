/**
 * The keyvalue service: checks each request (keys, sizes, TTLs, versions, page tokens), calls
 * the store, and answers the proto's response shapes as plain objects. Framework-free: the
 * gRPC server (keyvalue-server.ts) adapts it to grpc-js. Anything a store throws becomes
 * STORE_ERROR, with the store's error as the cause.
 */
import { decodePageToken, encodePageToken } from './page-token.js';
import { interfaceNotBound, invalidArgument, invalidKey, KeyValueError, keyNotFound, storeError, versionMismatch } from './keyvalue-error.js';
import type { KeyValueInterface, KeyValueStore, StoreChange } from './store/keyvalue-store.js';

export interface KeyValueLimits {
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
  readonly defaultScanLimit: number;
  readonly maxScanLimit: number;
}

export const DEFAULT_KEYVALUE_LIMITS: KeyValueLimits = {
  maxKeyBytes: 4096,
  maxValueBytes: 1024 * 1024,
  defaultScanLimit: 100,
  maxScanLimit: 1000,
};

const MAX_CONTENT_TYPE = 255;
// Ten years: beyond any sane cache, and far inside every store's integer range.
const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600;

/** google.protobuf.Timestamp as protobufjs takes it. */
interface Timestamp {
  seconds: number;
  nanos: number;
}
const timestamp = (ms: number | undefined): Timestamp | null => (ms === undefined ? null : { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 });

/** Requests as the server decodes them: bytes as Buffers, int64 as decimal strings. */
export interface KeyRequest {
  key: Buffer;
}
export interface SetRequest extends KeyRequest {
  value: Buffer;
  content_type: string;
  ttl_seconds: number;
  expected_version?: string | null;
}
export interface DeleteRequest extends KeyRequest {
  expected_version?: string | null;
}
export interface ScanRequest {
  prefix: Buffer;
  page_token: string;
  limit: number;
}
export interface WatchRequest {
  prefix: Buffer;
}

/** What Watch writes to: the call's side of the stream. */
export interface WatchSink {
  /** The request is accepted and the watch in place: send response headers now. */
  accepted(): void;
  write(event: object): void;
  /** Aborts when the caller cancels or the server shuts down. */
  readonly signal: AbortSignal;
}

export interface KeyValueServiceOptions {
  readonly store: KeyValueStore;
  /** The interfaces the store is bound with (default: all it implements). */
  readonly interfaces?: readonly KeyValueInterface[];
  readonly limits?: Partial<KeyValueLimits>;
}

export function createKeyValueService(options: KeyValueServiceOptions) {
  const { store } = options;
  const limits = { ...DEFAULT_KEYVALUE_LIMITS, ...options.limits };
  const bound = new Set(options.interfaces ?? store.interfaces);
  const has = (name: KeyValueInterface) => bound.has(name) && store.interfaces.includes(name);

  /** Runs a store call; whatever it throws that is not ours is a STORE_ERROR. */
  async function stored<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw err instanceof KeyValueError ? err : storeError(err);
    }
  }

  function checkKey(key: Buffer): Buffer {
    if (key.length === 0) throw invalidKey('the key is empty', key);
    if (key.length > limits.maxKeyBytes) throw invalidKey(`the key has ${key.length} bytes; at most ${limits.maxKeyBytes} are allowed`, key);
    return key;
  }

  function checkPrefix(prefix: Buffer): Buffer {
    if (prefix.length > limits.maxKeyBytes) throw invalidKey(`the prefix has ${prefix.length} bytes; keys have at most ${limits.maxKeyBytes}`, prefix);
    return prefix;
  }

  /** An `optional int64` version: undefined when absent. */
  function expectedVersion(value: string | null | undefined): number | undefined {
    if (value === undefined || value === null) return undefined;
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0) throw invalidArgument('expected_version', `must be 0 or a positive version, not ${value}`);
    return n;
  }

  return {
    async Get(request: KeyRequest) {
      const key = checkKey(request.key);
      const entry = await stored(() => store.get(key));
      if (!entry) throw keyNotFound(key);
      return { key: entry.key, value: entry.value, content_type: entry.contentType, version: entry.version, expire_time: timestamp(entry.expiresAt) };
    },

    async Set(request: SetRequest) {
      const key = checkKey(request.key);
      if (request.value.length > limits.maxValueBytes) {
        throw new KeyValueError('VALUE_TOO_LARGE', `the value has ${request.value.length} bytes; at most ${limits.maxValueBytes} are allowed`, {
          value_bytes: String(request.value.length),
          max_value_bytes: String(limits.maxValueBytes),
        });
      }
      const contentType = request.content_type;
      if (contentType.length > MAX_CONTENT_TYPE || !/^[\x20-\x7e]*$/.test(contentType)) {
        throw invalidArgument('content_type', `must be printable ASCII of at most ${MAX_CONTENT_TYPE} characters`);
      }
      const ttl = request.ttl_seconds;
      if (!Number.isFinite(ttl) || ttl < 0 || ttl > MAX_TTL_SECONDS) throw invalidArgument('ttl_seconds', `must be 0 (no expiry) or a positive number of seconds up to ${MAX_TTL_SECONDS}, not ${ttl}`);
      if (ttl > 0 && !has('keyvalue_ttl')) throw interfaceNotBound('keyvalue_ttl');
      const expected = expectedVersion(request.expected_version);
      const outcome = await stored(() =>
        store.set({ key, value: request.value, contentType, ttlMs: ttl > 0 ? Math.ceil(ttl * 1000) : undefined, expectedVersion: expected }),
      );
      if (outcome.status === 'mismatch') throw versionMismatch(key, expected ?? 0, outcome.current);
      return { version: outcome.version, created: outcome.created, expire_time: timestamp(outcome.expiresAt) };
    },

    async Delete(request: DeleteRequest) {
      const key = checkKey(request.key);
      const expected = expectedVersion(request.expected_version);
      const outcome = await stored(() => store.delete(key, expected));
      if (outcome.status === 'absent') throw keyNotFound(key);
      if (outcome.status === 'mismatch') throw versionMismatch(key, expected ?? 0, outcome.current);
      return { version: outcome.version };
    },

    async Exists(request: KeyRequest) {
      const key = checkKey(request.key);
      const entry = await stored(() => store.get(key));
      return { exists: entry !== undefined, version: entry?.version ?? 0 };
    },

    async Scan(request: ScanRequest) {
      if (!has('keyvalue_scan')) throw interfaceNotBound('keyvalue_scan');
      const prefix = checkPrefix(request.prefix);
      if (request.limit < 0) throw invalidArgument('limit', `must be 0 (the default, ${limits.defaultScanLimit}) or positive, not ${request.limit}`);
      const limit = Math.min(request.limit || limits.defaultScanLimit, limits.maxScanLimit);
      const after = decodePageToken(request.page_token, prefix);
      // One more than asked: whether a next page exists without a second query.
      const rows = await stored(() => store.scan(prefix, after, limit + 1));
      const page = rows.slice(0, limit);
      return {
        items: page.map((row) => ({ key: row.key, version: row.version, size: row.size, content_type: row.contentType, expire_time: timestamp(row.expiresAt) })),
        next_page_token: rows.length > limit ? encodePageToken(page[page.length - 1].key) : '',
      };
    },

    /** Runs until the caller cancels or the store ends the watch (rejects then). */
    async Watch(request: WatchRequest, sink: WatchSink) {
      const watch = store.watch?.bind(store);
      if (!watch || !has('keyvalue_watch')) throw interfaceNotBound('keyvalue_watch');
      const prefix = checkPrefix(request.prefix);
      if (sink.signal.aborted) return;
      let failure: unknown;
      let wake: () => void = () => {};
      const ended = new Promise<void>((resolve) => (wake = resolve));
      const subscription = await stored(() =>
        watch(prefix, {
          change: (change: StoreChange) => sink.write({ kind: change.kind, key: change.key, version: change.version, value: change.value, content_type: change.contentType }),
          failed: (err) => {
            failure = err;
            wake();
          },
        }),
      );
      sink.signal.addEventListener('abort', () => wake(), { once: true });
      if (sink.signal.aborted) wake();
      sink.accepted();
      try {
        await ended;
      } finally {
        subscription.close();
      }
      if (failure !== undefined && !sink.signal.aborted) throw storeError(failure);
    },

    close: () => store.close(),
  };
}

export type KeyValueService = ReturnType<typeof createKeyValueService>;
