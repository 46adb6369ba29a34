/**
 * What the gateway asks of a backend's client, whichever speaks the wire: the grpc-js client
 * (grpc-upstream.ts) and the lean HTTP/2 one (http2-upstream.ts) both return this shape, build
 * their errors with status.ts and their `healthy()` with health-check.ts. Declared apart from
 * either client so those shared helpers depend on the contract, not on a client.
 */
import type { CallSignal } from '../core/http-types.js';

export interface UnaryRequest {
  /** `/package.Service/Method`. */
  readonly path: string;
  readonly message: Uint8Array;
  readonly metadata: Readonly<Record<string, string>>;
  readonly deadlineMs: number;
  /** Aborting cancels the call (the HTTP client went away). */
  readonly signal?: CallSignal;
}

export interface UnaryReply {
  readonly message: Buffer;
  /** Initial and trailing metadata, text values only, lower-case keys. */
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * A backend's client. Implementations are plain objects of closures that use no `this`, so a
 * method may be passed on or copied detached (health-check.ts copies `unary` as it is, adding
 * no call on the request path).
 */
export interface Upstream {
  readonly target: string;
  /** @throws GatewayError with the upstream's status, reason and ErrorInfo metadata (status.ts). */
  unary(request: UnaryRequest): Promise<UnaryReply>;
  /**
   * Opens a streaming call (server, client or bidi); never throws: failures surface through
   * the returned stream.
   */
  stream(request: StreamRequest): UpstreamStream;
  /** true when `grpc.health.v1.Health/Check` for the whole server answers SERVING. */
  healthy(timeoutMs?: number): Promise<boolean>;
  close(): void;
}

/**
 * A streaming call (server, client or bidirectional: on the wire they are one shape, a
 * request side of messages then END_STREAM, a response side of messages then trailers).
 */
export interface StreamRequest {
  /** `/package.Service/Method`. */
  readonly path: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** The overall deadline (`grpc-timeout` and a local timer); 0 = none, for long-lived streams. */
  readonly deadlineMs: number;
  /** Aborting cancels the call at once (RST_STREAM CANCEL upstream): the HTTP client went away. */
  readonly signal?: CallSignal;
  /** Per-call limits; those left out take `STREAM_LIMIT_DEFAULTS`. */
  readonly limits?: Partial<StreamLimits>;
}

export interface StreamLimits {
  /**
   * Received-but-unread bytes per stream (messages and their 5-byte prefixes) before the client
   * stops granting the backend window. The lean HTTP/2 client holds at most this plus one
   * message; the grpc-js client pauses its call past it (grpc-js' own buffers come on top).
   */
  maxBufferedBytes: number;
  /** A larger incoming message fails the call with RESOURCE_EXHAUSTED and cancels the stream. */
  maxMessageBytes: number;
  /** No message either way for this long ends the call with DEADLINE_EXCEEDED (reason STREAM_IDLE_TIMEOUT); 0 = off. */
  idleTimeoutMs: number;
  /** A hard cap on the call's life: past it, DEADLINE_EXCEEDED (reason STREAM_MAX_DURATION); 0 = off. */
  maxDurationMs: number;
}

/** The limits a StreamRequest leaves out. */
export const STREAM_LIMIT_DEFAULTS: Readonly<StreamLimits> = Object.freeze({
  maxBufferedBytes: 256 * 1024,
  // grpc's default receive limit.
  maxMessageBytes: 4 * 1024 * 1024,
  idleTimeoutMs: 0,
  maxDurationMs: 0,
});

/**
 * One streaming call. Every failure is a GatewayError built by status.ts (the backend's
 * status, or a transport failure worded as both clients word it).
 */
export interface UpstreamStream extends AsyncIterable<Uint8Array> {
  /**
   * The backend's response headers (text metadata); rejects with a GatewayError when the call
   * fails before sending them (trailers-only error, connect failure, deadline). A call that
   * ends OK without headers (trailers-only OK) resolves it with the trailers. Rejections are
   * marked handled: a caller that never reads this promise does not crash the process.
   */
  readonly headers: Promise<Readonly<Record<string, string>>>;
  /**
   * Iterating pulls messages (encoded protobuf bytes); not pulling stops HTTP/2 window grants
   * (backpressure). Ends on status OK; throws the GatewayError of any other status, after the
   * messages that arrived before it. A local end (cancel(), the signal, a deadline, a limit)
   * throws at once, dropping what was queued. Leaving a `for await` early cancels the call.
   * One consumer: every `[Symbol.asyncIterator]()` returns the same iterator.
   */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array>;
  /**
   * Sends one request message; resolves when more may be sent (the message went out within the
   * backend's flow-control window). Rejects with the call's error when the call has failed
   * (a message written after the call ended OK is dropped and resolves), and with INTERNAL
   * after end().
   */
  write(message: Uint8Array): Promise<void>;
  /** Half-closes the request side (END_STREAM). A server-streaming call writes one message and ends. Idempotent. */
  end(): void;
  /** Cancels the call (RST_STREAM CANCEL); iteration then ends with CANCELLED. Idempotent; no effect once the call ended. */
  cancel(): void;
  /** Trailing metadata once the call ended (text values); `{}` when it ended without trailers. Never rejects. */
  readonly trailers: Promise<Readonly<Record<string, string>>>;
  /**
   * Bytes received and not yet read by the consumer (whole messages with their 5-byte
   * prefixes, and the part of a message still arriving), for metrics and for tests of the
   * bound. grpc-js' own buffers are not counted.
   */
  readonly bufferedBytes: number;
}
