/**
 * The request lifecycle, framework-free: match → negotiate → parse body → map request →
 * call upstream → map response; any failure leaves through the frontend's error mapper.
 */
import { randomUUID } from 'node:crypto';
import type { CompiledFrontend, CompiledRoute } from '../routing/compiled-route.js';
import type { RouteTable } from '../routing/route-table.js';
import { Code, GatewayError, gatewayError, GatewayReason } from './gateway-error.js';
import type { HttpInput, HttpReply } from './http-types.js';
import { accept, headerValue, hostOf, REQUEST_ID } from './http-input-values.js';
import { prepareCall, renderCallError, type CallState } from './prepare-call.js';
import { renderError } from './render-error.js';
import type { Authenticator } from '../security/authenticator.js';


/**
 * Serves a matched streaming route (core/handle-stream.ts, bound to the framework's response
 * by the caller): its reply is an error answered before any stream started, or the summary of
 * a stream already written.
 */
export type Streamer = (route: CompiledRoute, params: Record<string, string>, requestId: string) => Promise<HttpReply>;

/**
 * Handles one request against a table; never throws, never answers with a stack trace. A route
 * bound to a streaming method goes to `streamer` (without one it answers UNIMPLEMENTED).
 */
export async function handleRequest(table: RouteTable, input: HttpInput, auth?: Authenticator, streamer?: Streamer): Promise<HttpReply> {
  const requestId = input.requestId ?? requestIdFrom(input.headers[REQUEST_ID]);
  const match = table.match(input.method, input.path, hostOf(input.headers));
  if (match.options) {
    return { status: 200, headers: { allow: match.options.join(', '), [REQUEST_ID]: requestId }, body: '' };
  }
  if (match.error) {
    const reply = renderError(match.error, { mapError: match.frontend?.mapError, contentType: errorType(match.frontend, accept(input)) });
    if (match.allow) reply.headers['allow'] = match.allow.join(', ');
    reply.headers[REQUEST_ID] = requestId;
    return reply;
  }
  const { route, params } = match;
  const frontend = route.frontend;
  const responseType = frontend.negotiator.responseType(accept(input));
  let reply: HttpReply;
  if (route.streaming && input.method === 'HEAD') {
    // A HEAD would open the backend's stream and tail it with no body ever read: refused.
    const error = gatewayError(Code.UNIMPLEMENTED, GatewayReason.METHOD_NOT_ALLOWED, `HEAD is not served on the streaming route '${route.id}'`, { method: 'HEAD', path: input.path });
    reply = renderError(error, { mapError: route.mapError, contentType: frontend.negotiator.fallbackType });
    reply.headers['allow'] = 'GET';
  } else if (route.streaming) {
    reply = streamer
      ? await streamer(route, params, requestId)
      : renderError(gatewayError(Code.UNIMPLEMENTED, GatewayReason.METHOD_NOT_ALLOWED, 'streaming routes are not served here'), { mapError: route.mapError });
  } else if (responseType === undefined && !route.mapResponse.rawBytes) {
    const error = gatewayError(Code.INVALID_ARGUMENT, GatewayReason.NOT_ACCEPTABLE, 'none of the accepted media types can be produced', { accept: accept(input) ?? '' });
    reply = renderError(error, { mapError: route.mapError, contentType: frontend.negotiator.fallbackType });
  } else {
    // A route answering stored bytes answers them whatever type was asked for: the type is theirs.
    reply = await invokeRoute(route, params, input, requestId, responseType ?? 'application/octet-stream', auth);
  }
  reply.headers[REQUEST_ID] = requestId;
  reply.routeId = route.id;
  reply.frontend = frontend.name;
  reply.namespace = frontend.namespace;
  reply.pathTemplate = route.template;
  if (reply.upstreamCode !== undefined) reply.upstreamMethod = route.grpc?.path;
  return reply;
}

/** The client's x-request-id when it is a sane token (printable, at most 128), else a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && /^[\x21-\x7e]{1,128}$/.test(header) ? header : randomUUID();
}

/** Renders an error raised outside any route (no frontend matched, body too large, ...). */
export function renderRoutingError(table: RouteTable, input: HttpInput, error: GatewayError): HttpReply {
  const frontend = table.frontendFor(input.path, hostOf(input.headers));
  return renderError(error, { mapError: frontend?.mapError, contentType: errorType(frontend, accept(input)) });
}

