/**
 * The open streams of one listener (SSE and NDJSON responses, WebSocket sessions), so that a
 * shutdown can end each one the way its framing says (DESIGN.md §8) instead of cutting it.
 * A route-table swap does not touch them: each stream holds the compiled route it started on.
 */

/** Why a stream is being ended from outside. */
export type StreamCloseReason = 'shutdown';

export interface OpenStreams {
  /** Registers a stream; the returned function unregisters it (call it when the stream ends). */
  add(close: (reason: StreamCloseReason) => void): () => void;
  /** Ends every registered stream with `reason`; each close callback runs once. */
  closeAll(reason: StreamCloseReason): void;
  /** How many are open. */
  readonly size: number;
}

export function createOpenStreams(): OpenStreams {
  const open = new Set<(reason: StreamCloseReason) => void>();
  return {
    add(close) {
      // A wrapper per registration, so one callback added twice is two streams.
      const entry = (reason: StreamCloseReason) => close(reason);
      open.add(entry);
      return () => void open.delete(entry);
    },
    closeAll(reason) {
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
