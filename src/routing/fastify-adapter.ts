/**
 * The fastify apps of the gateway's listeners. An app factory sets what only the server can
 * own (TLS, the logger, body limit, request ids, the connection guards, and answers to requests
 * that never reach a route: parser errors and bad URLs) and registers a plugin for the rest:
 * publicRoutesPlugin on the public listener, adminApiPlugin on the admin and probes listeners.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { renderRoutingError, requestIdFrom } from '../core/handle-request.js';
import { Code, gatewayError, GatewayReason, type GatewayError } from '../core/gateway-error.js';
import type { HttpReply } from '../core/http-types.js';
import type { CorsConfig } from '../config/gateway-config.js';
import { createStreamSlots } from '../core/open-streams.js';
import { adminApiPlugin, type AdminApiPluginOptions } from '../admin/admin-plugin.js';
import { withGraphqlWebSockets } from '../graphql/graphql-ws.js';
import { hostOf } from '../core/http-input-values.js';
import { compileCorsPolicy, corsPolicyFor, isPreflight, preflightHeaders, responseHeaders, type CorsPolicy } from './cors.js';
import { guardConnections, type ConnectionLimits, type RefusalReason } from './connection-guard.js';
import { pathOf, requestInput, sendReply } from './fastify-io.js';
import { publicRoutesPlugin, type PublicRoutesOptions } from './public-routes-plugin.js';
import type { RouteTable } from './route-table.js';
import type { TableHolder } from './table-holder.js';
import { createWebSocketHandler, wsMaxPayload, type WebSocketOptions } from './websocket-route.js';
import { uiPlugin, type UiPluginOptions } from '../ui/ui-plugin.js';

export { DEFAULT_MAX_CONCURRENT } from './public-routes-plugin.js';
export { DEFAULT_MAX_STREAMS } from '../core/open-streams.js';

export type HttpsOptions = import('node:https').ServerOptions;

/** What every listener's app is made with. */
export interface ListenerOptions {
  /** Serve HTTPS (node:tls options: key, cert, ca, requestCert, rejectUnauthorized). */
  readonly https?: HttpsOptions;
  readonly logger?: FastifyServerOptions['logger'];
  /** Connection limits and read timeouts (connection-guard.ts); `refused` hears of each refusal. */
  readonly connections?: { readonly limits: ConnectionLimits; readonly refused: (reason: RefusalReason) => void };
}

export interface HttpServerOptions extends ListenerOptions, PublicRoutesOptions {
  /** Largest accepted request body, in bytes. */
  readonly bodyLimit?: number;
  /** WebSocket keepalive and limits (websocket-route.ts). */
  readonly websocket?: WebSocketOptions;
  /** The listener's CORS settings (frontend bindings may override them); off when absent. */
  readonly cors?: CorsConfig;
  /** Streams (SSE, NDJSON, WebSocket) open at once on the listener; default DEFAULT_MAX_STREAMS. */
  readonly maxStreams?: number;
  /** The schema browser (src/ui/ui-plugin.ts); not served when absent or `enabled: false`. */
  readonly ui?: UiPluginOptions;
}

/** Generous by default: schema-sized JSON documents of several MB pass. */
export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;

