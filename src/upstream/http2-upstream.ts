/**
 * A lean gRPC client, behind the same `Upstream` interface as the grpc-js one. It speaks
 * HTTP/2 itself (h2-connection.ts, hpack.ts) on one plaintext socket per target, reused by
 * every call and replaced after GOAWAY or close: unary calls with a deadline
 * (`grpc-timeout`), metadata and cancellation (RST_STREAM CANCEL); the 5-byte length-prefixed
 * framing; the status from trailers (or a trailers-only response); and the rich error model.
 * A call is two writes' worth of frames and no per-call streams or event emitters, which is
 * what makes it cheaper than node:http2 per call.
 *
 * Targets are read as grpc-js reads them (grpc-target.ts): `host:port`, `dns:///host:port`, or a
 * Unix-domain socket (`unix:/abs/path`); one address each. Connections are kept
 * alive and checked with PINGs, closed when idle, and a server that breaks HTTP/2's rules
 * loses its connection (h2-connection.ts); a call on it fails UNAVAILABLE.
 *
 * Streaming calls (`stream()`, http2-stream.ts) go on a second connection of their own, with
 * flow control granted as their consumers read.
 *
 * grpc-js stays the client for what this one leaves out: TLS, name resolution and load
 * balancing, compression, retries beyond a refused stream (a streaming call is sent again
 * only while its request so far is small, http2-stream.ts).
 *
 * Errors are made in status.ts, as the grpc-js client's are: same code, message (the server's
 * `grpc-message`, percent-decoded), reason/domain/metadata from the ErrorInfo in
 * `grpc-status-details-bin`, and the same neutral messages for transport failures that carry
 * no ErrorInfo. Failures found on this side (a reset stream, a bad frame) use grpc-js' words.
 */
import { Code, GatewayError } from '../core/gateway-error.js';
import { STATUS_DETAILS_KEY } from '../grpc/rich-status.js';
import { H2_DEFAULTS, H2Connection, RST, type H2ConnectionOptions, type H2TunableOption, type StreamHandler } from './h2-connection.js';
import { parseGrpcTarget } from './grpc-target.js';
import { createHealthProbe } from './health-check.js';
import { copyMetadata, headerText, localError as statusError, resetError, toObject, type ReplyHeaders } from './h2-reply.js';
import { openHttp2Stream } from './http2-stream.js';
import { HpackEncoder } from './hpack.js';
import { missingStatusError, readTrailerStatus, statusToGatewayError } from './status.js';
import { createStreamCall } from './stream-call.js';
import type { StreamRequest, UnaryReply, UnaryRequest, Upstream, UpstreamStream } from './upstream.js';

/**
 * The connection's tunables (H2ConnectionOptions documents each, H2_DEFAULTS holds the
 * defaults of those left out) and the largest reply.
 */
export interface Http2UpstreamOptions extends Partial<Pick<H2ConnectionOptions, H2TunableOption>> {
  /** Largest reply message accepted (bytes); larger ones fail with RESOURCE_EXHAUSTED. Default 64 MiB. */
  readonly maxReceiveMessageBytes?: number;
}

const DEFAULT_MAX_RECEIVE = 64 * 1024 * 1024;
/** The longest delay a Node timer holds (past it, it fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;
const USER_AGENT = 'prism-gateway-http2/0.2';
const EMPTY = Buffer.alloc(0);
/** Request headers the client owns; callers' metadata may not set them. */
const RESERVED = new Set(['content-type', 'te', 'user-agent', 'grpc-timeout', 'grpc-encoding', 'grpc-accept-encoding', 'host', 'connection']);
/**
 * Attempts of a call whose stream the server never processed (refused, or caught by a
 * GOAWAY or a connection closing before it went out): those are always safe to send again.
 */
const MAX_ATTEMPTS = 3;
/** Encoded `:path` fields kept per method path. */
const PATH_CACHE_SIZE = 1024;

/** Per-call state shared by the stream's handlers. */
interface CallState {
  finished: boolean;
  httpStatus: number;
  /** Whether the response headers (not trailers) have arrived. */
  responded: boolean;
  metadata: Record<string, string>;
  /** Bytes received and not yet consumed as a frame. */
  chunks: Buffer[];
  pending: number;
  /** Length of the frame being received, -1 until its 5-byte prefix is in. */
  frameLength: number;
  /** A message completed so far (unary: at most one). */
  message: Buffer | undefined;
  messages: number;
}

/**
 * @throws Error when `target` is not one parseGrpcTarget takes (grpc-target.ts: `host:port`,
 * `dns:///host:port`, `unix:/abs/path`, ...), or when an option is out of range.
 */
