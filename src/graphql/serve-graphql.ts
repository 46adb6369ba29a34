/**
 * GraphQL over HTTP, framework-free (the GraphQL-over-HTTP draft, and graphql-sse's "distinct
 * connections" mode for streams):
 * - `POST` with a JSON body `{ query, variables, operationName }`, or `GET` with those as query
 *   parameters (queries only: a mutation over GET is refused with 405, as the draft says);
 * - answered as `application/graphql-response+json` when the client accepts it (request errors
 *   are then 400) and as `application/json` otherwise (always 200 once the request was read);
 * - with `Accept: text/event-stream`, any operation streams as SSE: `event: next` with each
 *   result, then `event: complete`; subscriptions stream only this way or over WebSocket
 *   (graphql-ws.ts);
 * - `GET` with `Accept: text/html` and no query serves GraphiQL when the frontend switches it on.
 * Auth: the caller is authenticated once per request (401 with the challenge when that fails);
 * each field then checks its own role (queries read, mutations write).
 *
 * Why not mercurius itself: it registers its routes (and its WebSocket handler) on the fastify
 * instance before `ready`, one schema at one fixed path; `replaceSchema` swaps that schema but
 * cannot add, move or remove endpoints, and after start the instance is frozen. Frontends come
 * and go at run time here (the admin API), so the catch-all route dispatches to endpoints
 * compiled with the route table, using the parts mercurius is built on: graphql-js for
 * parsing, validation and execution, graphql-jit (mercurius's JIT) per document, and
 * graphql-ws's framework-agnostic server for subscriptions.
 */
import { createHash } from 'node:crypto';
import { execute, GraphQLError, subscribe, type ExecutionResult } from 'graphql';
import { codeName, Code, gatewayError, GatewayReason } from '../core/gateway-error.js';
import { accept, headerValue } from '../core/http-input-values.js';
import type { HttpInput, HttpReply } from '../core/http-types.js';
import type { StreamResponse } from '../core/handle-stream.js';
import type { OpenStreams } from '../core/open-streams.js';
import { asGatewayError, parseJsonValue } from '../core/prepare-call.js';
import type { Authenticator, Principal } from '../security/authenticator.js';
import type { GraphqlContext } from './field-call.js';
import type { GraphqlEndpoint } from './graphql-endpoint.js';
import { errorExtensions, toGraphqlError } from './graphql-errors.js';
import { graphiqlPage } from './graphiql-page.js';
import { costOf, isCompiledQuery, jitOf, MAX_DOCUMENT_LENGTH, prepareDocument, selectOperation } from './prepared-document.js';

const GRAPHQL_RESPONSE = 'application/graphql-response+json';
const JSON_TYPE = 'application/json';
const SSE_TYPE = 'text/event-stream';
/** SSE comment lines keep idle subscriptions open through proxies. */
const HEARTBEAT_MS = 15_000;

export interface GraphqlServeOptions {
  readonly auth?: Authenticator;
  readonly requestId: string;
  /** Where an SSE answer is written (it is hijacked from the framework). */
  readonly response: StreamResponse;
  /** Open SSE streams end on shutdown (with `event: complete`). */
  readonly openStreams?: OpenStreams;
  /** Told when an SSE answer has started (it no longer holds a request slot). */
  readonly onStreamOpened?: () => void;
  /**
   * Takes one of the listener's stream slots for an SSE answer (shared with REST streams and
   * WebSocket sessions); undefined when all are taken, and the request is refused (503).
   */
  readonly acquireStream?: () => (() => void) | undefined;
}

/** A GraphQL request as read from the HTTP request. */
interface GraphqlParams {
  /** Absent only when the request names a persisted query by its hash. */
  readonly query?: string;
  readonly variables?: Record<string, unknown>;
  readonly operationName?: string;
  /** `extensions.persistedQuery.sha256Hash` (automatic persisted queries). */
  readonly persistedHash?: string;
}

/** The answer: a reply to send, or `streamed` when an SSE answer was written already. */
export type GraphqlAnswer = HttpReply & { streamed?: boolean };