/** The public listener's app: the public routes plugin on an app that answers parser errors. */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const tables: TableHolder = options.tables;
  const cors = createCors(tables, options.cors);
  const app = createApp(options, {
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    routerOptions: { maxParamLength: 8192 },
    // The request id is the client's x-request-id when it sends one; it is logged, echoed
    // and forwarded to the upstream as metadata.
    requestIdHeader: false,
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    // Requests Node's HTTP parser refuses (headers or URL too large, broken syntax, too slow)
    // never reach a route; they are answered in the shape of the frontend mounted at the root.
    clientErrorHandler: (err: NodeJS.ErrnoException, socket: Duplex) => {
      if (!socket.writable) return socket.destroy();
      const rendered = renderRoutingError(tables.current, { method: 'GET', path: '/', query: {}, headers: {}, body: undefined }, parserFailure(err));
      Object.assign(rendered.headers, cors.headersForRefused(err));
      writeRawReply(socket, rendered);
    },
    // Bad URLs reach the core as ordinary unmatched paths: they get the frontend's 404.
    frameworkErrors: (_error, request, reply) => {
      const failure = gatewayError(Code.NOT_FOUND, GatewayReason.ROUTE_NOT_FOUND, `cannot route ${request.method} ${pathOf(request.url)}`);
      const rendered = renderRoutingError(tables.current, requestInput(request), failure);
      rendered.headers['x-request-id'] = request.id;
      // No onRequest hook ran for a URL the router refused.
      Object.assign(rendered.headers, cors.headersFor(request));
      void sendReply(reply, rendered);
    },
  });
  // On even when no policy exists yet: a hot reload may bring bindings with `cors:`.
  app.addHook('onRequest', cors.onRequest);
  app.addHook('onSend', cors.onSend);
  // Upgrades go through the same catch-all route (its wsHandler) and so the same current table:
  // a hot reload serves new sockets from the new table and leaves open ones on theirs.
  // One cap for the listener's SSE/NDJSON streams and WebSocket sessions together.
  const streamSlots = options.streamSlots ?? createStreamSlots(options.maxStreams);
  const wsHandler = withGraphqlWebSockets(createWebSocketHandler({ tables, auth: options.auth, cors: options.cors, websocket: options.websocket, streamSlots, onRefused: options.onStreamRefused }), {
    tables,
    auth: options.auth,
    streamSlots,
  });
  void app.register(fastifyWebsocket, {
    options: { maxPayload: wsMaxPayload(options.websocket) },
    // Shutdown: every open socket is told 1001 and its backend call cancelled.
    preClose(done) {
      wsHandler.closeAll();
      this.websocketServer.close();
      done();
    },
  });
  // Its static routes are more specific than the catch-all, so they win under the UI's path.
  if (options.ui && options.ui.config.enabled !== false) void app.register(uiPlugin, options.ui);
  void app.register(publicRoutesPlugin, { ...options, wsHandler, streamSlots });
  return app;
}

export interface AdminServerOptions extends ListenerOptions, AdminApiPluginOptions {}

/** The admin (or probes) listener's app: the admin API plugin. */
export function createAdminHttpServer(options: AdminServerOptions): FastifyInstance {
  const app = createApp(options, {});
  void app.register(adminApiPlugin, options);
  return app;
}

function createApp(options: ListenerOptions, server: FastifyServerOptions): FastifyInstance {
  const app = (Fastify as unknown as (o: FastifyServerOptions & { https?: HttpsOptions }) => FastifyInstance)({
    ...(options.https ? { https: options.https } : {}),
    logger: options.logger ?? false,
    // One line per request (written by the plugins) instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    ...server,
  });
  if (options.connections) guardConnections(app.server, options.connections.limits, options.connections.refused);
  endUnusedConnectionsOnClose(app, options.https !== undefined);
  return app;
}

/**
 * CORS (cors.ts) on the public listener. Every request on a path with a policy gets its headers
 * in an onRequest hook, set on the raw response: fastify's replies and the streams written
 * raw (fastify-io.ts streamResponse) both merge them into their writeHead, so errors, 404s and
 * SSE/NDJSON streams carry them alike. A preflight is answered 204 right there, before the
 * route table, authentication or the backend; an OPTIONS without Access-Control-Request-Method
 * is no preflight and goes on to the route table.
 */