export function createHttp2Upstream(target: string, options: Http2UpstreamOptions = {}): Upstream {
  const where = parseGrpcTarget(target);
  const endpoint = where.kind === 'unix' ? { host: 'localhost', port: 0, path: where.path } : { host: where.host, port: where.port };
  const maxReceive = options.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE;
  const tunables = resolveTunables(options);
  // Doubled after a GOAWAY "too_many_pings"; new connections take the current value.
  let keepaliveIntervalMs = tunables.keepaliveIntervalMs;
  let conn: H2Connection | undefined;
  /**
   * Streaming calls have their own connection: it advertises a stream window of 0, so each
   * stream's window is what its consumer grants (http2-stream.ts), while unary replies keep
   * the large window that lets them arrive in one flight.
   */
  let streamConn: H2Connection | undefined;
  let closed = false;

  // The fields every call sends, encoded once: pseudo-headers first (:method, :scheme), then
  // :path per call, then the rest.
  const prefix = Buffer.concat([HpackEncoder.indexed(':method', 'POST'), HpackEncoder.indexed(':scheme', 'http')]);
  const common = Buffer.concat([
    HpackEncoder.field(':authority', where.authority),
    HpackEncoder.field('content-type', 'application/grpc'),
    HpackEncoder.field('te', 'trailers'),
    HpackEncoder.field('user-agent', USER_AGENT),
    HpackEncoder.field('grpc-accept-encoding', 'identity'),
  ]);
  const paths = new Map<string, Buffer>();
  const pathField = (path: string) => {
    let field = paths.get(path);
    if (!field) {
      if (paths.size >= PATH_CACHE_SIZE) paths.clear();
      field = HpackEncoder.field(':path', path);
      paths.set(path, field);
    }
    return field;
  };

  /** A new connection with the upstream's tunables; `gone` hears when it takes no new streams. */
  function dial(streamWindowBytes: number | undefined, gone: (c: H2Connection) => void): H2Connection {
    const c: H2Connection = new H2Connection({
      ...tunables,
      keepaliveIntervalMs,
      ...endpoint,
      streamWindowBytes,
      onGone: () => gone(c),
      // gRPC A8: a server that finds the pings too frequent gets half as many on the next connection.
      onTooManyPings: () => {
        if (keepaliveIntervalMs > 0) keepaliveIntervalMs *= 2;
      },
    });
    return c;
  }

  /** The current connection, or a new one when there is none or it takes no new streams. */
  function connection(): H2Connection {
    if (conn?.usable) return conn;
    conn = dial(undefined, (c) => {
      if (conn === c) conn = undefined;
    });
    return conn;
  }

  /** The streaming calls' connection (stream window 0), as `connection()` keeps the unary one. */
  function streamConnection(): H2Connection {
    if (streamConn?.usable) return streamConn;
    streamConn = dial(0, (c) => {
      if (streamConn === c) streamConn = undefined;
    });
    return streamConn;
  }

  /**
   * A streaming call (server, client or bidi: the wire is the same). Metadata that cannot be
   * sent fails the call INTERNAL, as unary calls fail; a closed upstream fails it UNAVAILABLE.
   */
  function stream(request: StreamRequest): UpstreamStream {
    return createStreamCall(request, (sink) => {
      if (closed) throw statusError(Code.UNAVAILABLE, 'upstream closed');
      let metadataFields: Buffer;
      try {
        metadataFields = encodeMetadata(request.metadata);
      } catch (err) {
        throw statusError(Code.INTERNAL, (err as Error).message);
      }
      const timeout = request.deadlineMs > 0 ? HpackEncoder.field('grpc-timeout', encodeTimeout(request.deadlineMs)) : EMPTY;
      const block = Buffer.concat([prefix, pathField(request.path), common, timeout, metadataFields]);
      // A retried stream must not open a connection after close().
      return openHttp2Stream(() => (closed ? undefined : streamConnection()), block, sink);
    });
  }

  function unary(request: UnaryRequest): Promise<UnaryReply> {
    return new Promise<UnaryReply>((resolve, reject) => {
      if (closed) return reject(statusError(Code.UNAVAILABLE, 'upstream closed'));
      if (request.signal?.aborted) return reject(statusError(Code.CANCELLED, 'Call cancelled'));
      if (!(request.deadlineMs > 0)) return reject(statusError(Code.DEADLINE_EXCEEDED, 'Deadline exceeded'));
      const deadlineAt = Date.now() + request.deadlineMs;
      const frame = Buffer.allocUnsafe(5 + request.message.length);
      frame[0] = 0;
      frame.writeUInt32BE(request.message.length, 1);
      frame.set(request.message, 5);
      let metadataFields: Buffer;
      try {
        metadataFields = encodeMetadata(request.metadata);
      } catch (err) {
        return reject(statusError(Code.INTERNAL, (err as Error).message));
      }
      start(1);

      /** One attempt; a stream the server never processed goes again, up to MAX_ATTEMPTS in all. */
      function start(attempt: number): void {
        const mayRetry = attempt < MAX_ATTEMPTS;
        // A call sent again after close() must not open a new connection.
        if (closed) return reject(statusError(Code.UNAVAILABLE, 'upstream closed'));
        const remaining = deadlineAt - Date.now();
        if (remaining <= 0) return reject(statusError(Code.DEADLINE_EXCEEDED, 'Deadline exceeded'));
        const block = Buffer.concat([prefix, pathField(request.path), common, HpackEncoder.field('grpc-timeout', encodeTimeout(remaining)), metadataFields]);
        const c = connection();
        const state: CallState = { finished: false, httpStatus: 0, responded: false, metadata: {}, chunks: [], pending: 0, frameLength: -1, message: undefined, messages: 0 };
        let streamId = 0;
        const timer = setTimeout(() => finish(statusError(Code.DEADLINE_EXCEEDED, 'Deadline exceeded'), true), remaining);
        const onAbort = () => finish(statusError(Code.CANCELLED, 'Call cancelled'), true);
        request.signal?.addEventListener('abort', onAbort, { once: true });

        /** Settles the call once; `reset` cancels the stream when it is still open here. */
        function finish(outcome: UnaryReply | GatewayError, reset: boolean, retry = false): void {
          if (state.finished) return;
          state.finished = true;
          clearTimeout(timer);
          request.signal?.removeEventListener('abort', onAbort);
          if (reset) {
            if (streamId !== 0) c.cancel(streamId);
            else c.abandon(handler);
          }
          if (retry) start(attempt + 1);
          else if (outcome instanceof GatewayError) reject(outcome);
          else resolve(outcome);
        }

        const handler: StreamHandler = {
          onHeaders(fields, endStream) {
            if (state.finished) return;
            const headers = toObject(fields);
            if (!state.responded) {
              state.responded = true;
              state.httpStatus = Number(headerText(headers[':status']));
              // Trailers-only: the status travels in the only HEADERS frame.
              if (endStream) settleFromTrailers(headers);
              else copyMetadata(headers, state.metadata);
            } else {
              settleFromTrailers(headers);
              if (!endStream && !state.finished) finish(statusError(Code.INTERNAL, 'Trailers without END_STREAM'), true);
            }
          },
          onData(chunk) {
            if (state.finished) return;
            const failure = readFrames(state, chunk, maxReceive);
            if (failure) finish(failure, true);
          },
          onEnd: () => endedWithoutStatus(RST.NO_ERROR),
          onReset: (code) => endedWithoutStatus(code),
          onFailed(error, unprocessed) {
            if (unprocessed && mayRetry && !state.responded) finish(statusError(Code.UNAVAILABLE, error.message), false, true);
            else finish(statusError(Code.UNAVAILABLE, error.message), false);
          },
        };
        c.open(block, frame, handler, (id) => (streamId = id));

        /** The stream ended (reset, or END_STREAM without trailers) with no gRPC status: say why, as grpc-js would. */
        function endedWithoutStatus(rst: number): void {
          if (state.finished) return;
          // A refused stream was not processed (e.g. the server was going away): safe to send again.
          finish(resetError(rst, state.httpStatus), false, rst === RST.REFUSED_STREAM && mayRetry && !state.responded);
        }

        function settleFromTrailers(trailers: ReplyHeaders): void {
          if (state.finished) return;
          const status = readTrailerStatus(headerText(trailers['grpc-status']), headerText(trailers['grpc-message']), headerText(trailers[STATUS_DETAILS_KEY]));
          copyMetadata(trailers, state.metadata);
          if (status === undefined) {
            // No gRPC status at all: the HTTP status says what happened (a proxy, a non-gRPC server).
            finish(missingStatusError(state.httpStatus), true);
            return;
          }
          if (status.code !== Code.OK) {
            finish(statusToGatewayError({ ...status, metadata: state.metadata }), true);
            return;
          }
          if (state.pending > 0) {
            finish(statusError(Code.INTERNAL, 'Incomplete message frame received'), true);
          } else if (state.messages === 0) {
            finish(statusError(Code.UNIMPLEMENTED, 'No message received'), true);
          } else {
            finish({ message: state.message!, metadata: state.metadata }, true);
          }
        }
      }
    });
  }

  function close(): void {
    closed = true;
    const c = conn;
    const s = streamConn;
    conn = undefined;
    streamConn = undefined;
    // In-flight calls fail UNAVAILABLE.
    c?.close();
    s?.close();
  }

  return { target, unary, stream, healthy: createHealthProbe(unary), close };
}

