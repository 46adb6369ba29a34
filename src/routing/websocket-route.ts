/**
 * The fastify side of WebSocket routes: the `wsHandler` of the public catch-all route, and the
 * hook that admits an upgrade before the 101. Each accepted upgrade becomes a session
 * (core/handle-websocket.ts) against the route table current when it arrived, so a hot reload
 * never cuts an open socket; the handler keeps the open sessions so a shutdown can close them
 * with 1001.
 *
 * When auth is on, an upgrade is admitted only with credentials the route accepts and from an
 * origin allowed to use them. Browsers send cookies and cached Basic credentials on a
 * WebSocket handshake from any page, with no CORS check (cross-site WebSocket hijacking), so an
 * upgrade that carries an `Origin` must be same-origin (its host and port are the Host header's)
 * or allowed, with credentials, by the CORS policy of the path. These refusals are HTTP answers
 * before the 101 (401 with `WWW-Authenticate`, 403), in the route's error shape: no session is
 * opened, no backend is called. Every other refusal stays in-stream (handle-websocket.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { CorsConfig } from '../config/gateway-config.js';
import { Code, gatewayError, GatewayReason } from '../core/gateway-error.js';
import { matchWebSocketRoute, openWebSocketSession, type WebSocketRoute, type WebSocketSession, type WebSocketSummary } from '../core/handle-websocket.js';
import { headerValue, hostOf } from '../core/http-input-values.js';
import type { HttpInput } from '../core/http-types.js';
import { createStreamSlots, type StreamSlots } from '../core/open-streams.js';
import { authorizeRoute, renderCallError } from '../core/prepare-call.js';
import type { Authenticator } from '../security/authenticator.js';
import { corsPolicyFor, originAllowed } from './cors.js';
import { requestInput, sendReply } from './fastify-io.js';
import type { RouteTable } from './route-table.js';
import type { TableHolder } from './table-holder.js';

export interface WebSocketOptions {
  /** Keepalive pings at this interval; a peer that misses one is dropped. Default 30 s; 0 = off. */
  readonly pingIntervalMs?: number;
  /** Largest inbound message accepted, in bytes. Default 1 MiB. */
  readonly maxFrameBytes?: number;
  /** Unsent bytes a socket may hold before the backend's stream stops being read. Default 256 KiB. */
  readonly maxSocketBufferedBytes?: number;
}

export const WEBSOCKET_DEFAULTS: Readonly<Required<WebSocketOptions>> = Object.freeze({
  pingIntervalMs: 30_000,
  maxFrameBytes: 1024 * 1024,
  maxSocketBufferedBytes: 256 * 1024,
});

/**
 * The hard cap ws enforces before a message is buffered (`maxPayload`): above the gateway's own
 * limit, so a frame a little too large still gets the gateway's error frame (ws closes with 1009
 * and no frame once its cap is crossed: it refuses the frame from its header, before the
 * application sees it), and bounded, so no frame is buffered without limit.
 */
export function wsMaxPayload(options: WebSocketOptions = {}): number {
  return 2 * (options.maxFrameBytes ?? WEBSOCKET_DEFAULTS.maxFrameBytes);
}

export interface WebSocketRouteOptions {
  readonly tables: TableHolder;
  readonly auth?: Authenticator;
  readonly websocket?: WebSocketOptions;
  /** Told when each session ends (metrics). */
  readonly onSessionEnd?: (summary: WebSocketSummary) => void;
  /**
   * The listener's cap on open streams, shared with its SSE and NDJSON streams; an upgrade
   * beyond it gets an error frame and close 4008 (RESOURCE_EXHAUSTED, reason OVERLOADED).
   */
  readonly streamSlots?: StreamSlots;
  /** Told of each upgrade refused by `streamSlots` (metrics). */
  readonly onRefused?: () => void;
  /** The listener's CORS settings (a frontend binding's own override them): origins they allow may upgrade with credentials. */
  readonly cors?: CorsConfig;
}

