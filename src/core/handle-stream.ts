/**
 * A streaming route over plain HTTP, framework-free: the call is prepared as every call is
 * (prepare-call.ts), then each backend message is rendered by the route's response template and
 * framed as SSE or NDJSON (negotiated among the route's framings). For server streaming the
 * request message is the one bound from path, query, headers and body; for client and bidi
 * streaming the body is a sequence of JSON values (concatenated or newline-delimited, as
 * grpc-gateway takes them), each one request message mapped by the route's body mappings and
 * sent to the backend as soon as it has been read, with the backend's flow control pacing the
 * reading of the body.
 * DESIGN.md §8 fixes the rules: the status and headers leave when the backend's response
 * headers arrive; an error before them is an ordinary HTTP error through the error mapping;
 * after them it is rendered by the same mapping and sent in-stream (SSE `event: error`, NDJSON
 * `{"error": …}`). The backend is read only as fast as the client takes the bytes: a full
 * socket stops the pulling, and the upstream then stops granting the backend window.
 */
import type { CompiledRoute } from '../routing/compiled-route.js';
import { negotiateFraming } from '../routing/content-negotiation.js';
import type { Authenticator } from '../security/authenticator.js';
import { ndjsonFramer } from '../mapping/ndjson-framing.js';
import { createSseFramer, SSE_TYPE } from '../mapping/sse-framing.js';
import type { StreamFramer } from '../mapping/stream-framer.js';
import { Code, GatewayError, gatewayError, GatewayReason } from './gateway-error.js';
import { createJsonSequenceSplitter } from '../mapping/json-sequence.js';
import { accept, headerValue } from './http-input-values.js';
import { asGatewayError, checkBodyType, mapClientMessage, parseJsonValue, prepareCall, renderCallError, type CallState } from './prepare-call.js';
import type { HttpInput, HttpReply } from './http-types.js';
import type { OpenStreams } from './open-streams.js';
import { renderError } from './render-error.js';
import type { UpstreamStream } from '../upstream/upstream.js';

/** The HTTP response as a stream writes it (the adapter binds it to the framework's raw response). */
export interface StreamResponse {
  /** Sends the status and headers at once (before any body byte). */
  start(status: number, headers: Record<string, string>): void;
  /** Queues bytes; false when the socket's buffer is full (wait for `drained()` before more). */
  write(chunk: string): boolean;
  /** Settles when the socket can take more, or when the client went away. */
  drained(): Promise<void>;
  /** Ends the response. Idempotent. */
  end(): void;
  /** The client went away (the response closed before it was ended). */
  readonly gone: boolean;
}

export interface StreamOptions {
  readonly auth?: Authenticator;
  /** Where the stream registers, so a shutdown can end it as its framing says. */
  readonly openStreams?: OpenStreams;
  /** Largest JSON value of a client- or bidi-streaming body, in bytes; default DEFAULT_MAX_MESSAGE_BYTES. */
  readonly maxMessageBytes?: number;
  /** Told when the response headers left (the stream is open). */
  readonly onOpened?: (route: CompiledRoute) => void;
}

/** How a stream ended, for the log line and the metrics. */
export interface StreamSummary {
  readonly framing: string;
  /** The gRPC code it ended with: OK, the backend's, CANCELLED when the client went away, UNAVAILABLE at shutdown. */
  readonly code: Code;
  readonly messagesSent: number;
  /** Request messages sent to the backend (1 for server streaming; each JSON value of the body for client and bidi). */
  readonly messagesReceived: number;
  readonly bytesSent: number;
  readonly seconds: number;
}

/**
 * Serves one server-streaming request; never throws. Resolves when the stream is over: with an
 * ordinary reply for the caller to send when it failed before any byte went out, or with a
 * reply carrying `stream` (its summary) when the stream was written to `response`.
 */
