/**
 * Everything a call through a route does before it goes upstream, written once for the three
 * roads in: a unary request (handle-request.ts), a stream over plain HTTP (handle-stream.ts) and
 * a WebSocket session (handle-websocket.ts). In order: authentication, the route's role (and its
 * elevation), the body (parsed, validated), the unknown-query policy, the request mapping, the
 * readiness check, the upstream, the forwarded metadata and the deadline. One order everywhere,
 * so a check added here reaches every road, and one way an error becomes an answer
 * (`renderCallError`), so a 401 carries its challenge on every road.
 */
import type { CompiledFrontend, CompiledRoute } from '../routing/compiled-route.js';
import type { Authenticator } from '../security/authenticator.js';
import type { Upstream } from '../upstream/upstream.js';
import { Code, GatewayError, gatewayError, GatewayReason } from './gateway-error.js';
import { firstValue, forwardedMetadata, headerValue } from './http-input-values.js';
import type { HttpInput, HttpReply } from './http-types.js';
import { renderError } from './render-error.js';

/** Where the call's request message comes from. */
export type RequestSource =
  /** The HTTP body, parsed as one JSON value (unary, and server streaming over plain HTTP). */
  | 'body'
  /** Path, query and headers only: a WebSocket upgrade has no body. */
  | 'no-body'
  /** One message per client message, mapped later by `mapClientMessage` (client and bidi streams). */
  | 'per-message';

export interface CallPreparation {
  readonly source: RequestSource;
  readonly auth?: Authenticator;
  /** The gateway's id of the request, forwarded as `x-request-id`. */
  readonly requestId: string;
}

/**
 * What preparing found out so far: filled as it goes, so that a failure halfway is still
 * rendered with the principal (for the log) and the request bound (for error templates).
 */
export interface CallState {
  principal?: string;
  request?: Record<string, unknown>;
}

/** A call ready to go upstream. */
export interface PreparedCall {
  /** The encoded request message; absent for per-message calls and static routes. */
  readonly message?: Uint8Array;
  /** The route's upstream; present when the route calls a gRPC method. */
  readonly upstream?: Upstream;
  /** The overall deadline: the route's for a unary call, none (0) for a stream, whose limits bound it. */
  readonly deadlineMs: number;
  /**
   * The forwarded headers as gRPC metadata. A function: a response-cache hit never needs them.
   * @throws GatewayError INVALID_ARGUMENT (BINDING_TYPE) for a value metadata cannot carry.
   */
  metadata(): Record<string, string>;
}

/**
 * Prepares one call through `route`.
 * @throws GatewayError UNAUTHENTICATED, PERMISSION_DENIED, the body's and the mapping's
 * INVALID_ARGUMENT (UNSUPPORTED_MEDIA_TYPE, MALFORMED_BODY, UNKNOWN_PARAMETER, BINDING_*),
 * UNAVAILABLE (NOT_READY, UPSTREAM_UNAVAILABLE).
 */
export async function prepareCall(route: CompiledRoute, params: Record<string, string>, input: HttpInput, how: CallPreparation, state: CallState): Promise<PreparedCall> {
  const { source, auth, requestId } = how;
  state.principal = await authorizeRoute(route, input, auth);
  let message: Uint8Array | undefined;
  if (source !== 'per-message') {
    let body: unknown;
    // A route that reads the body as bytes (`encoding: raw`) takes it of any type, unparsed.
    const rawBody = source === 'body' && route.mapRequest.readsRawBody ? input.body : undefined;
    if (source === 'body' && !route.mapRequest.readsRawBody) {
      body = parseBody(route.frontend, input);
      route.validateBody?.(body);
    }
    if (route.frontend.unknownQuery === 'reject') rejectUnknownQuery(route, input.query);
    state.request = route.mapRequest({ params, query: input.query, headers: input.headers, body, ...(rawBody ? { rawBody } : {}) });
  } else if (route.frontend.unknownQuery === 'reject') {
    rejectUnknownQuery(route, input.query);
  }
  const upstream = route.frontend.upstream;
  if (route.readiness && !(upstream && (await upstream.healthy()))) {
    throw gatewayError(Code.UNAVAILABLE, GatewayReason.NOT_READY, 'the backend is not ready', {});
  }
  if (!route.grpc) return { deadlineMs: route.deadlineMs, metadata: () => ({}) };
  if (!upstream) throw gatewayError(Code.UNAVAILABLE, GatewayReason.UPSTREAM_UNAVAILABLE, 'no upstream is bound to this route', {});
  if (state.request) message = encodeRequest(route, state.request);
  return {
    message,
    upstream,
    // Streams live as long as both ends want them; the route's idle timeout and maximum
    // duration bound them instead of an overall deadline.
    deadlineMs: route.streaming ? 0 : route.deadlineMs,
    metadata: () => forwardedMetadata(route.forwardHeaders, input.headers, requestId),
  };
}

