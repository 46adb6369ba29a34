/**
 * The change feed's RPC, WatchChanges (DESIGN.md §8, "The registry change feed"): replays the
 * retained changes after a point, then tails new ones as they commit.
 *
 * Reading is in bounded pages, and the next page is read only once the transport has taken
 * the last one (`write` false → wait for `drained`), so a slow reader costs the registry at
 * most one page plus the transport's buffer. Tailing waits for a wake-up from the storage
 * (this process's commits; for PostgreSQL also the other replicas', through LISTEN/NOTIFY),
 * with a slow poll behind it in case a wake-up is lost: the feed itself is in the store, so
 * a lost wake-up delays a change, never drops it.
 */
import { changesExpired, invalidSequence } from '../registry-error.js';
import type { ChangeMessage, ChangeStream, RegistryStreamingApi, WatchChangesRequest } from '../registry-messages.js';
import type { StoredChange } from '../storage/registry-change.js';
import type { RegistryContext } from './registry-context.js';

export type ChangeFeedHandlers = Pick<RegistryStreamingApi, 'WatchChanges'>;

/** Changes read from the store at a time. */
export const CHANGE_PAGE_SIZE = 256;
/** How long a tailing watcher waits without a wake-up before it reads anyway (ms). */
const FALLBACK_POLL_MS = 5000;

type Start = 'oldest' | 'latest' | number;

/**
 * `after` as a start: "" the oldest retained change, "latest" (any case, trimmed, as the
 * version selectors) only new ones, else a decimal sequence.
 * @throws RegistryError INVALID_SEQUENCE.
 */
export function parseAfter(after: string): Start {
  if (after === '') return 'oldest';
  const trimmed = after.trim();
  if (trimmed.toLowerCase() === 'latest') return 'latest';
  if (!/^\d{1,16}$/.test(trimmed)) throw invalidSequence(after);
  const sequence = Number(trimmed);
  if (!Number.isSafeInteger(sequence)) throw invalidSequence(after);
  return sequence;
}

/**
 * The subject prefix the store filters by, following ListSubjects' `subject_prefix`
 * (stored-versions.ts prefixMatcher): "" and ":*:" everything, ":.:x" the default context's
 * "x…", another context nothing (undefined).
 */
export function feedPrefix(prefix: string): string | undefined {
  if (prefix === ':*:') return '';
  if (prefix.startsWith(':.:')) return prefix.slice(3);
  if (prefix.startsWith(':.')) return undefined;
  return prefix;
}

/** A stored change as the `Change` message; absent fields stay absent (proto3 `optional`). */
export function changeMessage(change: StoredChange): ChangeMessage {
  const message: ChangeMessage = { sequence: String(change.sequence), kind: change.kind, subject: change.subject, time: new Date(change.time).toISOString() };
  if (change.version !== undefined) message.version = change.version;
  if (change.id !== undefined) message.id = change.id;
  if (change.schemaType !== undefined) message.schema_type = change.schemaType;
  return message;
}

/** Resolves after `ms`, on `wake`, or once `signal` aborts, whichever is first. */
function waitForWake(signal: AbortSignal, ms: number, setWake: (wake: (() => void) | undefined) => void): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      setWake(undefined);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    setWake(done);
  });
}

/** `promise`, or undefined once `signal` aborts first. */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** The change-feed RPC over `ctx`; `pageSize` bounds each read (default CHANGE_PAGE_SIZE). */
export function createChangeFeedHandlers(ctx: RegistryContext, pageSize = CHANGE_PAGE_SIZE): ChangeFeedHandlers {
  const { storage } = ctx;

  return {
    async WatchChanges(request: WatchChangesRequest, stream: ChangeStream) {
      const start = parseAfter(request.after);
      const prefix = feedPrefix(request.subject_prefix);
      const { signal } = stream;
      // Set by every wake-up; cleared before each read, so a commit during a read is never slept through.
      let dirty = true;
      let wake: (() => void) | undefined;
      const subscribing = storage.subscribeChanges(() => {
        dirty = true;
        wake?.();
      });
      const unsubscribe = await unlessAborted(subscribing, signal);
      if (!unsubscribe) {
        // Cancelled while the store was still setting up its wake-ups: stop them once they exist.
        void subscribing.then((stop) => stop(), () => {});
        return;
      }
      try {
        // The last sequence the caller has (or needs not have); -1: replay from the oldest.
        let cursor = start === 'oldest' ? -1 : start === 'latest' ? (await storage.changesAfter(0, '', 0)).latest : start;
        while (!signal.aborted) {
          if (prefix === undefined) {
            // A context this registry does not have: nothing ever matches.
            stream.accepted();
            await waitForWake(signal, 2 ** 31 - 1, () => {});
            continue;
          }
          dirty = false;
          const page = await storage.changesAfter(Math.max(cursor, 0), prefix, pageSize);
          if (cursor < 0) cursor = (page.oldest ?? page.latest + 1) - 1;
          else if (cursor < page.latest && (page.oldest === undefined || cursor + 1 < page.oldest)) throw changesExpired(cursor, page.oldest);
          stream.accepted();
          for (const change of page.changes) {
            if (signal.aborted) return;
            cursor = change.sequence;
            // Backpressure: nothing more is read while the transport cannot take it.
            if (!stream.write(changeMessage(change))) await stream.drained();
          }
          if (page.changes.length === pageSize) continue;
          // Every change up to `latest` was in this read: those not sent did not match.
          cursor = Math.max(cursor, page.latest);
          if (!dirty) await waitForWake(signal, FALLBACK_POLL_MS, (w) => (wake = w));
        }
      } finally {
        unsubscribe();
      }
    },
  };
}
