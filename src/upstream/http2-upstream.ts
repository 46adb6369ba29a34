/**
 * A lean unary gRPC client over `node:http2`, behind the same `Upstream` interface as the
 * grpc-js one. It does only what a gateway hop needs: one plaintext HTTP/2 session per target,
 * reused by every call and replaced after GOAWAY or close; unary calls with a deadline
 * (`grpc-timeout`), metadata and cancellation (RST_STREAM CANCEL); the 5-byte length-prefixed
 * framing; the status from trailers (or a trailers-only response); and the rich error model.
 *
 * grpc-js stays the client for what this one leaves out: TLS, name resolution and load
 * balancing, keepalive pings, compression, streaming, retries beyond a refused stream.
 *
 * Errors follow `toGatewayError` exactly: same code, message (the server's `grpc-message`,
 * percent-decoded), reason/domain/metadata from the ErrorInfo in `grpc-status-details-bin`,
 * and the same neutral messages for transport failures that carry no ErrorInfo.
 */
import http2 from 'node:http2';
import net from 'node:net';
import { Code, GatewayError } from '../core/gateway-error.js';
import type { UnaryReply, UnaryRequest, Upstream } from './grpc-upstream.js';
import { decodeErrorInfo, STATUS_DETAILS_KEY } from './rich-status.js';

export interface Http2UpstreamOptions {
  /** Largest reply message accepted (bytes); larger ones fail with RESOURCE_EXHAUSTED. */
  readonly maxReceiveMessageBytes?: number;
  /** How long establishing the connection may take before calls fail UNAVAILABLE. */
  readonly connectTimeoutMs?: number;
}

const {
  HTTP2_HEADER_METHOD,
  HTTP2_HEADER_PATH,
  HTTP2_HEADER_SCHEME,
  HTTP2_HEADER_AUTHORITY,
  HTTP2_HEADER_CONTENT_TYPE,
  HTTP2_HEADER_TE,
  HTTP2_HEADER_USER_AGENT,
  HTTP2_HEADER_STATUS,
  NGHTTP2_CANCEL,
  NGHTTP2_NO_ERROR,
  NGHTTP2_REFUSED_STREAM,
  NGHTTP2_ENHANCE_YOUR_CALM,
  NGHTTP2_INADEQUATE_SECURITY,
  NGHTTP2_FLAG_END_STREAM,
} = http2.constants;

const DEFAULT_MAX_RECEIVE = 64 * 1024 * 1024;
const USER_AGENT = 'prism-gateway-http2/0.1';
/** Request headers the client owns; callers' metadata may not set them. */
const RESERVED = new Set(['content-type', 'te', 'user-agent', 'grpc-timeout', 'grpc-encoding', 'grpc-accept-encoding', 'host', 'connection']);
/** Response headers that are not metadata (grpc-js drops the same ones). */
const STATUS_KEYS = new Set(['grpc-status', 'grpc-message', 'grpc-encoding', 'grpc-accept-encoding']);

interface Connection {
  readonly session: http2.ClientHttp2Session;
  /** Calls in flight; the session keeps the process alive only while there are some. */
  active: number;
}

/** Per-call state shared by the stream's event handlers. */
interface CallState {
  finished: boolean;
  httpStatus: number;
  metadata: Record<string, string>;
  /** Bytes received and not yet consumed as a frame. */
  chunks: Buffer[];
  pending: number;
  /** Length of the frame being received, -1 until its 5-byte prefix is in. */
  frameLength: number;
  /** A message completed so far (unary: at most one). */
  message: Buffer | undefined;
  messages: number;
  /** The connection failed (as opposed to the stream being reset by the peer). */
  connectionError: Error | undefined;
  streamError: Error | undefined;
}

