/**
 * The one place that knows fastify. It owns the body parsers (every body arrives as a Buffer;
 * the core decides what it means), dispatches every path and method to the current route
 * table through a single catch-all route, and sends framework failures (body too large, bad
 * URL) through the same error mapping as everything else.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { handleRequest, renderRoutingError, requestIdFrom } from '../core/handle-request.js';
import { Code, GatewayError, gatewayError, GatewayReason } from '../core/gateway-error.js';
import type { CallSignal, HttpInput, HttpReply } from '../core/http-types.js';
import type { TableHolder } from './table-holder.js';
import type { AdminRoute } from '../admin/admin-api.js';
import type { Authenticator } from '../security/authenticator.js';
import { guardConnections, type ConnectionLimits, type RefusalReason } from './connection-guard.js';

export interface HttpServerOptions {
  readonly tables: TableHolder;
  /** Checks credentials and roles when auth is configured. */
  readonly auth?: Authenticator;
  /** Told about every answered request (metrics). */
  readonly onReply?: (reply: HttpReply | undefined, method: string, status: number, seconds: number) => void;
  /** Told when a write cleared a frontend's response cache, before the client hears back. */
  readonly onCacheCleared?: (cleared: NonNullable<HttpReply['clearedCache']>) => void;
  /** Largest accepted request body, in bytes. */
  readonly bodyLimit?: number;
  /** Serve HTTPS (node:tls options: key, cert, ca, requestCert, rejectUnauthorized). */
  readonly https?: HttpsOptions;
  /** Requests handled at once; more are refused at once (503) instead of queueing without bound. */
  readonly maxConcurrent?: number;
  readonly logger?: FastifyServerOptions['logger'];
  /** Connection limits and read timeouts (connection-guard.ts); `refused` hears of each refusal. */
  readonly connections?: { readonly limits: ConnectionLimits; readonly refused: (reason: RefusalReason) => void };
}

/** Generous by default: schema-sized JSON documents of several MB pass. */
export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;

/** In-flight requests per listener before new ones are refused. */
export const DEFAULT_MAX_CONCURRENT = 4096;

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