/**
 * The connection's tunables with H2_DEFAULTS for those left out (an option set to undefined
 * counts as left out), resolved here once for every connection of the upstream.
 * @throws Error naming the first option out of range.
 */
function resolveTunables(options: Http2UpstreamOptions): Pick<H2ConnectionOptions, H2TunableOption> {
  return {
    connectTimeoutMs: checked('connectTimeoutMs', options.connectTimeoutMs ?? H2_DEFAULTS.connectTimeoutMs, 1, MAX_TIMER_MS),
    keepaliveIntervalMs: checked('keepaliveIntervalMs', options.keepaliveIntervalMs ?? H2_DEFAULTS.keepaliveIntervalMs, 0, Infinity),
    keepaliveTimeoutMs: checked('keepaliveTimeoutMs', options.keepaliveTimeoutMs ?? H2_DEFAULTS.keepaliveTimeoutMs, 1, MAX_TIMER_MS),
    keepaliveWhileIdle: options.keepaliveWhileIdle ?? H2_DEFAULTS.keepaliveWhileIdle,
    idleTimeoutMs: checked('idleTimeoutMs', options.idleTimeoutMs ?? H2_DEFAULTS.idleTimeoutMs, 0, Infinity),
    // The upper bounds are what a SETTINGS value can carry (§6.5.2).
    maxHeaderListBytes: checked('maxHeaderListBytes', options.maxHeaderListBytes ?? H2_DEFAULTS.maxHeaderListBytes, 1024, 2 ** 32 - 1),
    receiveWindowBytes: checked('receiveWindowBytes', options.receiveWindowBytes ?? H2_DEFAULTS.receiveWindowBytes, 1, 2 ** 31 - 1),
  };
}

