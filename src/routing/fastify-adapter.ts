/**
 * The fastify apps of the gateway's listeners. An app factory sets what only the server can
 * own (TLS, the logger, body limit, request ids, the connection guards, and answers to requests
 * that never reach a route: parser errors and bad URLs) and registers a plugin for the rest:
 * publicRoutesPlugin on the public listener, adminApiPlugin on the admin and probes listeners.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { renderRoutingError, requestIdFrom } from '../core/handle-request.js';
import { Code, gatewayError, GatewayReason, type GatewayError } from '../core/gateway-error.js';
import type { HttpReply } from '../core/http-types.js';
import type { CorsConfig } from '../config/gateway-config.js';
import { createStreamSlots } from '../core/open-streams.js';
import { adminApiPlugin, type AdminApiPluginOptions } from '../admin/admin-plugin.js';
import { guardConnections, type ConnectionLimits, type RefusalReason } from './connection-guard.js';
import { pathOf, requestInput, sendReply } from './fastify-io.js';
import { publicRoutesPlugin, type PublicRoutesOptions } from './public-routes-plugin.js';
import type { TableHolder } from './table-holder.js';
import { createWebSocketHandler, wsMaxPayload, type WebSocketOptions } from './websocket-route.js';

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
}

/** Generous by default: schema-sized JSON documents of several MB pass. */
export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;

/** The public listener's app: the public routes plugin on an app that answers parser errors. */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const tables: TableHolder = options.tables;
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
      writeRawReply(socket, renderRoutingError(tables.current, { method: 'GET', path: '/', query: {}, headers: {}, body: undefined }, parserFailure(err)));
    },
    // Bad URLs reach the core as ordinary unmatched paths: they get the frontend's 404.
    frameworkErrors: (_error, request, reply) => {
      const failure = gatewayError(Code.NOT_FOUND, GatewayReason.ROUTE_NOT_FOUND, `cannot route ${request.method} ${pathOf(request.url)}`);
      const rendered = renderRoutingError(tables.current, requestInput(request), failure);
      rendered.headers['x-request-id'] = request.id;
      void sendReply(reply, rendered);
    },
  });
  // Upgrades go through the same catch-all route (its wsHandler) and so the same current table:
  // a hot reload serves new sockets from the new table and leaves open ones on theirs.
  // One cap for the listener's SSE/NDJSON streams and WebSocket sessions together.
  const streamSlots = options.streamSlots ?? createStreamSlots(options.maxStreams);
  const wsHandler = createWebSocketHandler({ tables, auth: options.auth, websocket: options.websocket, streamSlots, onRefused: options.onStreamRefused });
  void app.register(fastifyWebsocket, {
    options: { maxPayload: wsMaxPayload(options.websocket) },
    // Shutdown: every open socket is told 1001 and its backend call cancelled.
    preClose(done) {
      wsHandler.closeAll();
      this.websocketServer.close();
      done();
    },
  });
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
  return app;
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
