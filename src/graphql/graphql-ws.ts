/**
 * GraphQL over WebSocket: the `graphql-transport-ws` protocol (graphql-ws's `makeServer`,
 * framework-agnostic), on the same catch-all upgrade as WebSocket routes. An upgrade to a path
 * the current table's GraphQL index serves becomes a graphql-ws session against that endpoint
 * (and stays on it through hot reloads); every other upgrade goes to the routes' handler.
 *
 * - Auth: the caller is authenticated at `ConnectionInit`, from the `authorization` entry of
 *   the connection params or else the upgrade's `Authorization` header; failure closes 4403.
 *   Credentials read from the upgrade's headers are refused from a page of another origin
 *   (cross-site WebSocket hijacking: browsers resend cached Basic credentials on a handshake);
 *   a script that sends its credentials in the connection params is not affected.
 * - Each subscription is one server-streaming call; the client's `complete`, or the socket
 *   closing, returns the iterator, which cancels the upstream call (field-call.ts). Messages
 *   are pulled only as the socket takes them (graphql-ws awaits each send).
 * - Sessions count against the listener's stream cap (beyond it: close 4008); a shutdown
 *   closes them with 1001.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { makeServer, type Server } from 'graphql-ws';
import { execute, GraphQLError, subscribe, type ExecutionArgs } from 'graphql';
import type { WebSocket } from 'ws';
import { asGatewayError } from '../core/prepare-call.js';
import { headerValue, hostOf } from '../core/http-input-values.js';
import type { StreamSlots } from '../core/open-streams.js';
import { pathOf } from '../routing/fastify-io.js';
import type { TableHolder } from '../routing/table-holder.js';
import type { WebSocketHandler } from '../routing/websocket-route.js';
import type { Authenticator, Principal } from '../security/authenticator.js';
import type { GraphqlContext } from './field-call.js';
import type { GraphqlEndpoint } from './graphql-endpoint.js';
import { toGraphqlError } from './graphql-errors.js';
import { costOf, isCompiledQuery, jitOf, prepareDocument, selectOperation } from './prepared-document.js';

export interface GraphqlWebSocketOptions {
  readonly tables: TableHolder;
  readonly auth?: Authenticator;
  readonly streamSlots?: StreamSlots;
}

/** What a session carries beside graphql-ws's own context. */
interface SessionExtra {
  readonly endpoint: GraphqlEndpoint;
  readonly request: FastifyRequest;
  readonly closed: AbortController;
  principal?: Principal;
}

/** The routes' WebSocket handler with GraphQL endpoints served first. */
export function withGraphqlWebSockets(routes: WebSocketHandler, options: GraphqlWebSocketOptions): WebSocketHandler {
  const servers = new WeakMap<GraphqlEndpoint, Server<SessionExtra>>();
  const sockets = new Set<WebSocket>();
  const endpointOf = (request: FastifyRequest) => options.tables.current.graphql?.match(pathOf(request.url), hostOf(request.headers));
  const handler = (socket: WebSocket, request: FastifyRequest): void => {
    const endpoint = endpointOf(request);
    if (!endpoint) return routes(socket, request);
    const release = options.streamSlots ? options.streamSlots.acquire() : () => {};
    if (!release) {
      socket.close(4008, 'too many streams open; retry later');
      return;
    }
    let server = servers.get(endpoint);
    if (!server) servers.set(endpoint, (server = createServer(endpoint, options.auth)));
    sockets.add(socket);
    const extra: SessionExtra = { endpoint, request, closed: new AbortController() };
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, () => resolve());
          }),
        close: (code, reason) => {
          if (socket.readyState === socket.OPEN) socket.close(code, reason);
        },
        onMessage: (cb) =>
          socket.on('message', (data) => {
            cb(String(data)).catch((err: unknown) => {
              request.log.error({ err }, 'graphql-ws message failed');
              if (socket.readyState === socket.OPEN) socket.close(1011, 'internal error');
            });
          }),
      },
      extra,
    );
    socket.once('close', (code, reason) => {
      sockets.delete(socket);
      release();
      // Every operation of the session stops, and with it its upstream call.
      extra.closed.abort();
      void closed(code, reason.toString());
    });
  };
  return Object.assign(handler, {
    get open() {
      return routes.open + sockets.size;
    },
    closeAll() {
      routes.closeAll();
      for (const socket of [...sockets]) if (socket.readyState === socket.OPEN) socket.close(1001, 'the gateway is shutting down');
    },
    // GraphQL sessions authenticate at ConnectionInit, not at the upgrade.
    admit: (request: FastifyRequest, reply: FastifyReply) => (endpointOf(request) ? Promise.resolve() : routes.admit(request, reply)),
  });
}

