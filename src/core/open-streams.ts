/**
 * The open streams of one listener (SSE and NDJSON responses, WebSocket sessions), so that a
 * shutdown can end each one the way its framing says (DESIGN.md §8) instead of cutting it.
 * A route-table swap does not touch them: each stream holds the compiled route it started on.
 */

/** Why a stream is being ended from outside. */
export type StreamCloseReason = 'shutdown';

export interface OpenStreams {
  /** Registers a stream; the returned function unregisters it (call it when the stream ends). After closeAll, `close` runs at once. */
  add(close: (reason: StreamCloseReason) => void): () => void;
  /** Ends every registered stream with `reason`; each close callback runs once. */
  closeAll(reason: StreamCloseReason): void;
  /** How many are open. */
  readonly size: number;
}

export function createOpenStreams(): OpenStreams {
  const open = new Set<(reason: StreamCloseReason) => void>();
  // Once closed, a stream that registers late (its backend's headers arrived after the
  // shutdown began) is ended at once rather than missing its shutdown frame.
  let closedWith: StreamCloseReason | undefined;
  return {
    add(close) {
      if (closedWith !== undefined) {
        close(closedWith);
        return () => {};
      }
      // A wrapper per registration, so one callback added twice is two streams.
      const entry = (reason: StreamCloseReason) => close(reason);
      open.add(entry);
      return () => void open.delete(entry);
    },
    closeAll(reason) {
      closedWith = reason;
      const all = [...open];
      open.clear();
      for (const close of all) {
        try {
          close(reason);
        } catch {
          // One stream failing to end must not keep the others open.
        }
      }
    },
    get size() {
      return open.size;
    },
  };
}

/**
 * The cap on streams open at once on one listener (SSE and NDJSON responses and WebSocket
 * sessions counted together). A stream takes a slot for its whole life, from just before it
 * starts to when it ends; it does not hold one of the listener's request slots
 * (`maxConcurrent`) after its headers left, since a stream is long-lived and requests are not.
 */
export interface StreamSlots {
  /** Takes a slot: the returned function gives it back (idempotent); undefined when all are taken. */
  acquire(): (() => void) | undefined;
  /** Slots taken now. */
  readonly open: number;
  readonly max: number;
}

/** Streams open at once per listener by default (DESIGN.md §8 wants 1,000 from one address to fit). */
export const DEFAULT_MAX_STREAMS = 10_000;

/** Creates the stream cap of one listener; `max` ≥ 1. */
export function createStreamSlots(max: number = DEFAULT_MAX_STREAMS): StreamSlots {
  let open = 0;
  return {
    acquire() {
      if (open >= max) return undefined;
      open++;
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        open--;
      };
    },
    get open() {
      return open;
    },
    max,
  };
}
