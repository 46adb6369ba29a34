/**
 * One WebSocket session, framework-free: the upgrade request is matched against the route table
 * it arrived on, authenticated and authorised as a REST request is, mapped, and carried to the
 * backend as a streaming call. Framing follows DESIGN.md §8: after the 101 every error is
 * in-stream; text frames of JSON carry one message each; the client half-closes with
 * `{"$end":true}`; the socket closes 1000 on OK, 1001 on shutdown, and otherwise after a last
 * frame `{"error": <rendered error body>}` with 4000 + the gRPC code and the mapped message as
 * reason.
 *
 * Refusals (no route, a route without `stream.websocket`, the stream cap) are in-stream too,
 * rather than an HTTP answer to the upgrade: a browser's WebSocket API hides the status and body
 * of a refused handshake (the page sees only close 1006), while a close code and an error frame
 * reach every client. Credentials and the Origin are the exception, checked before the 101 when
 * auth is on (routing/websocket-route.ts `admit`): a 401 must carry its challenge, and a
 * hijacking page must not get a session at all. The session still authorises its call
 * (prepare-call.ts), so it is never opened without the route's role.
 */
import type { CompiledRoute, GrpcTarget, StreamingRoute } from '../routing/compiled-route.js';
import type { RouteTable } from '../routing/route-table.js';
import type { Authenticator } from '../security/authenticator.js';
import type { UpstreamStream } from '../upstream/upstream.js';
import { Code, GatewayError, gatewayError, GatewayReason } from './gateway-error.js';
import type { HttpInput } from './http-types.js';
import { headerValue, hostOf, REQUEST_ID } from './http-input-values.js';
import { asGatewayError, mapClientMessage, prepareCall, type CallState } from './prepare-call.js';
import { renderError } from './render-error.js';
import { closeReason, WebSocketClose } from './websocket-close.js';

/** The socket as the session drives it (ws' WebSocket satisfies it). */
export interface WebSocketPeer {
  /** Bytes queued on the socket and not yet written. */
  readonly bufferedAmount: number;
  /** Sends one text frame; `done` runs once it is written (or failed). */
  send(text: string, done: (err?: Error) => void): void;
  close(code: number, reason: string): void;
  /** Drops the connection without a closing handshake (a dead peer). */
  terminate(): void;
  ping(): void;
  /** Stops reading from the socket (backpressure towards a client that sends faster than the backend reads). */
  pause(): void;
  resume(): void;
}

export interface WebSocketSessionOptions {
  readonly auth?: Authenticator;
  /** A ping goes out at this interval; a peer that has not answered the previous one is dropped. 0 = off. */
  readonly pingIntervalMs: number;
  /** Larger inbound messages end the session with RESOURCE_EXHAUSTED. */
  readonly maxFrameBytes: number;
  /** While the socket holds more unsent bytes than this, the backend's stream is not read. */
  readonly maxSocketBufferedBytes: number;
  /**
   * Set when the session may not open (the listener's stream cap is reached): it ends at once
   * with this error's frame and close code, rendered in the shape of the frontend at the path.
   */
  readonly refusal?: GatewayError;
}

/** How a session ended, for the log line and metrics. */
export interface WebSocketSummary {
  routeId?: string;
  namespace?: string;
  pathTemplate?: string;
  principal?: string;
  /** The close code sent (1000, 1001, 4000 + gRPC code), or 1006 when the client went away first. */
  closeCode: number;
  /** The gRPC code the session ended with (CANCELLED when the client went away). */
  code: Code;
  messagesSent: number;
  messagesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  seconds: number;
}

export interface WebSocketSession {
  /** An inbound data frame (text or binary). */
  received(data: Buffer, binary: boolean): void;
  /** The peer answered a ping. */
  pong(): void;
  /** The socket closed (whoever closed it): the backend's stream is cancelled if still open. */
  closed(): void;
  /** Gateway shutdown: the backend's stream is cancelled and the socket closes 1001. */
  shutdown(): void;
  /** Settles when the session is over; never rejects. */
  readonly done: Promise<WebSocketSummary>;
}

const END_FRAME = '$end';

/**
 * Starts a session on a socket whose upgrade was accepted; never throws (every failure ends the
 * session with an error frame and a close code).
 */