function createCors(tables: TableHolder, listener: CorsConfig | undefined) {
  // Fail at start, not on the first request: the listener's policy, and the bindings' of a
  // table given ready-made, compile now (a ConfigError names the field).
  if (listener) compileCorsPolicy(listener);
  for (const frontend of tables.current.frontends) if (frontend.cors) compileCorsPolicy(frontend.cors);
  // Hot path: with no `cors:` on the listener, a table none of whose bindings has one is
  // answered without looking up the path's frontend (known once per table).
  const tablesWithCors = new WeakMap<RouteTable, boolean>();
  const anyPolicy = (table: RouteTable): boolean => {
    let known = tablesWithCors.get(table);
    if (known === undefined) tablesWithCors.set(table, (known = table.frontends.some((f) => f.cors !== undefined)));
    return known;
  };

  const reported = new WeakSet<RouteTable>();
  const policyFor = (request: FastifyRequest): CorsPolicy | undefined => {
    const table = tables.current;
    if (!listener && !anyPolicy(table)) return undefined;
    try {
      return corsPolicyFor(table, listener, pathOf(request.url), hostOf(request.headers));
    } catch (err) {
      // A binding whose `cors:` does not compile (the config check refuses it at load; this
      // is the last guard, for one that got past it): no CORS there, so browsers refuse, and
      // never a failed request; logged once per table, not per request.
      if (!reported.has(table)) request.log.error({ err }, 'cors config of the frontend binding cannot be used');
      reported.add(table);
      return undefined;
    }
  };
  const originOf = (request: FastifyRequest): string | undefined => singleHeader(request.headers.origin);

  return {
    onRequest(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
      const policy = policyFor(request);
      if (!policy) return done();
      const origin = originOf(request);
      const requestMethod = singleHeader(request.headers['access-control-request-method']);
      if (isPreflight(request.method, origin, requestMethod)) {
        reply.code(204).headers(preflightHeaders(policy, origin!, requestMethod!)).header('content-length', '0').send();
        return;
      }
      for (const [name, value] of Object.entries(responseHeaders(policy, origin))) reply.raw.setHeader(name, value);
      done();
    },
    /** A route that sets its own Vary would replace the hook's: Origin is kept in it. */
    onSend(_request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void): void {
      const own = reply.getHeader('vary');
      const hooked = reply.raw.getHeader('vary');
      if (own !== undefined && hooked !== undefined && !/(^|,)\s*origin\s*(,|$)/i.test(String(own))) reply.header('vary', `${String(own)}, ${String(hooked)}`);
      done(null, payload);
    },
    /** The headers of an answer given outside the hooks (a URL the router refused). */
    headersFor(request: FastifyRequest): Record<string, string> {
      const policy = policyFor(request);
      return policy ? responseHeaders(policy, originOf(request)) : {};
    },
    /**
     * A request Node's parser refused has no parsed headers; its Origin is looked for in the
     * bytes the parser saw, under the policy of the root (the frontend its error is shaped by).
     */
    headersForRefused(err: NodeJS.ErrnoException & { rawPacket?: Buffer }): Record<string, string> {
      let policy: CorsPolicy | undefined;
      try {
        policy = corsPolicyFor(tables.current, listener, '/', undefined);
      } catch {
        return {};
      }
      if (!policy) return {};
      const origin = err.rawPacket ? /\r\norigin:[ \t]*([^\r\n]*?)[ \t]*\r\n/i.exec(err.rawPacket.toString('latin1'))?.[1] : undefined;
      return responseHeaders(policy, origin);
    },
  };
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** What went wrong, from the error of Node's HTTP parser. */
export function parserFailure(err: NodeJS.ErrnoException): GatewayError {
  if (err.code === 'HPE_HEADER_OVERFLOW') return gatewayError(Code.RESOURCE_EXHAUSTED, GatewayReason.HEADERS_TOO_LARGE, 'request headers or URL too large');
  // node's headersTimeout / requestTimeout (connection-guard.ts): the request did not arrive in time.
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return gatewayError(Code.DEADLINE_EXCEEDED, GatewayReason.REQUEST_TIMEOUT, 'the request did not arrive in time');
  return gatewayError(Code.INVALID_ARGUMENT, GatewayReason.BAD_REQUEST, 'malformed HTTP request');
}

/**
 * Writes a rendered reply straight to the socket and closes it: there is no fastify reply for
 * a request the parser refused, and the connection cannot carry another request.
 */
function writeRawReply(socket: Duplex, reply: HttpReply): void {
  const body = Buffer.from(reply.body, 'utf8');
  const head = [`HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? 'Unknown'}`];
  // A header a mapping rendered from error text must not split the head.
  for (const [name, value] of Object.entries(reply.headers)) head.push(`${name}: ${String(value).replace(/[\r\n]+/g, ' ')}`);
  head.push(`content-length: ${body.length}`, 'connection: close');
  socket.end(Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n'), body]));
}

/**
 * Ends, when the app closes, the connections that never sent a request. Node's server.close()
 * ends idle keep-alive connections but counts one that has not sent a request yet as active
 * until headersTimeout, and HTTP clients' pools (undici's) open such connections ahead of need:
 * without this a shutdown could wait that long for nothing.
 */
function endUnusedConnectionsOnClose(app: FastifyInstance, tls: boolean): void {
  const unused = new Set<Duplex>();
  app.server.on(tls ? 'secureConnection' : 'connection', (socket: Duplex) => {
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
  });
  const used = (request: { socket: Duplex }) => unused.delete(request.socket);
  app.server.on('request', used);
  app.server.on('upgrade', used);
  app.addHook('preClose', (done) => {
    for (const socket of unused) socket.destroy();
    unused.clear();
    done();
  });
}