export async function handleStream(route: CompiledRoute, params: Record<string, string>, input: HttpInput, requestId: string, response: StreamResponse, options: StreamOptions = {}): Promise<HttpReply> {
  const started = performance.now();
  const streaming = route.streaming!;
  const errorType = route.frontend.negotiator.fallbackType;
  const framing = negotiateFraming(streaming.framings, accept(input));
  if (framing === undefined) {
    const message = streaming.framings.length === 0 ? 'this route streams over WebSocket only' : `this route streams as ${streaming.framings.join(' or ')}`;
    const error = gatewayError(Code.INVALID_ARGUMENT, GatewayReason.NOT_ACCEPTABLE, message, { accept: accept(input) ?? '' });
    return renderError(error, { mapError: route.mapError, contentType: errorType });
  }

  const state: CallState = {};
  let upstreamCode: number | undefined;
  const refuse = (err: unknown): HttpReply => {
    const reply = renderCallError(route, err, { auth: options.auth, state, contentType: errorType });
    reply.upstreamCode = upstreamCode;
    return reply;
  };

  let call: UpstreamStream;
  let headers: Readonly<Record<string, string>>;
  /** The client's messages (client and bidi streams): read from the body and sent as they come. */
  let pump: BodyPump | undefined;
  try {
    const source = streaming.kind === 'server' ? 'body' : 'per-message';
    const prepared = await prepareCall(route, params, input, { source, auth: options.auth, requestId }, state);
    if (source === 'per-message' && hasBody(input)) checkStreamBodyType(route, input);
    call = prepared.upstream!.stream({
      path: route.grpc!.path,
      metadata: prepared.metadata(),
      deadlineMs: prepared.deadlineMs,
      signal: input.signal,
      limits: streaming.limits,
    });
    if (prepared.message) {
      call.write(prepared.message).catch(() => {
        // The call's failure surfaces through its headers and its messages.
      });
      call.end();
    } else {
      pump = pumpBody(route, params, input, call, state, options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
    }
    try {
      headers = await (pump ? Promise.race([call.headers, pump.failed]) : call.headers);
    } catch (err) {
      // A malformed message before the backend answered is an ordinary 400 (its failure
      // cancelled the call, which the backend may have reported first).
      if (pump?.error) throw pump.error;
      if (err instanceof GatewayError) upstreamCode = err.code;
      throw err;
    }
  } catch (err) {
    return refuse(err);
  }
  const request = (): Record<string, unknown> | undefined => state.request;

  const framer: StreamFramer = framing === SSE_TYPE ? createSseFramer(streaming.sse.retryMs) : ndjsonFramer;
  let messagesSent = 0;
  let bytesSent = 0;
  let code: Code = Code.OK;
  const send = (chunk: string): boolean => {
    if (chunk === '' || response.gone) return true;
    bytesSent += Buffer.byteLength(chunk);
    return response.write(chunk);
  };
  // The backend's headers arrived: the gateway's leave now (not with the first message).
  response.start(route.plan.response.status, {
    'content-type': framer.contentType,
    'cache-control': 'no-cache',
    // Proxies that buffer responses (nginx) would hold the events back.
    'x-accel-buffering': 'no',
    'x-request-id': requestId,
  });
  options.onOpened?.(route);
  let shuttingDown = false;
  const unregister = options.openStreams?.add(() => {
    shuttingDown = true;
    call.cancel();
  });
  let blocked = false;
  const heartbeat = framer.heartbeat();
  // A heartbeat is skipped while the socket is full: the client is not idle then.
  const timer = heartbeat !== undefined && streaming.sse.heartbeatMs > 0 ? setInterval(() => blocked || send(heartbeat), streaming.sse.heartbeatMs) : undefined;
  timer?.unref();
  const { event, id } = streaming.sse;
  try {
    send(framer.opening());
    for await (const bytes of call) {
      const decoded = route.grpc!.responseType.decode(bytes);
      const mapped = route.mapResponse(decoded, request(), headers);
      const ctx = { response: decoded, request: request(), metadata: headers };
      const chunk = framer.message(JSON.stringify(mapped.body) ?? 'null', event && fieldText(event(ctx)), id && fieldText(id(ctx)));
      messagesSent++;
      if (!send(chunk)) {
        blocked = true;
        // The call's end (a limit, a cancel, the shutdown) must not wait for a reader that
        // stopped reading: either settles the wait.
        await Promise.race([response.drained(), call.trailers]);
        blocked = false;
      }
      // Leaving the loop cancels the backend's call.
      if (response.gone) break;
    }
    if (response.gone) code = Code.CANCELLED;
    else send(framer.end());
  } catch (err) {
    if (shuttingDown) {
      code = Code.UNAVAILABLE;
      const error = gatewayError(Code.UNAVAILABLE, GatewayReason.SHUTTING_DOWN, 'the gateway is shutting down', {});
      send(framer.shutdown(renderError(error, { mapError: route.mapError, request: request() }).body));
    } else if (response.gone) {
      code = Code.CANCELLED;
    } else {
      // A malformed message mid-body cancelled the call: the client hears of its own error.
      const error = pump?.error ?? asGatewayError(err);
      code = error.code;
      send(framer.error(renderError(error, { mapError: route.mapError, request: request() }).body));
    }
  } finally {
    if (timer) clearInterval(timer);
    unregister?.();
    response.end();
  }
  const summary: StreamSummary = { framing, code, messagesSent, messagesReceived: pump?.messages ?? 1, bytesSent, seconds: (performance.now() - started) / 1000 };
  return { status: route.plan.response.status, headers: {}, body: '', principal: state.principal, upstreamCode: code, stream: summary };
}

/** An SSE field's text: strings as they are, other scalars as JSON, nothing for null/undefined. */
function fieldText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : typeof value === 'bigint' ? value.toString() : JSON.stringify(value);
}