/** Serves one HTTP request to a GraphQL endpoint; never throws. */
export async function serveGraphql(endpoint: GraphqlEndpoint, input: HttpInput, options: GraphqlServeOptions): Promise<GraphqlAnswer> {
  const acceptHeader = accept(input) ?? '';
  const sse = /(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(acceptHeader);
  const type = sse ? JSON_TYPE : /(^|,)\s*application\/graphql-response\+json\s*(;|,|$)/i.test(acceptHeader) || acceptHeader === '' ? GRAPHQL_RESPONSE : JSON_TYPE;
  // With graphql-response+json a request error is 400; with plain JSON it is 200 (the draft).
  const refuse = (error: GraphQLError | readonly GraphQLError[], status = 400): GraphqlAnswer => {
    const errors = Array.isArray(error) ? error : [error];
    return reply(type === GRAPHQL_RESPONSE || status !== 400 ? status : 200, type, { errors });
  };
  try {
    if (input.method !== 'GET' && input.method !== 'POST') {
      return { ...refuse(requestError(`method ${input.method} is not allowed on a GraphQL endpoint`, Code.UNIMPLEMENTED, GatewayReason.METHOD_NOT_ALLOWED), 405), headers: { 'content-type': type, allow: 'GET, POST' } };
    }
    if (input.method === 'GET' && endpoint.graphiql && input.query.query === undefined && /text\/html/i.test(acceptHeader)) {
      return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: graphiqlPage(endpoint.path) };
    }
    let params: GraphqlParams;
    try {
      params = readParams(input);
    } catch (err) {
      // Not a well-formed GraphQL-over-HTTP request: 400 whatever the answer's type (the draft).
      if (err instanceof GraphQLError) return reply(400, type, { errors: [err] });
      throw err;
    }
    let principal: Principal | undefined;
    if (options.auth) {
      try {
        principal = await options.auth.authenticate(headerValue(input.headers['authorization']), input.clientAddress);
      } catch (err) {
        const e = asGatewayError(err);
        const answer = refuse(toGraphqlError(e, endpoint.mapError), e.httpStatus);
        if (e.code === Code.UNAUTHENTICATED) answer.headers['www-authenticate'] = options.auth.challenge;
        return answer;
      }
    }
    const query = persistedQuery(endpoint, params);
    if (typeof query !== 'string') return query.notFound ? reply(200, type, { errors: [query.error] }) : refuse(query.error);
    const prepared = prepareDocument(endpoint.schema, endpoint.documents, query);
    if (prepared.errors) return refuse(prepared.errors);
    const operation = selectOperation(prepared.document, params.operationName);
    if (typeof operation === 'string') return refuse(requestError(operation, Code.INVALID_ARGUMENT, GatewayReason.BAD_REQUEST));
    if (input.method === 'GET' && operation.operation !== 'query') {
      return { ...refuse(requestError(`a ${operation.operation} cannot be sent with GET; use POST`, Code.UNIMPLEMENTED, GatewayReason.METHOD_NOT_ALLOWED), 405), headers: { 'content-type': type, allow: 'POST' } };
    }
    if (operation.operation === 'subscription' && !sse) {
      return { ...refuse(requestError('a subscription streams: ask for text/event-stream, or use the graphql-ws WebSocket protocol', Code.INVALID_ARGUMENT, GatewayReason.NOT_ACCEPTABLE), 406) };
    }
    const cost = costOf(endpoint.schema, prepared, operation);
    if (cost.depth > endpoint.limits.maxDepth) {
      return refuse(limitError(`the operation is nested ${cost.depth} deep; at most ${endpoint.limits.maxDepth} is allowed`, 'QUERY_TOO_DEEP', { depth: String(cost.depth), maxDepth: String(endpoint.limits.maxDepth) }));
    }
    if (cost.complexity > endpoint.limits.maxComplexity) {
      return refuse(
        limitError(`the operation's complexity is ${cost.complexity}; at most ${endpoint.limits.maxComplexity} is allowed`, 'QUERY_TOO_COMPLEX', {
          complexity: String(cost.complexity),
          maxComplexity: String(endpoint.limits.maxComplexity),
        }),
      );
    }
    const context: GraphqlContext = {
      endpoint,
      headers: input.headers,
      requestId: options.requestId,
      ...(input.signal ? { signal: input.signal } : {}),
      deadlineAt: operation.operation === 'subscription' ? Infinity : performance.now() + endpoint.limits.timeoutMs,
      ...(options.auth ? { auth: options.auth } : {}),
      ...(principal ? { principal } : {}),
      calls: new Map(),
    };
    const args = { schema: endpoint.schema, document: prepared.document, operationName: params.operationName, variableValues: params.variables, contextValue: context };
    if (operation.operation === 'subscription') {
      const result = await subscribe(args);
      if (!isAsyncIterable(result)) return streamResults(oneResult(result), options, input.signal);
      return streamResults(result, options, input.signal);
    }
    let result: ExecutionResult;
    if (endpoint.jit) {
      const compiled = jitOf(endpoint.schema, prepared, operation);
      result = isCompiledQuery(compiled) ? await compiled.query(undefined, context, params.variables ?? {}) : compiled;
    } else {
      result = await execute(args);
    }
    if (sse) return streamResults(oneResult(result), options, input.signal);
    return reply(200, type, result);
  } catch (err) {
    if (err instanceof GraphQLError) return refuse(err);
    const e = asGatewayError(err);
    return refuse(toGraphqlError(e, endpoint.mapError), e.code === Code.INTERNAL ? 500 : e.httpStatus);
  }
}