export function openWebSocketSession(table: RouteTable, input: HttpInput, peer: WebSocketPeer, options: WebSocketSessionOptions): WebSocketSession {
  const started = performance.now();
  const summary: WebSocketSummary = { closeCode: 1006, code: Code.CANCELLED, messagesSent: 0, messagesReceived: 0, bytesSent: 0, bytesReceived: 0, seconds: 0 };
  let finished = false;
  let resolveDone!: (s: WebSocketSummary) => void;
  const done = new Promise<WebSocketSummary>((r) => (resolveDone = r));
  let route: WebSocketRoute | undefined;
  let streaming: StreamingRoute | undefined;
  let params: Record<string, string> = {};
  let stream: UpstreamStream | undefined;
  /** The principal, and the last request message bound (error templates may read it). */
  const state: CallState = {};
  let halfClosed = false;
  // Inbound frames are handled one at a time, after the call is open, in arrival order.
  let inbound: Promise<void>;
  let openCall!: () => void;
  const opened = new Promise<void>((r) => (openCall = r));
  inbound = opened;
  let queued = 0;

  let alive = true;
  const pinger = options.pingIntervalMs > 0 ? setInterval(() => {
    // While inbound frames wait on the backend the socket is paused and pongs go unread: a
    // slow backend is not a dead peer.
    if (queued > 0) alive = true;
    if (!alive) {
      // No pong since the last ping: the peer is gone without a close (a dead TCP path).
      peer.terminate();
      end(undefined, 1006);
      return;
    }
    alive = false;
    peer.ping();
  }, options.pingIntervalMs) : undefined;
  pinger?.unref();

  /** Ends the session once: error frame and close code, or close only; cancels the backend's call. */
  function end(error: GatewayError | undefined, closeCode: number): void {
    if (finished) return;
    finished = true;
    if (pinger) clearInterval(pinger);
    // No effect once the call ended on its own.
    stream?.cancel();
    summary.closeCode = closeCode;
    if (closeCode === WebSocketClose.NORMAL) summary.code = Code.OK;
    else if (closeCode === WebSocketClose.GOING_AWAY) summary.code = Code.UNAVAILABLE;
    if (error) {
      summary.code = error.code;
      summary.closeCode = WebSocketClose.STATUS_BASE + error.code;
      const rendered = renderError(error, { mapError: route?.mapError ?? table.frontendFor(input.path)?.mapError, request: state.request });
      // The rendered body is already JSON text: the frame carries it byte for byte as an HTTP
      // error answer would.
      const frame = `{"error":${rendered.body}}`;
      summary.messagesSent++;
      summary.bytesSent += Buffer.byteLength(frame);
      peer.send(frame, () => {});
      peer.close(WebSocketClose.STATUS_BASE + error.code, closeReason(messageOf(rendered.body) ?? error.message));
    } else if (closeCode !== 1006) {
      peer.close(closeCode, closeCode === WebSocketClose.GOING_AWAY ? 'gateway shutting down' : '');
    }
    // A socket paused for inbound backpressure must read again, or the peer's close frame is
    // never seen and the closing handshake waits for ws' timeout.
    peer.resume();
    if (route) {
      summary.routeId = route.id;
      summary.namespace = route.frontend.namespace;
      summary.pathTemplate = route.template;
    }
    summary.seconds = (performance.now() - started) / 1000;
    // The close handshake (or the peer's absence) settles the socket; the summary is final now.
    resolveDone(summary);
  }

  /** Sends one message; resolves at once unless the socket is holding too much. */
  function send(text: string): Promise<void> | undefined {
    summary.messagesSent++;
    summary.bytesSent += Buffer.byteLength(text);
    let flushed: (() => void) | undefined;
    const wait = peer.bufferedAmount + text.length > options.maxSocketBufferedBytes ? new Promise<void>((r) => (flushed = r)) : undefined;
    peer.send(text, () => flushed?.());
    return wait;
  }

  async function run(): Promise<void> {
    if (options.refusal) throw options.refusal;
    const match = matchWebSocketRoute(table, input);
    route = match.route;
    params = match.params;
    streaming = route.streaming!;
    const prepared = await prepareCall(route, params, input, { source: streaming.kind === 'server' ? 'no-body' : 'per-message', auth: options.auth, requestId: input.requestId ?? headerValue(input.headers[REQUEST_ID]) ?? '' }, state);
    summary.principal = state.principal;
    if (finished) return;
    stream = prepared.upstream!.stream({
      path: route.grpc.path,
      metadata: prepared.metadata(),
      // Sockets live long: the route's idle timeout and maximum duration bound them instead.
      deadlineMs: prepared.deadlineMs,
      limits: streaming.limits,
    });
    if (prepared.message) {
      // The call's own failure surfaces through the iteration below.
      void stream.write(prepared.message).catch(() => {});
      stream.end();
    }
    openCall();
    const metadata = await stream.headers;
    const responseType = route.grpc.responseType;
    for await (const bytes of stream) {
      if (finished) return;
      const mapped = route.mapResponse(responseType.decode(bytes), state.request, metadata);
      const text = mapped.raw ? String(mapped.body) : JSON.stringify(mapped.body) ?? 'null';
      // Backpressure from the socket: the backend's stream is not pulled while it is full.
      const full = send(text);
      if (full) await full;
    }
    end(undefined, WebSocketClose.NORMAL);
  }

  async function handleFrame(data: Buffer, binary: boolean): Promise<void> {
    if (finished || !stream || !route || !streaming) return;
    if (binary) throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.MALFORMED_BODY, 'binary frames are not accepted: send each message as a JSON text frame');
    if (data.length > options.maxFrameBytes) {
      throw gatewayError(Code.RESOURCE_EXHAUSTED, GatewayReason.PAYLOAD_TOO_LARGE, `a frame of ${data.length} bytes is larger than the ${options.maxFrameBytes} bytes accepted`);
    }
    let value: unknown;
    try {
      value = JSON.parse(data.toString('utf8'));
    } catch (err) {
      throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.MALFORMED_BODY, `malformed JSON frame: ${(err as Error).message}`);
    }
    if (isEndFrame(value)) {
      halfClosed = true;
      stream.end();
      return;
    }
    if (streaming.kind === 'server') throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.MALFORMED_BODY, `route '${route.id}' streams to the client and reads no messages; send only {"$end":true}`);
    if (halfClosed) throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.MALFORMED_BODY, 'a message after {"$end":true}');
    const message = mapClientMessage(route, params, input, value, state);
    // Backpressure towards the client: the socket stays paused until the backend took this one.
    await stream.write(message);
  }

  const fail = (err: unknown) => end(asGatewayError(err), 0);

  void run().catch(fail);

  return {
    received(data, binary) {
      if (finished) return;
      alive = true;
      summary.messagesReceived++;
      summary.bytesReceived += data.length;
      if (++queued === 1) peer.pause();
      inbound = inbound.then(() => handleFrame(data, binary)).catch(fail).finally(() => {
        if (--queued === 0) peer.resume();
      });
    },
    pong() {
      alive = true;
    },
    closed() {
      // The client went away (or the close handshake of an end finished): nothing more to send.
      end(undefined, 1006);
    },
    shutdown() {
      end(undefined, WebSocketClose.GOING_AWAY);
    },
    done,
  };
}