/** Calls the route; the reply names the authenticated principal (for the request log line). */
async function invokeRoute(route: CompiledRoute, params: Record<string, string>, input: HttpInput, requestId: string, responseType: string, auth: Authenticator | undefined): Promise<HttpReply> {
  const state: CallState = {};
  let upstreamCode: number | undefined;
  try {
    const call = await prepareCall(route, params, input, { source: 'body', auth, requestId }, state);
    let response: unknown;
    let metadata: Readonly<Record<string, string>> | undefined;
    let cacheKey: string | undefined;
    const generation = route.frontend.cache.generation;
    if (call.upstream && call.message) {
      if (route.cache) {
        // Hot path of cached reads: the encoded request, and the value of every forwarded
        // header the backend may answer by, is the key; no upstream hop.
        cacheKey = cacheKeyOf(responseType, route.cacheVary, input.headers, call.message);
        const hit = route.frontend.cache.get(route.id, cacheKey);
        if (hit) return { ...hit, headers: { ...hit.headers }, principal: state.principal };
      }
      try {
        const reply = await call.upstream.unary({
          path: route.grpc!.path,
          message: call.message,
          metadata: call.metadata(),
          deadlineMs: call.deadlineMs,
          signal: input.signal,
        });
        upstreamCode = Code.OK;
        response = route.grpc!.responseType.decode(reply.message);
        metadata = reply.metadata;
      } catch (err) {
        if (err instanceof GatewayError) upstreamCode = err.code;
        throw err;
      }
    }
    const mapped = route.mapResponse(response, state.request, metadata);
    const bytes = Buffer.isBuffer(mapped.body) ? mapped.body : undefined;
    const text = bytes ? '' : mapped.raw ? String(mapped.body) : JSON.stringify(mapped.body) ?? '';
    const reply: HttpReply = { status: mapped.status, headers: { 'content-type': responseType, ...mapped.headers }, body: text, upstreamCode, principal: state.principal };
    if (bytes) {
      reply.bytes = bytes;
      // Bytes stored without a type are bytes of no known type.
      if (reply.headers['content-type'] === '') reply.headers['content-type'] = 'application/octet-stream';
    }
    if (route.writes) reply.clearedCache = clearCache(route.frontend);
    else if (cacheKey !== undefined) {
      route.frontend.cache.set(route.id, cacheKey, { status: reply.status, headers: { ...reply.headers }, body: text, ...(bytes ? { bytes } : {}) }, route.cache!, generation);
    }
    return reply;
  } catch (err) {
    // 415 and 406 bodies go out in the first produced type (what the client can surely read).
    const unsupported = err instanceof GatewayError && err.reason === GatewayReason.UNSUPPORTED_MEDIA_TYPE;
    const reply = renderCallError(route, err, { auth, state, contentType: unsupported ? route.frontend.negotiator.fallbackType : responseType });
    reply.upstreamCode = upstreamCode;
    // A write that reached the upstream may have changed state even though it failed.
    if (route.writes && upstreamCode !== undefined) reply.clearedCache = clearCache(route.frontend);
    return reply;
  }
}

function clearCache(frontend: CompiledFrontend): HttpReply['clearedCache'] {
  frontend.cache.clear();
  return { frontend: frontend.name, namespace: frontend.namespace };
}

/** The type errors outside a negotiated route go out as: the client's choice if producible. */
function errorType(frontend: CompiledFrontend | undefined, acceptHeader: string | undefined): string {
  if (!frontend) return 'application/json';
  return frontend.negotiator.responseType(acceptHeader) ?? frontend.negotiator.fallbackType;
}

/**
 * A cached answer's key. Header values hold no CR or LF (the HTTP parser refuses them), so a
 * newline separates them unambiguously and NUL marks an absent header. A value that cannot be
 * forwarded never gets an answer to cache (forwardedMetadata refuses it on the miss).
 */
function cacheKeyOf(responseType: string, vary: readonly string[], headers: HttpInput['headers'], message: Uint8Array): string {
  let key = responseType + '\n';
  for (const name of vary) key += (headerValue(headers[name]) ?? '\0') + '\n';
  return key + Buffer.from(message.buffer, message.byteOffset, message.byteLength).toString('latin1');
}