/**
 * The GraphQL request of an HTTP request.
 * @throws GraphQLError (a request error) for a body or parameters that are not one.
 */
function readParams(input: HttpInput): GraphqlParams {
  let raw: Record<string, unknown>;
  if (input.method === 'GET') {
    const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
    raw = { query: first(input.query.query), operationName: first(input.query.operationName) };
    const variables = first(input.query.variables);
    if (typeof variables === 'string' && variables !== '') raw.variables = parseJson(variables, 'variables');
    const extensions = first(input.query.extensions);
    if (typeof extensions === 'string' && extensions !== '') raw.extensions = parseJson(extensions, 'extensions');
  } else {
    const contentType = headerValue(input.headers['content-type'])?.split(';')[0].trim().toLowerCase();
    if (contentType !== JSON_TYPE && contentType !== GRAPHQL_RESPONSE) {
      throw requestError(`content type '${contentType ?? ''}' is not supported; send application/json`, Code.INVALID_ARGUMENT, GatewayReason.UNSUPPORTED_MEDIA_TYPE);
    }
    const body = input.body && input.body.length > 0 ? parseJson(input.body.toString('utf8'), 'body') : undefined;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw requestError('the body must be a JSON object with a query', Code.INVALID_ARGUMENT, GatewayReason.MALFORMED_BODY);
    raw = body as Record<string, unknown>;
  }
  const persisted = (raw.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
  const persistedHash = typeof persisted === 'string' ? persisted.toLowerCase() : undefined;
  if (raw.query === undefined && persistedHash !== undefined) {
    return { ...optionalParams(raw), persistedHash };
  }
  if (typeof raw.query !== 'string' || raw.query === '') throw requestError("the request has no 'query' string", Code.INVALID_ARGUMENT, GatewayReason.BAD_REQUEST);
  if (raw.query.length > MAX_DOCUMENT_LENGTH) throw requestError(`the query is longer than ${MAX_DOCUMENT_LENGTH} characters`, Code.INVALID_ARGUMENT, GatewayReason.BAD_REQUEST);
  return { query: raw.query, ...optionalParams(raw), ...(persistedHash === undefined ? {} : { persistedHash }) };
}

/**
 * Variables and operation name, checked.
 * @throws GraphQLError (a request error) for values of the wrong JSON type.
 */
function optionalParams(raw: Record<string, unknown>): Omit<GraphqlParams, 'query' | 'persistedHash'> {
  if (raw.variables !== undefined && raw.variables !== null && (typeof raw.variables !== 'object' || Array.isArray(raw.variables))) {
    throw requestError("'variables' must be a JSON object", Code.INVALID_ARGUMENT, GatewayReason.BAD_REQUEST);
  }
  if (raw.operationName !== undefined && raw.operationName !== null && typeof raw.operationName !== 'string') {
    throw requestError("'operationName' must be a string", Code.INVALID_ARGUMENT, GatewayReason.BAD_REQUEST);
  }
  return {
    ...(raw.variables ? { variables: raw.variables as Record<string, unknown> } : {}),
    ...(typeof raw.operationName === 'string' && raw.operationName !== '' ? { operationName: raw.operationName } : {}),
  };
}

/**
 * The query text of a request, with automatic persisted queries (Apollo's protocol): a hash
 * alone is looked up (unknown: PersistedQueryNotFound, answered 200 so the client resends the
 * text); a text with a hash must hash to it, and is kept for the next time.
 */
function persistedQuery(endpoint: GraphqlEndpoint, params: GraphqlParams): string | { error: GraphQLError; notFound?: boolean } {
  const hash = params.persistedHash;
  if (hash === undefined) return params.query!;
  if (!endpoint.persisted) {
    return { error: new GraphQLError('PersistedQueryNotSupported', { extensions: { code: 'PERSISTED_QUERY_NOT_SUPPORTED' } }) };
  }
  if (params.query === undefined) {
    const known = endpoint.persisted.get(hash);
    return known ?? { error: new GraphQLError('PersistedQueryNotFound', { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }), notFound: true };
  }
  if (createHash('sha256').update(params.query).digest('hex') !== hash) {
    return { error: requestError('the persisted query hash does not match the query', Code.INVALID_ARGUMENT, GatewayReason.BAD_REQUEST) };
  }
  endpoint.persisted.set(hash, params.query);
  return params.query;
}

function parseJson(text: string, what: string): unknown {
  try {
    return parseJsonValue(text, what);
  } catch (err) {
    const e = asGatewayError(err);
    throw requestError(e.message, e.code, GatewayReason.MALFORMED_BODY);
  }
}

/** A refusal of the whole request, in GraphQL's error shape with the gateway's extensions. */
function requestError(message: string, code: Code, reason: GatewayReason): GraphQLError {
  return new GraphQLError(message, { extensions: errorExtensions(gatewayError(code, reason, message, {})) });
}

function limitError(message: string, reason: string, metadata: Record<string, string>): GraphQLError {
  return new GraphQLError(message, { extensions: { code: codeName(Code.RESOURCE_EXHAUSTED), reason, metadata } });
}

function reply(status: number, type: string, body: unknown): GraphqlAnswer {
  return { status, headers: { 'content-type': type }, body: JSON.stringify(body) };
}

async function* oneResult(result: ExecutionResult): AsyncGenerator<ExecutionResult> {
  yield result;
}

function isAsyncIterable(value: unknown): value is AsyncIterableIterator<ExecutionResult> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown })?.[Symbol.asyncIterator] === 'function';
}