export interface WebSocketHandler {
  /** The catch-all route's `wsHandler`. */
  (socket: WebSocket, request: FastifyRequest): void;
  /** Sessions open now. */
  readonly open: number;
  /** Ends every open session with 1001 (gateway shutdown); their backend calls are cancelled. */
  closeAll(): void;
  /**
   * A `preValidation` hook for the public routes: refuses, before the 101, an upgrade without
   * the credentials its route needs (401 with the challenge, 403) or from an origin not allowed
   * to use them (403). Anything that is not an upgrade passes untouched.
   */
  admit(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

/** Creates the public listener's WebSocket handler. */
export function createWebSocketHandler(options: WebSocketRouteOptions): WebSocketHandler {
  const settings = { ...WEBSOCKET_DEFAULTS, ...options.websocket };
  const sessions = new Set<WebSocketSession>();
  const slots = options.streamSlots ?? createStreamSlots();
  const handler = (socket: WebSocket, request: FastifyRequest): void => {
    const input = { ...requestInput(request), requestId: request.id, clientAddress: request.ip };
    const release = slots.acquire();
    // The upgrade is already accepted: the refusal is in-stream, as every other one (a browser
    // sees no status of a refused handshake).
    const refusal = release ? undefined : gatewayError(Code.RESOURCE_EXHAUSTED, GatewayReason.OVERLOADED, 'too many streams open; retry later', { maxStreams: String(slots.max) });
    if (refusal) options.onRefused?.();
    const session = openWebSocketSession(options.tables.current, input, peerOf(socket), { auth: options.auth, ...settings, refusal });
    sessions.add(session);
    socket.on('message', (data, binary) => session.received(toBuffer(data), binary));
    socket.on('pong', () => session.pong());
    socket.on('close', () => session.closed());
    void session.done.then((summary) => {
      release?.();
      sessions.delete(session);
      options.onSessionEnd?.(summary);
      request.log.info(
        {
          path: summary.pathTemplate,
          route: summary.routeId,
          namespace: summary.namespace,
          principal: summary.principal,
          client: request.ip,
          close: summary.closeCode,
          code: summary.code,
          sent: summary.messagesSent,
          received: summary.messagesReceived,
          bytesSent: summary.bytesSent,
          bytesReceived: summary.bytesReceived,
          ms: Math.round(summary.seconds * 100_000) / 100,
        },
        'websocket',
      );
    }).catch((err: unknown) => request.log.error({ err }, 'websocket session bookkeeping failed'));
  };
  return Object.assign(handler, {
    get open() {
      return sessions.size;
    },
    closeAll() {
      for (const session of [...sessions]) session.shutdown();
    },
    async admit(request: FastifyRequest, reply: FastifyReply) {
      const auth = options.auth;
      if (!auth || !isUpgrade(request)) return;
      const input: HttpInput = { ...requestInput(request), requestId: request.id, clientAddress: request.ip };
      const table = options.tables.current;
      let route: WebSocketRoute;
      try {
        route = matchWebSocketRoute(table, input).route;
      } catch {
        // No route takes the upgrade: refused in-stream like every routing failure.
        return;
      }
      let refusal;
      try {
        const origin = headerValue(input.headers['origin']);
        if (origin !== undefined && !originMayUpgrade(table, options.cors, input, origin)) {
          throw gatewayError(Code.PERMISSION_DENIED, GatewayReason.FORBIDDEN, `a WebSocket from origin '${origin}' is not allowed here`, { origin });
        }
        await authorizeRoute(route, input, auth);
        return;
      } catch (err) {
        refusal = renderCallError(route, err, { auth, contentType: route.frontend.negotiator.fallbackType });
      }
      refusal.headers['x-request-id'] = request.id;
      request.log.info({ path: route.template, route: route.id, client: request.ip, status: refusal.status }, 'websocket refused');
      await sendReply(reply, refusal);
    },
  });
}

function isUpgrade(request: FastifyRequest): boolean {
  return request.method === 'GET' && headerValue(request.headers['upgrade'])?.toLowerCase() === 'websocket';
}

/**
 * Whether a page at `origin` may open a credentialed WebSocket here: same-origin (the Origin's
 * host and port are the Host header's), or an origin the path's CORS policy allows with
 * credentials. `*` alone does not do: CORS itself never lets `*` carry credentials.
 */
function originMayUpgrade(table: RouteTable, listener: CorsConfig | undefined, input: HttpInput, origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // `null` (sandboxed frames, file: pages) and garbage are never same-origin
  }
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  const host = headerValue(input.headers['host'])?.toLowerCase();
  if (host !== undefined && withPort(url.host, secure) === withPort(host, secure)) return true;
  let policy;
  try {
    policy = corsPolicyFor(table, listener, input.path, hostOf(input.headers));
  } catch {
    return false; // a CORS config that does not compile allows nothing
  }
  return policy !== undefined && (!policy.anyOrigin || policy.allowCredentials) && originAllowed(policy, origin);
}

/** `host[:port]` with the scheme's default port made explicit, so `a.test` equals `a.test:80`. */
function withPort(host: string, secure: boolean): string {
  const bracket = host.lastIndexOf(']');
  const colon = host.lastIndexOf(':');
  return colon > bracket ? host : `${host}:${secure ? 443 : 80}`;
}

function peerOf(socket: WebSocket) {
  return {
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    send(text: string, done: (err?: Error) => void) {
      if (socket.readyState !== socket.OPEN) return done(new Error('socket not open'));
      socket.send(text, { binary: false }, done);
    },
    close(code: number, reason: string) {
      if (socket.readyState === socket.OPEN) socket.close(code, reason);
    },
    terminate: () => socket.terminate(),
    ping: () => {
      if (socket.readyState === socket.OPEN) socket.ping();
    },
    pause: () => socket.pause(),
    resume: () => socket.resume(),
  };
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