declare module 'fastify' {
  interface FastifyRequest {
    prismReply?: HttpReply;
  }
}

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = (Fastify as unknown as (o: FastifyServerOptions & { https?: HttpsOptions }) => FastifyInstance)({
    ...(options.https ? { https: options.https } : {}),
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // One line per request, written by the onResponse hook below, instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    routerOptions: { maxParamLength: 8192 },
    // The request id is the client's x-request-id when it sends one; it is logged, echoed
    // and forwarded to the upstream as metadata.
    requestIdHeader: false,
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    // Requests Node's HTTP parser refuses (headers or URL too large, broken syntax) never reach
    // a route; they are answered in the shape of the frontend mounted at the root.
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return socket.destroy();
      const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
      // node's headersTimeout / requestTimeout (connection-guard.ts): the request did not arrive in time.
      const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
      const failure = tooLarge
        ? gatewayError(Code.RESOURCE_EXHAUSTED, GatewayReason.HEADERS_TOO_LARGE, 'request headers or URL too large', {}, 431)
        : timedOut
          ? gatewayError(Code.DEADLINE_EXCEEDED, GatewayReason.BAD_REQUEST, 'the request did not arrive in time', {}, 408)
          : gatewayError(Code.INVALID_ARGUMENT, GatewayReason.BAD_REQUEST, 'malformed HTTP request', {}, 400);
      const reply = renderRoutingError(options.tables.current, { method: 'GET', path: '/', query: {}, headers: {}, body: undefined }, failure);
      const body = Buffer.from(reply.body, 'utf8');
      const head = [`HTTP/1.1 ${reply.status} ${tooLarge ? 'Request Header Fields Too Large' : timedOut ? 'Request Timeout' : 'Bad Request'}`, `content-type: ${reply.headers['content-type']}`, `content-length: ${body.length}`, 'connection: close'];
      socket.end(Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n'), body]));
    },
    // Bad URLs reach the core as ordinary unmatched paths: they get the frontend's 404.
    frameworkErrors: (_error, request, reply) => {
      const input = toInput(request, undefined);
      const failure = gatewayError(Code.NOT_FOUND, GatewayReason.ROUTE_NOT_FOUND, `cannot route ${request.method} ${pathOf(request.url)}`, {}, 404);
      const rendered = renderRoutingError(options.tables.current, input, failure);
      rendered.headers['x-request-id'] = request.id;
      void send(reply, rendered);
    },
  });

  if (options.connections) guardConnections(app.server, options.connections.limits, options.connections.refused);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: { code?: string; statusCode?: number; message: string }, request, reply) => {
    const input = toInput(request, undefined);
    let failure;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      failure = gatewayError(Code.RESOURCE_EXHAUSTED, GatewayReason.PAYLOAD_TOO_LARGE, 'request body is too large', {}, 413);
    } else if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      failure = gatewayError(Code.INVALID_ARGUMENT, GatewayReason.MALFORMED_BODY, 'malformed request', {}, 400);
    } else {
      request.log.error({ err: error }, 'unhandled error');
      failure = gatewayError(Code.INTERNAL, GatewayReason.INTERNAL, 'internal error', {}, 500);
    }
    const rendered = renderRoutingError(options.tables.current, input, failure);
    rendered.headers['x-request-id'] = request.id;
    return send(reply, rendered);
  });

  // Once closing, answers ask clients to drop their keep-alive connections, so a connection
  // whose request was in flight at SIGTERM does not hold the shutdown open.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  app.addHook('onResponse', (request, reply, done) => {
    const r = request.prismReply;
    options.onReply?.(r, request.method, reply.statusCode, reply.elapsedTime / 1000);
    request.log.info(
      {
        method: request.method,
        path: r?.pathTemplate,
        route: r?.routeId,
        namespace: r?.namespace,
        principal: r?.principal,
        client: request.ip,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
        upstream: r?.upstreamCode,
      },
      'request',
    );
    done();
  });

  const maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
  let inFlight = 0;
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    if (inFlight >= maxConcurrent) {
      const failure = gatewayError(Code.RESOURCE_EXHAUSTED, GatewayReason.OVERLOADED, 'too many requests in flight; retry later', {}, 503);
      const rendered = renderRoutingError(options.tables.current, toInput(request, undefined), failure);
      rendered.headers['retry-after'] = '1';
      return send(reply, rendered);
    }
    inFlight++;
    try {
      return await dispatch(request, reply);
    } finally {
      inFlight--;
    }
  };
  const dispatch = async (request: FastifyRequest, reply: FastifyReply) => {
    const result = await handleRequest(options.tables.current, new ClientRequestInput(request, reply), options.auth);
    if (result.fault !== undefined) request.log.error({ err: result.fault, route: result.routeId }, 'request failed unexpectedly');
    if (result.clearedCache) options.onCacheCleared?.(result.clearedCache);
    request.prismReply = result;
    return send(reply, result);
  };
  app.route({ method: METHODS, url: '/', handler });
  app.route({ method: METHODS, url: '/*', handler });
  return app;
}