/**
 * One client message of a client or bidi stream (a WebSocket frame, a JSON value of the HTTP
 * body), mapped by the route's body mappings and encoded; `state.request` becomes it, so an
 * error template reads the message that failed.
 * @throws GatewayError INVALID_ARGUMENT (BINDING_*, MALFORMED_BODY) as a body's mapping does.
 */
export function mapClientMessage(route: CompiledRoute, params: Record<string, string>, input: HttpInput, value: unknown, state: CallState): Uint8Array {
  route.validateBody?.(value);
  state.request = route.mapRequest({ params, query: input.query, headers: input.headers, body: value });
  return encodeRequest(route, state.request);
}

export interface CallErrorRendering {
  readonly auth?: Authenticator;
  readonly contentType?: string;
  readonly state?: CallState;
}

/**
 * Renders a failure of a call through `route` as an HTTP answer: the route's error mapping, an
 * unexpected failure as INTERNAL (kept in `fault` for the log, never shown), and a 401 for
 * missing or wrong credentials with the authenticator's `WWW-Authenticate` challenge.
 */
export function renderCallError(route: CompiledRoute, err: unknown, rendering: CallErrorRendering = {}): HttpReply {
  const error = asGatewayError(err);
  const reply = renderError(error, { mapError: route.mapError, request: rendering.state?.request, contentType: rendering.contentType });
  reply.principal = rendering.state?.principal;
  if (!(err instanceof GatewayError)) reply.fault = err;
  if (rendering.auth && error.reason === GatewayReason.UNAUTHENTICATED && reply.status === 401) reply.headers['www-authenticate'] = rendering.auth.challenge;
  return reply;
}

/** A GatewayError as it is; anything else is an INTERNAL one with the original as its cause. */
export function asGatewayError(err: unknown): GatewayError {
  return err instanceof GatewayError ? err : new GatewayError(Code.INTERNAL, 'internal error', { reason: GatewayReason.INTERNAL, cause: err });
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

/**
 * The HTTP body as one JSON value; undefined when there is none.
 * @throws GatewayError INVALID_ARGUMENT: UNSUPPORTED_MEDIA_TYPE for a type the frontend does
 * not consume, MALFORMED_BODY for text that is not JSON or nests too deep.
 */
export function parseBody(frontend: CompiledFrontend, input: HttpInput): unknown {
  const raw = input.body;
  if (!raw || raw.length === 0) return undefined;
  checkBodyType(frontend, input);
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  return parseJsonValue(text, 'body');
}

/**
 * Refuses a body whose content type the frontend does not consume.
 * @throws GatewayError INVALID_ARGUMENT (UNSUPPORTED_MEDIA_TYPE).
 */
export function checkBodyType(frontend: CompiledFrontend, input: HttpInput): void {
  const contentType = headerValue(input.headers['content-type']);
  if (!frontend.negotiator.consumes(contentType)) {
    throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.UNSUPPORTED_MEDIA_TYPE, `content type '${contentType ?? ''}' is not supported`, { contentType: contentType ?? '' });
  }
}

/**
 * Parses one JSON value (a body, or one message of a streamed body), refusing deep nesting
 * before parsing: mapping it would recurse without bound.
 * @throws GatewayError INVALID_ARGUMENT (MALFORMED_BODY).
 */
export function parseJsonValue(text: string, what: string): unknown {
  if (nestingDepth(text) > MAX_JSON_DEPTH) {
    throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.MALFORMED_BODY, `JSON ${what} nested deeper than ${MAX_JSON_DEPTH} levels`, {});
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.MALFORMED_BODY, `malformed JSON ${what}: ${(err as Error).message}`, {});
  }
}

/** Deeper bodies are refused before parsing. */
export const MAX_JSON_DEPTH = 64;

/**
 * Encodes a bound request; protobufjs refuses messages nested past its own limit, and that is
 * the client's 400, not a 500.
 * @throws GatewayError INVALID_ARGUMENT (MALFORMED_BODY).
 */
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

/**
 * Refuses query parameters no mapping binds (the `reject` policy).
 * @throws GatewayError INVALID_ARGUMENT (UNKNOWN_PARAMETER).
 */
export function rejectUnknownQuery(route: CompiledRoute, query: HttpInput['query']): void {
  for (const name of Object.keys(query)) {
    if (!route.boundQuery.has(name)) {
      throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.UNKNOWN_PARAMETER, `unknown query parameter '${name}'`, { source: 'query', param: name });
    }
  }
}
