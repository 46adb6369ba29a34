/**
 * A server-streaming route over plain HTTP, framework-free: the request is authorised, bound and
 * sent as handle-request.ts does it, then each backend message is rendered by the route's
 * response template and framed as SSE or NDJSON (negotiated among the route's framings).
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
import { authorizeRoute, encodeRequest, parseBody, rejectUnknownQuery } from './handle-request.js';
import { accept, forwardedMetadata } from './http-input-values.js';
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
  /** Told when the response headers left (the stream is open). */
  readonly onOpened?: (route: CompiledRoute) => void;
}

/** How a stream ended, for the log line and the metrics. */
export interface StreamSummary {
  readonly framing: string;
  /** The gRPC code it ended with: OK, the backend's, CANCELLED when the client went away, UNAVAILABLE at shutdown. */
  readonly code: Code;
  readonly messagesSent: number;
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

  let request: Record<string, unknown> | undefined;
  let principal: string | undefined;
  let upstreamCode: number | undefined;
  const refuse = (err: unknown): HttpReply => {
    const error = err instanceof GatewayError ? err : new GatewayError(Code.INTERNAL, 'internal error', { reason: GatewayReason.INTERNAL, cause: err });
    const reply = renderError(error, { mapError: route.mapError, request, contentType: errorType });
    reply.principal = principal;
    reply.upstreamCode = upstreamCode;
    if (!(err instanceof GatewayError)) reply.fault = err;
    return reply;
  };

  let call: UpstreamStream;
  let headers: Readonly<Record<string, string>>;
  try {
    principal = await authorizeRoute(route, input, options.auth);
    const body = parseBody(route.frontend, input);
    route.validateBody?.(body);
    if (route.frontend.unknownQuery === 'reject') rejectUnknownQuery(route, input.query);
    request = route.mapRequest({ params, query: input.query, headers: input.headers, body });
    const upstream = route.frontend.upstream;
    if (!upstream?.stream) throw gatewayError(Code.UNAVAILABLE, GatewayReason.UPSTREAM_UNAVAILABLE, 'no upstream that streams is bound to this route', {});
    if (route.readiness && !(await upstream.healthy())) throw gatewayError(Code.UNAVAILABLE, GatewayReason.NOT_READY, 'the backend is not ready', {});
    const message = encodeRequest(route, request);
    // No overall deadline: a stream lives as long as both ends want it (the route's limits,
    // idle timeout and maximum duration, bound it when declared).
    call = upstream.stream({
      path: route.grpc!.path,
      metadata: forwardedMetadata(route.forwardHeaders, input.headers, requestId),
      deadlineMs: 0,
      signal: input.signal,
      limits: streaming.limits,
    });
    call.write(message).catch(() => {
      // The call's failure surfaces through its headers and its messages.
    });
    call.end();
    try {
      headers = await call.headers;
    } catch (err) {
      if (err instanceof GatewayError) upstreamCode = err.code;
      throw err;
    }
  } catch (err) {
    return refuse(err);
  }

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
      const mapped = route.mapResponse(decoded, request, headers);
      const ctx = { response: decoded, request, metadata: headers };
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
      send(framer.shutdown(renderError(error, { mapError: route.mapError, request }).body));
    } else if (response.gone) {
      code = Code.CANCELLED;
    } else {
      const error = err instanceof GatewayError ? err : new GatewayError(Code.INTERNAL, 'internal error', { reason: GatewayReason.INTERNAL, cause: err });
      code = error.code;
      send(framer.error(renderError(error, { mapError: route.mapError, request }).body));
    }
  } finally {
    if (timer) clearInterval(timer);
    unregister?.();
    response.end();
  }
  const summary: StreamSummary = { framing, code, messagesSent, bytesSent, seconds: (performance.now() - started) / 1000 };
  return { status: route.plan.response.status, headers: {}, body: '', principal, upstreamCode: code, stream: summary };
}

/** An SSE field's text: strings as they are, other scalars as JSON, nothing for null/undefined. */
function fieldText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : typeof value === 'bigint' ? value.toString() : JSON.stringify(value);
}
