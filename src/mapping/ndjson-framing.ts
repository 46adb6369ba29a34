/**
 * NDJSON framing (`application/x-ndjson`), as DESIGN.md §8 fixes it: one rendered message per
 * line; an in-stream error, and a shutdown, end with a last line `{"error": <rendered error
 * body>}`; normal completion simply ends.
 */
import type { StreamFramer } from './stream-framer.js';

export const NDJSON_TYPE = 'application/x-ndjson';

const errorLine = (body: string) => `{"error":${body}}\n`;

/** The NDJSON framer (stateless: one serves every stream). */
export const ndjsonFramer: StreamFramer = {
  contentType: NDJSON_TYPE,
  opening: () => '',
  message: (json) => `${json}\n`,
  heartbeat: () => undefined,
  end: () => '',
  error: errorLine,
  shutdown: errorLine,
};
