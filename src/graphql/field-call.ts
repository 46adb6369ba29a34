/**
 * What a resolver does (hot path of every GraphQL field bound to gRPC): check the field's role,
 * map the arguments (and the parent object) onto the request message with the field's compiled
 * request mapper, call the method through the per-request loader, render the result with the
 * field's compiled template. A failure becomes the field's GraphQL error (graphql-errors.ts);
 * the other fields still resolve.
 *
 * The loader: one map per request from (method, encoded request) to the call's promise, so
 * identical calls in one operation (`subjects { versions { schema } }` reaching the same
 * version twice) share one upstream call, as a DataLoader per method would, without waiting
 * for a batch window (gRPC methods take one request each: there is no batch to make).
 */
import { Code, gatewayError, GatewayError, GatewayReason } from '../core/gateway-error.js';
import { forwardedMetadata } from '../core/http-input-values.js';
import type { CallSignal, HttpInput } from '../core/http-types.js';
import type { Authenticator, Principal } from '../security/authenticator.js';
import type { UpstreamStream } from '../upstream/upstream.js';
import { PARENT_KEY, type CompiledGraphqlField, type GraphqlEndpoint } from './graphql-endpoint.js';
import { toGraphqlError } from './graphql-errors.js';

/** One operation's context (graphql-js hands it to every resolver). */
export interface GraphqlContext {
  readonly endpoint: GraphqlEndpoint;
  readonly headers: HttpInput['headers'];
  readonly requestId: string;
  /** Aborted when the client goes away (or the subscription is stopped). */
  readonly signal?: CallSignal;
  /** When the operation must be over (performance.now() time); Infinity for subscriptions. */
  readonly deadlineAt: number;
  readonly auth?: Authenticator;
  /** The caller, authenticated before execution when auth is on. */
  readonly principal?: Principal;
  /** The per-request loader: (method, encoded request) → the call. */
  readonly calls: Map<string, Promise<CallResult>>;
}

interface CallResult {
  readonly response: unknown;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Resolves a Query, Mutation or added field by its unary call. */
export async function resolveField(field: CompiledGraphqlField, parent: unknown, args: Record<string, unknown>, ctx: GraphqlContext): Promise<unknown> {
  let request: Record<string, unknown> | undefined;
  try {
    authorize(field, ctx);
    request = field.mapRequest({ params: {}, query: {}, headers: ctx.headers, body: parent === undefined ? args : { ...args, [PARENT_KEY]: parent } });
    const message = encode(field, request);
    const key = field.grpcPath + '\n' + Buffer.from(message.buffer, message.byteOffset, message.byteLength).toString('latin1');
    let call = ctx.calls.get(key);
    if (!call) {
      call = unaryCall(field, message, ctx);
      ctx.calls.set(key, call);
    }
    const { response, metadata } = await call;
    return field.render({ response, request, metadata });
  } catch (err) {
    throw toGraphqlError(err, field.mapError, request);
  }
}

async function unaryCall(field: CompiledGraphqlField, message: Uint8Array, ctx: GraphqlContext): Promise<CallResult> {
  const upstream = ctx.endpoint.upstream;
  if (!upstream) throw gatewayError(Code.UNAVAILABLE, GatewayReason.UPSTREAM_UNAVAILABLE, 'no upstream is bound to this frontend', {});
  // The request timeout bounds every call: each gets what is left of it, at most its own deadline.
  const left = Math.floor(ctx.deadlineAt - performance.now());
  if (left <= 0) throw gatewayError(Code.DEADLINE_EXCEEDED, GatewayReason.REQUEST_TIMEOUT, 'the GraphQL request timed out', {});
  const reply = await upstream.unary({
    path: field.grpcPath,
    message,
    metadata: forwardedMetadata(ctx.endpoint.forwardHeaders, ctx.headers, ctx.requestId),
    deadlineMs: Math.min(field.deadlineMs, left),
    signal: ctx.signal,
  });
  return { response: field.responseType.decode(reply.message), metadata: reply.metadata };
}

/**
 * Subscribes a Subscription field: opens the server stream and maps each message to its
 * rendered result. The iterator's `return()` (the client stopped the subscription or went
 * away) cancels the upstream stream at once, even while a message is awaited: an async
 * generator would queue the return behind that pending read. An error from the backend is
 * delivered as one last event whose field fails (graphql-js turns it into `errors`).
 */
export async function subscribeField(field: CompiledGraphqlField, args: Record<string, unknown>, ctx: GraphqlContext): Promise<AsyncIterable<unknown>> {
  let request: Record<string, unknown> | undefined;
  let stream: UpstreamStream;
  try {
    authorize(field, ctx);
    request = field.mapRequest({ params: {}, query: {}, headers: ctx.headers, body: args });
    const message = encode(field, request);
    const upstream = ctx.endpoint.upstream;
    if (!upstream) throw gatewayError(Code.UNAVAILABLE, GatewayReason.UPSTREAM_UNAVAILABLE, 'no upstream is bound to this frontend', {});
    stream = upstream.stream({
      path: field.grpcPath,
      metadata: forwardedMetadata(ctx.endpoint.forwardHeaders, ctx.headers, ctx.requestId),
      deadlineMs: 0,
      signal: ctx.signal,
    });
    void stream.write(message).catch(() => undefined);
    stream.end();
    // An error before the backend's headers fails the subscription itself (not an event).
    await stream.headers;
  } catch (err) {
    throw toGraphqlError(err, field.mapError, request);
  }
  const messages = stream[Symbol.asyncIterator]();
  let finished = false;
  const bound = request;
  const iterator: AsyncIterableIterator<unknown> = {
    [Symbol.asyncIterator]() {
      return iterator;
    },
    async next() {
      if (finished) return { done: true, value: undefined };
      try {
        const r = await messages.next();
        if (r.done) {
          finished = true;
          return { done: true, value: undefined };
        }
        return { done: false, value: field.render({ response: field.responseType.decode(r.value), request: bound }) };
      } catch (err) {
        if (finished) return { done: true, value: undefined };
        finished = true;
        // The event's resolver (`resolve: event => event`) returns this error: the field fails.
        return { done: false, value: toGraphqlError(err, field.mapError, bound) };
      }
    },
    async return() {
      finished = true;
      stream.cancel();
      return { done: true, value: undefined };
    },
    async throw(err?: unknown) {
      finished = true;
      stream.cancel();
      throw err;
    },
  };
  return iterator;
}

function authorize(field: CompiledGraphqlField, ctx: GraphqlContext): void {
  if (!ctx.auth || field.role === 'none') return;
  if (!ctx.principal) throw gatewayError(Code.UNAUTHENTICATED, GatewayReason.UNAUTHENTICATED, 'authentication required', {});
  ctx.auth.authorize(ctx.principal, ctx.endpoint.namespace ?? '*', field.role);
}

/**
 * Encodes a bound request (protobufjs refuses messages nested past its own limit).
 * @throws GatewayError INVALID_ARGUMENT (MALFORMED_BODY).
 */
function encode(field: CompiledGraphqlField, request: Record<string, unknown>): Uint8Array {
  try {
    return field.requestType.encode(request).finish();
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.MALFORMED_BODY, `the request cannot be encoded: ${(err as Error).message}`, {});
  }
}