function createServer(endpoint: GraphqlEndpoint, auth: Authenticator | undefined): Server<SessionExtra> {
  return makeServer<Record<string, unknown> | undefined, SessionExtra>({
    schema: endpoint.schema,
    async onConnect(ctx) {
      if (!auth) return true;
      const { request } = ctx.extra;
      const fromParams = typeof ctx.connectionParams?.authorization === 'string' ? ctx.connectionParams.authorization : undefined;
      const authorization = fromParams ?? headerValue(request.headers['authorization']);
      if (fromParams === undefined && !sameOrigin(request)) return false;
      try {
        ctx.extra.principal = await auth.authenticate(authorization, request.ip);
        return true;
      } catch {
        return false;
      }
    },
    onSubscribe(ctx, _id, payload) {
      const prepared = prepareDocument(endpoint.schema, endpoint.documents, payload.query);
      if (prepared.errors) return prepared.errors;
      const operation = selectOperation(prepared.document, payload.operationName ?? undefined);
      if (typeof operation === 'string') return [new GraphQLError(operation, { extensions: { code: 'INVALID_ARGUMENT', reason: 'BAD_REQUEST' } })];
      const cost = costOf(endpoint.schema, prepared, operation);
      if (cost.depth > endpoint.limits.maxDepth) {
        return [new GraphQLError(`the operation is nested ${cost.depth} deep; at most ${endpoint.limits.maxDepth} is allowed`, { extensions: { code: 'RESOURCE_EXHAUSTED', reason: 'QUERY_TOO_DEEP' } })];
      }
      if (cost.complexity > endpoint.limits.maxComplexity) {
        return [new GraphQLError(`the operation's complexity is ${cost.complexity}; at most ${endpoint.limits.maxComplexity} is allowed`, { extensions: { code: 'RESOURCE_EXHAUSTED', reason: 'QUERY_TOO_COMPLEX' } })];
      }
      const { request, principal, closed } = ctx.extra;
      const contextValue: GraphqlContext = {
        endpoint,
        headers: request.headers,
        requestId: request.id,
        signal: closed.signal,
        deadlineAt: operation.operation === 'subscription' ? Infinity : performance.now() + endpoint.limits.timeoutMs,
        ...(auth ? { auth } : {}),
        ...(principal ? { principal } : {}),
        calls: new Map(),
      };
      const args: ExecutionArgs = {
        schema: endpoint.schema,
        document: prepared.document,
        operationName: payload.operationName ?? undefined,
        variableValues: payload.variables ?? undefined,
        contextValue,
      };
      return args;
    },
    async execute(args) {
      if (!endpoint.jit) return execute(args);
      const operation = selectOperation(args.document, args.operationName ?? undefined);
      if (typeof operation === 'string') return execute(args);
      const prepared = prepareDocument(endpoint.schema, endpoint.documents, printOnce(args));
      const compiled = jitOf(endpoint.schema, prepared, operation);
      return isCompiledQuery(compiled) ? compiled.query(undefined, args.contextValue, args.variableValues ?? {}) : compiled;
    },
    subscribe: (args) => subscribe(args),
    onError(_ctx, _id, _payload, errors) {
      return errors.map((e) => (e.extensions?.code ? e : toGraphqlError(asGatewayError(e.originalError ?? e))).toJSON());
    },
  });
}

/** The document's source text (the cache key it was prepared under). */
function printOnce(args: ExecutionArgs): string {
  return args.document.loc?.source.body ?? '';
}

/** No Origin (not a browser), or an Origin whose host is the Host header's. */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = headerValue(request.headers['origin']);
  if (origin === undefined) return true;
  try {
    return new URL(origin).host.toLowerCase() === headerValue(request.headers['host'])?.toLowerCase();
  } catch {
    return false;
  }
}
