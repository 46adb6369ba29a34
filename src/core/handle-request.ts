/**
 * The request lifecycle, framework-free: match → negotiate → parse body → map request →
 * call upstream → map response; any failure leaves through the frontend's error mapper.
 */
import { randomUUID } from 'node:crypto';
import type { CompiledFrontend, CompiledRoute } from '../routing/compiled-route.js';
import type { RouteTable } from '../routing/route-table.js';
import { Code, GatewayError, gatewayError, GatewayReason } from './gateway-error.js';
import type { HttpInput, HttpReply } from './http-types.js';
import { accept, firstValue, forwardedMetadata, headerValue, hostOf, REQUEST_ID } from './http-input-values.js';
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
  } else if (responseType === undefined) {
    const error = gatewayError(Code.INVALID_ARGUMENT, GatewayReason.NOT_ACCEPTABLE, 'none of the accepted media types can be produced', { accept: accept(input) ?? '' });
    reply = renderError(error, { mapError: route.mapError, contentType: frontend.negotiator.fallbackType });
  } else {
    reply = await invokeRoute(route, params, input, requestId, responseType, auth);
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
  let request: Record<string, unknown> | undefined;
  let upstreamCode: number | undefined;
  let principalName: string | undefined;
  try {
    principalName = await authorizeRoute(route, input, auth);
    const body = parseBody(route.frontend, input);
    route.validateBody?.(body);
    if (route.frontend.unknownQuery === 'reject') rejectUnknownQuery(route, input.query);
    request = route.mapRequest({ params, query: input.query, headers: input.headers, body });
    const upstream = route.frontend.upstream;
    if (route.readiness && !(upstream && (await upstream.healthy()))) {
      throw gatewayError(Code.UNAVAILABLE, GatewayReason.NOT_READY, 'the backend is not ready', {});
    }
    let response: unknown;
    let metadata: Readonly<Record<string, string>> | undefined;
    let cacheKey: string | undefined;
    const generation = route.frontend.cache.generation;
    if (route.grpc) {
      if (!upstream) throw gatewayError(Code.UNAVAILABLE, GatewayReason.UPSTREAM_UNAVAILABLE, 'no upstream is bound to this route', {});
      const message = encodeRequest(route, request);
      if (route.cache) {
        // Hot path of cached reads: the encoded request, and the value of every forwarded
        // header the backend may answer by, is the key; no upstream hop.
        cacheKey = cacheKeyOf(responseType, route.cacheVary, input.headers, message);
        const hit = route.frontend.cache.get(route.id, cacheKey);
        if (hit) return { ...hit, headers: { ...hit.headers }, principal: principalName };
      }
      try {
        const reply = await upstream.unary({
          path: route.grpc.path,
          message,
          metadata: forwardedMetadata(route.forwardHeaders, input.headers, requestId),
          deadlineMs: route.deadlineMs,
          signal: input.signal,
        });
        upstreamCode = Code.OK;
        response = route.grpc.responseType.decode(reply.message);
        metadata = reply.metadata;
      } catch (err) {
        if (err instanceof GatewayError) upstreamCode = err.code;
        throw err;
      }
    }
    const mapped = route.mapResponse(response, request, metadata);
    const payload = mapped.raw ? String(mapped.body) : JSON.stringify(mapped.body) ?? '';
    const reply: HttpReply = { status: mapped.status, headers: { 'content-type': responseType, ...mapped.headers }, body: payload, upstreamCode, principal: principalName };
    if (route.writes) reply.clearedCache = clearCache(route.frontend);
    else if (cacheKey !== undefined) route.frontend.cache.set(route.id, cacheKey, { status: reply.status, headers: { ...reply.headers }, body: payload }, route.cache!, generation);
    return reply;
  } catch (err) {
    const error = err instanceof GatewayError ? err : new GatewayError(Code.INTERNAL, 'internal error', { reason: GatewayReason.INTERNAL, cause: err });
    // 415 and 406 bodies go out in the first produced type (what the client can surely read).
    const type = error.reason === GatewayReason.UNSUPPORTED_MEDIA_TYPE ? route.frontend.negotiator.fallbackType : responseType;
    const reply = renderError(error, { mapError: route.mapError, request, contentType: type });
    reply.upstreamCode = upstreamCode;
    reply.principal = principalName;
    if (!(err instanceof GatewayError)) reply.fault = err;
    // A write that reached the upstream may have changed state even though it failed.
    if (route.writes && upstreamCode !== undefined) reply.clearedCache = clearCache(route.frontend);
    if (auth && error.reason === GatewayReason.UNAUTHENTICATED && reply.status === 401) reply.headers['www-authenticate'] = auth.challenge;
    return reply;
  }
}

/**
 * Authenticates the caller and checks the route's role (and its elevation) when auth is on.
 * @returns the principal's name, when one was authenticated.
 * @throws GatewayError UNAUTHENTICATED or PERMISSION_DENIED.
 */
export async function authorizeRoute(route: CompiledRoute, input: HttpInput, auth: Authenticator | undefined): Promise<string | undefined> {
  if (!auth || route.role === 'none') return undefined;
  const principal = await auth.authenticate(headerValue(input.headers['authorization']), input.clientAddress);
  // The request mapper binds the first of repeated values to a scalar field (DESIGN.md §8),
  // so the elevation reads that same first value: never the joined list.
  const flag = route.elevate ? firstValue(input.query[route.elevate.query]) : undefined;
  const role = route.elevate && flag?.toLowerCase() === 'true' ? route.elevate.role : route.role;
  auth.authorize(principal, route.frontend.namespace ?? '*', role);
  return principal.name;
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

export function parseBody(frontend: CompiledFrontend, input: HttpInput): unknown {
  const raw = input.body;
  if (!raw || raw.length === 0) return undefined;
  const contentType = headerValue(input.headers['content-type']);
  if (!frontend.negotiator.consumes(contentType)) {
    throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.UNSUPPORTED_MEDIA_TYPE, `content type '${contentType ?? ''}' is not supported`, { contentType: contentType ?? '' });
  }
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  if (nestingDepth(text) > MAX_JSON_DEPTH) {
    throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.MALFORMED_BODY, `JSON body nested deeper than ${MAX_JSON_DEPTH} levels`, {});
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.MALFORMED_BODY, `malformed JSON body: ${(err as Error).message}`, {});
  }
}

/** Deeper bodies are refused before parsing: mapping them would recurse without bound. */
const MAX_JSON_DEPTH = 64;

/** protobufjs refuses messages nested past its own limit; that is the client's 400, not a 500. */
export function encodeRequest(route: CompiledRoute, request: Record<string, unknown>): Uint8Array {
  try {
    return route.grpc!.requestType.encode(request).finish();
  } catch (err) {
    throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.MALFORMED_BODY, `the request cannot be encoded: ${(err as Error).message}`, {});
  }
}

/** The deepest array/object nesting of JSON text (brackets inside strings do not count). */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

export function rejectUnknownQuery(route: CompiledRoute, query: HttpInput['query']): void {
  for (const name of Object.keys(query)) {
    if (!route.boundQuery.has(name)) {
      throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.UNKNOWN_PARAMETER, `unknown query parameter '${name}'`, { source: 'query', param: name });
    }
  }
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