/**
 * Writes results as graphql-sse's distinct-connection stream: `event: next` per result, then
 * `event: complete`. The next result is pulled only once the socket took the previous one
 * (backpressure reaches the upstream stream); the client going away, or a shutdown, stops the
 * iterator, which cancels the upstream call.
 */
async function streamResults(results: AsyncIterator<ExecutionResult>, options: GraphqlServeOptions, signal: HttpInput['signal']): Promise<GraphqlAnswer> {
  const { response } = options;
  const release = options.acquireStream ? options.acquireStream() : () => {};
  if (!release) {
    void results.return?.();
    const error = gatewayError(Code.RESOURCE_EXHAUSTED, GatewayReason.OVERLOADED, 'too many streams open; retry later', {});
    return { ...reply(503, JSON_TYPE, { errors: [new GraphQLError(error.message, { extensions: errorExtensions(error) })] }), headers: { 'content-type': JSON_TYPE, 'retry-after': '1' } };
  }
  response.start(200, { 'content-type': `${SSE_TYPE}; charset=utf-8`, 'cache-control': 'no-cache', 'x-accel-buffering': 'no', 'x-request-id': options.requestId });
  options.onStreamOpened?.();
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    void results.return?.();
  };
  const unregister = options.openStreams?.add(stop);
  // The client going away aborts the signal (and so the upstream call it was given).
  signal?.addEventListener('abort', stop, { once: true });
  const heartbeat = setInterval(() => response.write(':\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  try {
    while (!stopped) {
      const next = await results.next();
      if (next.done || stopped) break;
      if (!response.write(`event: next\ndata: ${JSON.stringify(next.value)}\n\n`)) await response.drained();
    }
  } catch (err) {
    if (!stopped) response.write(`event: next\ndata: ${JSON.stringify({ errors: [toGraphqlError(err)] })}\n\n`);
  } finally {
    clearInterval(heartbeat);
    signal?.removeEventListener('abort', stop);
    unregister?.();
    release();
    if (!response.gone) response.write('event: complete\ndata:\n\n');
    response.end();
  }
  return { status: 200, headers: {}, body: '', streamed: true };
}