function send(reply: FastifyReply, result: HttpReply) {
  reply.code(result.status);
  reply.headers(result.headers);
  // A Buffer goes out untouched: fastify would append `; charset=utf-8` to a string's type,
  // and clients compare the media type exactly.
  return reply.send(Buffer.from(result.body, 'utf8'));
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function toInput(request: { method: string; url: string; query: unknown; headers: Record<string, string | string[] | undefined>; body?: unknown }, signal: CallSignal | undefined): HttpInput {
  return {
    method: request.method,
    path: pathOf(request.url),
    query: (request.query ?? {}) as HttpInput['query'],
    headers: request.headers,
    body: Buffer.isBuffer(request.body) ? request.body : undefined,
    signal,
  };
}

/**
 * A request as the core sees it, whose `signal` (aborted when the client goes away) is made
 * on first use: most answers (cache hits, refusals) never call upstream and never need one.
 * It is a ClientGone rather than an AbortSignal: an AbortController and an EventTarget per
 * call were a measurable share of a proxied request.
 */
class ClientRequestInput implements HttpInput {
  readonly method: string;
  readonly path: string;
  readonly query: HttpInput['query'];
  readonly headers: HttpInput['headers'];
  readonly body: Buffer | undefined;
  readonly requestId: string;
  readonly clientAddress: string;
  #signal: ClientGone | undefined;
  readonly #reply: FastifyReply;

  constructor(request: FastifyRequest, reply: FastifyReply) {
    this.method = request.method;
    this.path = pathOf(request.url);
    this.query = (request.query ?? {}) as HttpInput['query'];
    this.headers = request.headers;
    this.body = Buffer.isBuffer(request.body) ? request.body : undefined;
    this.requestId = request.id;
    this.clientAddress = request.ip;
    this.#reply = reply;
  }

  get signal(): CallSignal {
    return (this.#signal ??= new ClientGone(this.#reply.raw));
  }
}

/** Aborted when the response closes before it was sent in full: the client went away. */
class ClientGone implements CallSignal {
  aborted = false;
  #listeners: (() => void)[] = [];

  constructor(raw: FastifyReply['raw']) {
    // The client may already be gone by the time the core first asks.
    if (raw.destroyed && !raw.writableFinished) this.aborted = true;
    else raw.once('close', () => raw.writableFinished || this.#abort());
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.aborted) this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const at = this.#listeners.indexOf(listener);
    if (at >= 0) this.#listeners.splice(at, 1);
  }

  #abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener();
  }
}

export type HttpsOptions = import('node:https').ServerOptions;

export interface AdminServerOptions {
  readonly https?: HttpsOptions;
  readonly routes: readonly AdminRoute[];
  /** When set, every admin request needs the admin role (in every namespace: `*`). */
  readonly auth?: Authenticator;
  /** Paths served without credentials even with `auth` (/healthz always; `admin.openProbes` adds /readyz and /metrics). */
  readonly openPaths?: readonly string[];
  readonly logger?: FastifyServerOptions['logger'];
  readonly connections?: HttpServerOptions['connections'];
}

/** The admin listener: a plain fastify app over framework-free admin handlers. */
export function createAdminHttpServer(options: AdminServerOptions): FastifyInstance {
  const app = (Fastify as unknown as (o: FastifyServerOptions & { https?: HttpsOptions }) => FastifyInstance)({
    ...(options.https ? { https: options.https } : {}),
    logger: options.logger ?? false,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  }) as unknown as FastifyInstance;
  if (options.connections) guardConnections(app.server, options.connections.limits, options.connections.refused);
  const open = new Set(['/healthz', ...(options.openPaths ?? [])]);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  for (const route of options.routes) {
    app.route({
      method: route.method,
      url: route.path,
      handler: async (request, reply) => {
        try {
          let principal = 'anonymous';
          if (options.auth && !open.has(route.path)) {
            const checked = await checkAdmin(options.auth, request.headers.authorization, request.ip);
            if ('denied' in checked) {
              if (route.method !== 'GET') request.log.warn({ audit: { principal: null, client: request.ip, action: `${route.method} ${request.url}`, status: checked.denied.status } }, 'admin change refused');
              return send(reply, checked.denied);
            }
            principal = checked.principal;
          }
          const answer = await route.handle(toInput(request, undefined), request.params as Record<string, string>);
          // The audit trail: who changed what (the log line's time says when), and the outcome.
          if (route.method !== 'GET') request.log.info({ audit: { principal, client: request.ip, action: `${route.method} ${request.url}`, status: answer.status } }, 'admin change');
          return send(reply, answer);
        } catch (err) {
          request.log.error({ err }, 'admin request failed');
          return send(reply, { status: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: 'internal error' }) });
        }
      },
    });
  }
  return app;
}

/** The admin listener's own guard: admin role everywhere (the principal's name), or a 401/403 reply. */
async function checkAdmin(auth: Authenticator, authorization: string | undefined, clientAddress: string): Promise<{ principal: string } | { denied: HttpReply }> {
  try {
    const principal = await auth.authenticate(authorization, clientAddress);
    auth.authorize(principal, '*', 'admin');
    return { principal: principal.name };
  } catch (err) {
    const e = err instanceof GatewayError ? err : undefined;
    const status = e?.httpStatus ?? 500;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (status === 401) headers['www-authenticate'] = auth.challenge;
    if (e?.metadata.retryAfterSeconds) headers['retry-after'] = e.metadata.retryAfterSeconds;
    return { denied: { status, headers, body: JSON.stringify({ error: e?.message ?? 'internal error' }) } };
  }
}