/** `value` when it is a number in [min, max]. @throws Error naming the option otherwise. */
function checked(name: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) throw new Error(`${name} must be a number from ${min} to ${max}, got ${String(value)}`);
  return value;
}

/** The caller's metadata as HPACK fields; binary keys go base64. @throws Error for illegal keys or values. */
function encodeMetadata(metadata: Readonly<Record<string, string>>): Buffer {
  const fields: Buffer[] = [];
  for (const key of Object.keys(metadata)) {
    const name = key.toLowerCase();
    if (name.startsWith(':') || RESERVED.has(name) || name === 'grpc-status' || name === 'grpc-message') continue;
    if (!/^[0-9a-z_.-]+$/.test(name)) throw new Error(`metadata key '${key}' contains illegal characters`);
    const value = metadata[key];
    if (name.endsWith('-bin')) fields.push(HpackEncoder.field(name, Buffer.from(value, 'utf8').toString('base64')));
    else if (/^[\x20-\x7e]*$/.test(value)) fields.push(HpackEncoder.field(name, value));
    else throw new Error(`metadata value of '${key}' contains illegal characters`);
  }
  return fields.length === 1 ? fields[0] : Buffer.concat(fields);
}

/**
 * Parses 5-byte-prefixed frames as DATA chunks arrive. Chunks are only joined once a whole
 * frame is there (a large message arrives in many 16 KiB chunks: joining on every chunk
 * would copy it over and over). Returns an error when the reply is unacceptable.
 */
function readFrames(state: CallState, chunk: Buffer, maxReceive: number): GatewayError | undefined {
  state.chunks.push(chunk);
  state.pending += chunk.length;
  while (state.pending >= 5) {
    if (state.frameLength < 0) {
      const head = state.chunks[0].length >= 5 ? state.chunks[0] : flatten(state);
      if (head[0] !== 0) return statusError(Code.INTERNAL, 'Received a compressed message, but no compression was negotiated');
      const length = head.readUInt32BE(1);
      if (length > maxReceive) return statusError(Code.RESOURCE_EXHAUSTED, `Received message larger than max (${length} vs ${maxReceive})`);
      state.frameLength = length;
    }
    const total = 5 + state.frameLength;
    if (state.pending < total) break;
    const buffer = state.chunks.length === 1 ? state.chunks[0] : flatten(state);
    state.messages++;
    if (state.messages > 1) return statusError(Code.UNIMPLEMENTED, 'Too many responses received');
    state.message = buffer.subarray(5, total);
    const rest = buffer.subarray(total);
    state.chunks = rest.length > 0 ? [rest] : [];
    state.pending = rest.length;
    state.frameLength = -1;
  }
  return undefined;
}

function flatten(state: CallState): Buffer {
  const joined = Buffer.concat(state.chunks, state.pending);
  state.chunks = [joined];
  return joined;
}

/** `grpc-timeout`: at most 8 digits and a unit. */
export function encodeTimeout(ms: number): string {
  const m = Math.max(1, Math.ceil(ms));
  if (m < 1e8) return `${m}m`;
  const s = Math.ceil(m / 1000);
  if (s < 1e8) return `${s}S`;
  return `${Math.min(99_999_999, Math.ceil(s / 3600))}H`;
}