/** A route that accepts a WebSocket upgrade. */
export type WebSocketRoute = CompiledRoute & { readonly grpc: GrpcTarget; readonly streaming: StreamingRoute };

/**
 * The route an upgrade at `input.path` opens: the GET route there, or, when the path has none,
 * the route of another method that accepts WebSocket (a client- or bidi-streaming route is
 * usually a POST for its plain-HTTP body, and the upgrade, always a GET, reaches it too).
 * @throws GatewayError the table's NOT_FOUND, or UNIMPLEMENTED (METHOD_NOT_ALLOWED) when no route there takes a WebSocket.
 */
export function matchWebSocketRoute(table: RouteTable, input: Pick<HttpInput, 'path' | 'headers'>): { route: WebSocketRoute; params: Record<string, string> } {
  const host = hostOf(input.headers);
  let match = table.match('GET', input.path, host);
  if (match.error && match.allow) {
    for (const method of match.allow) {
      const other = table.match(method, input.path, host);
      if (other.route?.streaming?.websocket) {
        match = other;
        break;
      }
    }
  }
  if (!match.route) {
    throw match.error ?? gatewayError(Code.UNIMPLEMENTED, GatewayReason.METHOD_NOT_ALLOWED, `GET ${input.path} does not accept a WebSocket`, { method: 'GET', path: input.path });
  }
  const route = match.route;
  if (!route.streaming?.websocket || !route.grpc) {
    throw gatewayError(Code.UNIMPLEMENTED, GatewayReason.METHOD_NOT_ALLOWED, `route '${route.id}' does not accept a WebSocket upgrade`, { method: 'GET', path: input.path });
  }
  return { route: route as WebSocketRoute, params: match.params };
}

function isEndFrame(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as Record<string, unknown>)[END_FRAME] === true;
}

/** The `message` of a rendered error body, when it has one (the mapped message). */
function messageOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    const message = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).message : undefined;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}