export function createHttp2Upstream(target: string, options: Http2UpstreamOptions = {}): Upstream {
  const authority = target.replace(/^dns:(\/\/\/)?/, '').replace(/^http:\/\//, '');
  const origin = `http://${authority}`;
  const { host, port } = splitHostPort(authority);
  const maxReceive = options.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE;
  const connectTimeoutMs = options.connectTimeoutMs ?? 20_000;
  let conn: Connection | undefined;
  let closed = false;

  /** The current session, or a new one when there is none or it can take no new streams. */
  function currentConnection(): Connection {
    if (conn && !conn.session.closed && !conn.session.destroyed) return conn;
    const s = http2.connect(origin, {
      // Nagle off (as grpc-js does): a call is a few small frames that must leave at once.
      createConnection: () => net.connect({ host, port, noDelay: true }),
      settings: { enablePush: false, initialWindowSize: 1024 * 1024 },
      // Room for many concurrent large replies before nghttp2 refuses streams.
      maxSessionMemory: 64,
    });
    const c: Connection = { session: s, active: 0 };
    conn = c;
    const forget = () => {
      if (conn === c) conn = undefined;
    };
    // A GOAWAY lets in-flight streams finish but admits no new ones: the next call reconnects.
    s.on('goaway', forget);
    s.on('close', forget);
    // Session errors surface on the streams; without a listener they would crash the process.
    s.on('error', forget);
    s.once('connect', () => {
      s.setLocalWindowSize(16 * 1024 * 1024);
      s.setTimeout(0);
    });
    s.setTimeout(connectTimeoutMs, () => {
      if (s.connecting) s.destroy(Object.assign(new Error(`connect to ${authority} timed out`), { code: 'ETIMEDOUT' }));
    });
    // An idle session must not keep the process alive (as with grpc-js); calls ref it.
    s.unref();
    return c;
  }

  function unary(request: UnaryRequest): Promise<UnaryReply> {
    return new Promise<UnaryReply>((resolve, reject) => {
      if (closed) {
        reject(statusError(Code.UNAVAILABLE, 'upstream closed', {}));
        return;
      }
      if (request.signal?.aborted) {
        reject(statusError(Code.CANCELLED, 'Call cancelled', {}));
        return;
      }
      const deadlineAt = Date.now() + request.deadlineMs;
      if (!(request.deadlineMs > 0)) {
        reject(statusError(Code.DEADLINE_EXCEEDED, 'Deadline exceeded', {}));
        return;
      }
      const frame = Buffer.allocUnsafe(5 + request.message.length);
      frame[0] = 0;
      frame.writeUInt32BE(request.message.length, 1);
      frame.set(request.message, 5);
      let headers: http2.OutgoingHttpHeaders;
      try {
        headers = requestHeaders(request);
      } catch (err) {
        reject(statusError(Code.INTERNAL, (err as Error).message, {}));
        return;
      }
      start(true);

      function start(mayRetry: boolean): void {
        let stream: http2.ClientHttp2Stream;
        const remaining = deadlineAt - Date.now();
        if (remaining <= 0) {
          reject(statusError(Code.DEADLINE_EXCEEDED, 'Deadline exceeded', {}));
          return;
        }
        headers['grpc-timeout'] = encodeTimeout(remaining);
        let c: Connection;
        try {
          c = currentConnection();
          stream = c.session.request(headers, { endStream: false });
        } catch (err) {
          // The session went away between the check and the request (GOAWAY): once more on a new one.
          if (conn && (conn.session.destroyed || conn.session.closed)) conn = undefined;
          if (mayRetry && isSessionGone(err)) {
            start(false);
            return;
          }
          reject(statusError(Code.UNAVAILABLE, (err as Error).message, {}));
          return;
        }
        if (c.active++ === 0) c.session.ref();
        const state: CallState = { finished: false, httpStatus: 0, metadata: {}, chunks: [], pending: 0, frameLength: -1, message: undefined, messages: 0, connectionError: undefined, streamError: undefined };
        const timer = setTimeout(() => finish(statusError(Code.DEADLINE_EXCEEDED, 'Deadline exceeded', {}), true), remaining);
        const onAbort = () => finish(statusError(Code.CANCELLED, 'Call cancelled', {}), true);
        request.signal?.addEventListener('abort', onAbort, { once: true });

        /** Settles the call once; `reset` sends RST_STREAM CANCEL when the stream is still open. */
        function finish(outcome: UnaryReply | GatewayError, reset: boolean, retry = false): void {
          if (state.finished) return;
          state.finished = true;
          clearTimeout(timer);
          request.signal?.removeEventListener('abort', onAbort);
          if (reset && !stream.closed) stream.close(NGHTTP2_CANCEL);
          if (--c.active === 0 && !c.session.destroyed) c.session.unref();
          if (retry) start(false);
          else if (outcome instanceof GatewayError) reject(outcome);
          else resolve(outcome);
        }

        stream.on('response', (responseHeaders, flags) => {
          state.httpStatus = Number(responseHeaders[HTTP2_HEADER_STATUS]);
          if (flags & NGHTTP2_FLAG_END_STREAM) {
            // Trailers-only: the status travels in the only HEADERS frame.
            settleFromTrailers(responseHeaders);
            return;
          }
          copyMetadata(responseHeaders, state.metadata);
        });
        stream.on('data', (chunk: Buffer) => {
          if (state.finished) return;
          const failure = readFrames(state, chunk, maxReceive);
          if (failure) finish(failure, true);
        });
        stream.on('trailers', (trailers) => settleFromTrailers(trailers));
        stream.on('error', (err: NodeJS.ErrnoException) => {
          if (err.code === 'ERR_HTTP2_STREAM_ERROR') state.streamError = err;
          else state.connectionError = err;
        });
        stream.on('close', () => {
          if (state.finished) return;
          // Closed without a status: say why, as grpc-js would.
          const rst = stream.rstCode;
          if (state.connectionError) {
            finish(statusError(Code.UNAVAILABLE, state.connectionError.message, {}), false);
          } else if (rst === NGHTTP2_REFUSED_STREAM) {
            // The server did not process the stream (e.g. it was going away): safe to send again.
            if (mayRetry && state.httpStatus === 0) finish(statusError(Code.UNAVAILABLE, 'Stream refused by server', {}), false, true);
            else finish(statusError(Code.UNAVAILABLE, 'Stream refused by server', {}), false);
          } else if (rst === NGHTTP2_CANCEL) {
            // Node reports a dropped connection as CANCEL too; only a live session means the peer cancelled.
            if (c.session.destroyed) finish(statusError(Code.UNAVAILABLE, 'Connection dropped', {}), false);
            else finish(statusError(Code.CANCELLED, 'Call cancelled', {}), false);
          } else if (rst === NGHTTP2_ENHANCE_YOUR_CALM) {
            finish(statusError(Code.RESOURCE_EXHAUSTED, 'Bandwidth exhausted or memory limit exceeded', {}), false);
          } else if (rst === NGHTTP2_INADEQUATE_SECURITY) {
            finish(statusError(Code.PERMISSION_DENIED, 'Protocol not secure enough', {}), false);
          } else if (rst === NGHTTP2_NO_ERROR && state.httpStatus !== 0 && state.httpStatus !== 200) {
            finish(httpStatusError(state.httpStatus), false);
          } else if (rst === NGHTTP2_NO_ERROR && state.httpStatus === 0) {
            finish(statusError(Code.UNAVAILABLE, 'Connection dropped', {}), false);
          } else {
            finish(statusError(Code.INTERNAL, `Received RST_STREAM with code ${rst} (Call ended without gRPC status)`, {}), false);
          }
        });
        stream.end(frame);

        function settleFromTrailers(trailers: http2.IncomingHttpHeaders): void {
          if (state.finished) return;
          const statusText = headerText(trailers['grpc-status']);
          if (statusText === undefined) {
            // No gRPC status at all: the HTTP status says what happened (a proxy, a non-gRPC server).
            copyMetadata(trailers, state.metadata);
            finish(state.httpStatus !== 200 && state.httpStatus !== 0 ? httpStatusError(state.httpStatus) : statusError(Code.UNKNOWN, 'No status information received', {}), true);
            return;
          }
          const code = Number(statusText);
          const details = percentDecode(headerText(trailers['grpc-message']) ?? '');
          copyMetadata(trailers, state.metadata);
          if (code !== Code.OK) {
            const detailText = headerText(trailers[STATUS_DETAILS_KEY]);
            finish(statusError(Number.isInteger(code) && code >= 0 && code <= 16 ? code : Code.UNKNOWN, details, state.metadata, detailText === undefined ? undefined : Buffer.from(detailText, 'base64')), false);
            return;
          }
          if (state.pending > 0) {
            finish(statusError(Code.INTERNAL, 'Incomplete message frame received', {}), true);
          } else if (state.messages === 0) {
            finish(statusError(Code.UNIMPLEMENTED, 'No message received', {}), false);
          } else {
            finish({ message: state.message!, metadata: state.metadata }, false);
          }
        }
      }
    });
  }

  async function healthy(timeoutMs = 1000): Promise<boolean> {
    try {
      const reply = await unary({ path: '/grpc.health.v1.Health/Check', message: new Uint8Array(0), metadata: {}, deadlineMs: timeoutMs });
      // HealthCheckResponse { ServingStatus status = 1; } SERVING = 1: the bytes 0x08 0x01.
      return reply.message.length === 2 && reply.message[0] === 0x08 && reply.message[1] === 0x01;
    } catch {
      return false;
    }
  }

  function close(): void {
    closed = true;
    const c = conn;
    conn = undefined;
    // In-flight calls fail UNAVAILABLE (their streams are destroyed with the session).
    c?.session.destroy();
  }

  function requestHeaders(request: UnaryRequest): http2.OutgoingHttpHeaders {
    const headers: http2.OutgoingHttpHeaders = {
      [HTTP2_HEADER_METHOD]: 'POST',
      [HTTP2_HEADER_SCHEME]: 'http',
      [HTTP2_HEADER_PATH]: request.path,
      [HTTP2_HEADER_AUTHORITY]: authority,
      [HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      [HTTP2_HEADER_TE]: 'trailers',
      [HTTP2_HEADER_USER_AGENT]: USER_AGENT,
      'grpc-accept-encoding': 'identity',
    };
    for (const key of Object.keys(request.metadata)) {
      const name = key.toLowerCase();
      if (name.startsWith(':') || RESERVED.has(name) || name === 'grpc-status' || name === 'grpc-message') continue;
      if (!/^[0-9a-z_.-]+$/.test(name)) throw new Error(`metadata key '${key}' contains illegal characters`);
      const value = request.metadata[key];
      if (name.endsWith('-bin')) headers[name] = Buffer.from(value, 'utf8').toString('base64');
      else if (/^[\x20-\x7e]*$/.test(value)) headers[name] = value;
      else throw new Error(`metadata value of '${key}' contains illegal characters`);
    }
    return headers;
  }

  return { target, unary, healthy, close };
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
      if (head[0] !== 0) return statusError(Code.INTERNAL, 'Received a compressed message, but no compression was negotiated', {});
      const length = head.readUInt32BE(1);
      if (length > maxReceive) return statusError(Code.RESOURCE_EXHAUSTED, `Received message larger than max (${length} vs ${maxReceive})`, {});
      state.frameLength = length;
    }
    const total = 5 + state.frameLength;
    if (state.pending < total) break;
    const buffer = state.chunks.length === 1 ? state.chunks[0] : flatten(state);
    state.messages++;
    if (state.messages > 1) return statusError(Code.UNIMPLEMENTED, 'Too many responses received', {});
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

/** The error `toGatewayError` would make of the same status. */
function statusError(code: Code, details: string, metadata: Record<string, string>, detailBytes?: Buffer): GatewayError {
  const info = decodeErrorInfo(detailBytes);
  let message = details;
  if (!info) {
    if (code === Code.UNAVAILABLE) message = 'upstream unavailable';
    else if (code === Code.DEADLINE_EXCEEDED) message = 'upstream deadline exceeded';
    else if (code === Code.CANCELLED) message = 'call cancelled';
  }
  const cause = Object.assign(new Error(`${code} ${Code[code] ?? ''}: ${details}`), { code, details, metadata });
  return new GatewayError(code, message, { reason: info?.reason, domain: info?.domain, metadata: info?.metadata, cause });
}

/** HTTP status of a reply without a gRPC status → gRPC code (the gRPC HTTP/2 mapping). */
function httpStatusError(status: number): GatewayError {
  const code =
    status === 400 ? Code.INTERNAL
    : status === 401 ? Code.UNAUTHENTICATED
    : status === 403 ? Code.PERMISSION_DENIED
    : status === 404 ? Code.UNIMPLEMENTED
    : status === 429 || status === 502 || status === 503 || status === 504 ? Code.UNAVAILABLE
    : Code.UNKNOWN;
  return statusError(code, `Received HTTP status code ${status}`, {});
}

/** Text metadata of a header block (first value of each key), without pseudo and status keys. */
function copyMetadata(headers: http2.IncomingHttpHeaders, into: Record<string, string>): void {
  for (const key of Object.keys(headers)) {
    if (key.charCodeAt(0) === 58 /* : */ || STATUS_KEYS.has(key) || key.endsWith('-bin')) continue;
    const v = headerText(headers[key]);
    if (v !== undefined) into[key] = v;
  }
}

function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** `grpc-timeout`: at most 8 digits and a unit. */
export function encodeTimeout(ms: number): string {
  const m = Math.max(1, Math.ceil(ms));
  if (m < 1e8) return `${m}m`;
  const s = Math.ceil(m / 1000);
  if (s < 1e8) return `${s}S`;
  return `${Math.min(99_999_999, Math.ceil(s / 3600))}H`;
}

/**
 * `grpc-message` is percent-encoded UTF-8. Malformed escapes stay as they are: a peer's odd
 * message must never fail the call.
 */
export function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    const bytes: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 37 && i + 2 < text.length && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
        bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        for (const b of Buffer.from(text[i], 'utf8')) bytes.push(b);
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
}

/** `host:port`, `[v6]:port`; the port defaults to 80 as in an http: URL. */
function splitHostPort(authority: string): { host: string; port: number } {
  const url = new URL(`http://${authority}`);
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port === '' ? 80 : Number(url.port) };
}

function isSessionGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ERR_HTTP2_GOAWAY_SESSION' || code === 'ERR_HTTP2_INVALID_SESSION' || code === 'ERR_HTTP2_SESSION_ERROR';
}
