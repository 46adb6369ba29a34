/**
 * Server-Sent Events framing (`text/event-stream`), byte for byte as DESIGN.md §8 fixes it:
 * one event per message (`event:` and `id:` when declared, then `data:` with the rendered
 * message as one line of JSON), heartbeat comment lines, a final `event: end` (data `{}`) on
 * normal completion so EventSource does not reconnect to a finished stream, a final
 * `event: error` carrying the rendered error body, and on shutdown a `retry:` line then
 * `event: shutdown` (data `{}`).
 */
import type { StreamFramer } from './stream-framer.js';

export const SSE_TYPE = 'text/event-stream';

/** The reconnection delay suggested at shutdown when the route declares no `retryMs`. */
export const SHUTDOWN_RETRY_MS = 1000;

/** SSE field values end at CR or LF: one inside an `id:` or `event:` would start a new field. */
function fieldValue(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

/** The SSE framer of one stream; `retryMs` is the route's declared reconnection delay. */
export function createSseFramer(retryMs: number | undefined): StreamFramer {
  return {
    contentType: SSE_TYPE,
    opening: () => (retryMs === undefined ? '' : `retry: ${retryMs}\n\n`),
    message(json, event, id) {
      let out = '';
      if (event !== undefined && event !== '') out += `event: ${fieldValue(event)}\n`;
      // An id with NUL is ignored by EventSource (it would never come back as Last-Event-ID).
      if (id !== undefined && !id.includes('\0')) out += `id: ${fieldValue(id)}\n`;
      return `${out}data: ${json}\n\n`;
    },
    heartbeat: () => ': heartbeat\n\n',
    end: () => 'event: end\ndata: {}\n\n',
    error: (body) => `event: error\ndata: ${body}\n\n`,
    shutdown: () => `retry: ${retryMs ?? SHUTDOWN_RETRY_MS}\nevent: shutdown\ndata: {}\n\n`,
  };
}
