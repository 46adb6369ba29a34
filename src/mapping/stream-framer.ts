/**
 * What the two plain-HTTP framings of a server stream (DESIGN.md §8) have in common: each turns
 * the stream's events into the exact bytes that go out, as text. sse-framing.ts and
 * ndjson-framing.ts implement it; core/handle-stream.ts drives whichever was negotiated.
 */

export interface StreamFramer {
  /** The response's Content-Type. */
  readonly contentType: string;
  /** Written right after the headers (SSE's `retry:` when declared); '' for none. */
  opening(): string;
  /**
   * One message: `json` is the rendered message as one line of JSON; `event` and `id` are the
   * SSE fields rendered from it (ignored by NDJSON).
   */
  message(json: string, event?: string, id?: string): string;
  /** A keep-alive line; undefined when the framing has none. */
  heartbeat(): string | undefined;
  /** Normal completion (SSE `event: end`; nothing for NDJSON). */
  end(): string;
  /** An in-stream error: `body` is the rendered error body, as one line of JSON. */
  error(body: string): string;
  /** Gateway shutdown; `body` is the rendered UNAVAILABLE error body (NDJSON ends with it). */
  shutdown(body: string): string;
}