/** Largest JSON value of a streamed request body by default (the WebSocket frame limit's default). */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/** NDJSON bodies are taken even where the frontend consumes only JSON: they are its stream form. */
const NDJSON_TYPE = 'application/x-ndjson';

/** The client's side of a client- or bidi-streaming call over plain HTTP, read from the body. */
interface BodyPump {
  /** Rejects with the body's own failure (a malformed or unmappable message); never resolves. */
  readonly failed: Promise<never>;
  /** That failure, once there is one. */
  readonly error: GatewayError | undefined;
  /** Messages sent so far. */
  readonly messages: number;
}

/**
 * Reads the body's JSON values and writes each, mapped and encoded, to the call (waiting for
 * the backend's window before reading on), then half-closes. A value that does not parse or
 * map cancels the call and becomes `error`; a failure of the call itself (a write refused)
 * stops the reading and is left to the call's headers and messages to report.
 */
function pumpBody(route: CompiledRoute, params: Record<string, string>, input: HttpInput, call: UpstreamStream, state: CallState, maxMessageBytes: number): BodyPump {
  let fail!: (error: GatewayError) => void;
  const failed = new Promise<never>((_resolve, reject) => (fail = reject));
  // Settled after the headers, or never: not an unhandled rejection.
  failed.catch(() => {});
  const pump = { failed, error: undefined as GatewayError | undefined, messages: 0 };
  const splitter = createJsonSequenceSplitter(maxMessageBytes);
  /** Sends the values; false once the call refused a write (it ended). */
  const send = async (texts: string[]): Promise<boolean> => {
    for (const text of texts) {
      const message = mapClientMessage(route, params, input, parseJsonValue(text, 'message'), state);
      pump.messages++;
      try {
        await call.write(message);
      } catch {
        return false;
      }
    }
    return true;
  };
  void (async () => {
    try {
      for await (const chunk of bodyChunks(input)) {
        if (!(await send(splitter.push(chunk)))) return;
      }
      if (await send(splitter.end())) call.end();
    } catch (err) {
      // The body's own failure (the client going away mid-body ends the call through its signal).
      if (input.signal?.aborted) return;
      pump.error = asGatewayError(err);
      fail(pump.error);
      call.cancel();
    }
  })();
  return pump;
}

/** The body as it arrives when the adapter streams it, else the buffered body. */
function bodyChunks(input: HttpInput): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  if (input.bodyStream) return input.bodyStream;
  return input.body && input.body.length > 0 ? [input.body] : [];
}

function hasBody(input: HttpInput): boolean {
  return input.bodyStream !== undefined || (input.body !== undefined && input.body.length > 0);
}

/**
 * A streamed body is JSON values: the frontend's consumed types, or NDJSON.
 * @throws GatewayError INVALID_ARGUMENT (UNSUPPORTED_MEDIA_TYPE).
 */
function checkStreamBodyType(route: CompiledRoute, input: HttpInput): void {
  const contentType = headerValue(input.headers['content-type']);
  if (contentType !== undefined && contentType.split(';')[0]!.trim().toLowerCase() === NDJSON_TYPE) return;
  checkBodyType(route.frontend, input);
}
