/**
 * A public gateway app (createHttpServer, real sockets) whose route table holds streaming routes
 * bound to the raw-bytes stream server of the upstream tests (a real grpc-js backend, through the
 * lean HTTP/2 client). The routes are built by hand in the shape compiled streaming routes have,
 * so the WebSocket framing is tested on its own; messages are JSON bytes both ways, and List's
 * binary messages decode to `{index, size}`.
 */
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { Code, gatewayError, GatewayReason } from '../../src/core/gateway-error.js';
import type { ErrorMapper } from '../../src/core/render-error.js';
import { createHttpServer, type HttpServerOptions } from '../../src/routing/fastify-adapter.js';
import type { CompiledFrontend, CompiledRoute } from '../../src/routing/compiled-route.js';
import type { RouteTable } from '../../src/routing/route-table.js';
import { createTableHolder } from '../../src/routing/table-holder.js';
import type { WebSocketOptions } from '../../src/routing/websocket-route.js';
import type { Authenticator, Principal } from '../../src/security/authenticator.js';
import { createHttp2Upstream } from '../../src/upstream/http2-upstream.js';
import type { Upstream } from '../../src/upstream/upstream.js';
import { startStreamServer, STREAMS, type StreamServer } from '../upstream/stream-server.js';

const jsonType = {
  encode: (v: unknown) => ({ finish: () => Buffer.from(JSON.stringify(v)) }),
  decode: (b: Uint8Array) => JSON.parse(Buffer.from(b).toString()) as unknown,
};
const listType = {
  encode: jsonType.encode,
  decode: (b: Uint8Array) => ({ index: b[0], size: b.length }),
};

/** A Confluent-shaped error mapping: the close reason is its `message`. */
const mapError: ErrorMapper = (e) => ({ status: e.httpStatus, headers: {}, body: { error_code: e.httpStatus * 100 + e.code, message: e.message } });

type Kind = 'server' | 'client' | 'bidi';

function route(frontend: CompiledFrontend, id: string, method: string, kind: Kind | undefined, extra: Partial<CompiledRoute> = {}): CompiledRoute {
  const fromQuery = (query: Record<string, unknown>) => {
    const n = (k: string) => (query[k] === undefined ? undefined : Number(query[k]));
    const fail = query.failCode === undefined ? undefined : { code: n('failCode'), message: String(query.failMessage ?? 'failed') };
    return { count: n('count') ?? 0, size: n('size') ?? 8, intervalMs: n('intervalMs'), fail };
  };
  return {
    id,
    method: 'GET',
    template: `/ws/${id}`,
    frontend,
    grpc: { path: `/${STREAMS}/${method}`, requestType: (method === 'List' ? listType : jsonType) as never, responseType: (method === 'List' ? listType : jsonType) as never },
    plan: {} as never,
    mapRequest: ({ query, body }) => {
      if (kind === 'server') return fromQuery(query as Record<string, unknown>);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.BINDING_TYPE, 'each message must be a JSON object');
      }
      return body as Record<string, unknown>;
    },
    boundQuery: new Set(),
    mapResponse: (response) => ({ status: 200, headers: {}, body: response, raw: false }),
    mapError,
    deadlineMs: 30_000,
    forwardHeaders: ['x-request-id', 'x-tenant'],
    readiness: false,
    role: 'none',
    cacheVary: [],
    writes: false,
    ...(kind ? { streaming: { kind, websocket: true, framings: [], sse: { heartbeatMs: 15_000 }, limits: {} } } : {}),
    ...extra,
  } as CompiledRoute;
}

/** Bearer `reader` may read, `writer` may write; anything else is unauthenticated. */
export const fakeAuth: Authenticator = {
  challenge: 'Bearer',
  async authenticate(authorization) {
    if (authorization === 'Bearer reader') return { name: 'reader', roles: { '*': 'read' } };
    if (authorization === 'Bearer writer') return { name: 'writer', roles: { '*': 'write' } };
    throw gatewayError(Code.UNAUTHENTICATED, GatewayReason.UNAUTHENTICATED, 'missing or invalid credentials');
  },
  authorize(principal: Principal, _namespace, role) {
    const rank = { read: 1, write: 2, admin: 3 };
    if (rank[principal.roles['*']!] < rank[role]) throw gatewayError(Code.PERMISSION_DENIED, GatewayReason.FORBIDDEN, `'${principal.name}' may not ${role}`);
  },
};

export interface WsGateway {
  readonly url: string;
  readonly backend: StreamServer;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/** Starts the backend and a gateway on 127.0.0.1 with the test routes under /ws/ (`server`: more listener options, e.g. cors). */
export async function startWsGateway(websocket: WebSocketOptions = {}, server: Partial<HttpServerOptions> = {}): Promise<WsGateway> {
  const backend = await startStreamServer();
  const upstream: Upstream = createHttp2Upstream(backend.address);
  const frontend = { name: 'ws', mountPath: '/ws', namespace: 'ns', mapError, unknownQuery: 'ignore', trailingSlash: false, upstream, negotiator: {} as never, cache: {} as never } as unknown as CompiledFrontend;
  const routes = [
    route(frontend, 'list', 'List', 'server'),
    route(frontend, 'collect', 'Collect', 'client'),
    route(frontend, 'chat', 'Chat', 'bidi'),
    route(frontend, 'hang', 'Hang', 'bidi'),
    route(frontend, 'plain', 'Chat', undefined),
    route(frontend, 'secure', 'Chat', 'bidi', { role: 'write' }),
  ];
  const byPath = new Map(routes.map((r) => [r.template, r]));
  const table: RouteTable = {
    routes,
    frontends: [frontend],
    match(_method, path) {
      const r = byPath.get(path);
      if (r) return { route: r, params: {} };
      return { frontend, error: gatewayError(Code.NOT_FOUND, GatewayReason.ROUTE_NOT_FOUND, `cannot route GET ${path}`) };
    },
    frontendFor: () => frontend,
  };
  const app = createHttpServer({ ...server, tables: createTableHolder(table), auth: fakeAuth, websocket });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: address.replace('http', 'ws'),
    backend,
    app,
    close: async () => {
      await app.close();
      upstream.close();
      backend.kill();
    },
  };
}

export interface Received {
  readonly frames: string[];
  readonly code: number;
  readonly reason: string;
}

/** Opens a socket; `frames` fills as text frames arrive; `closed` settles with every frame and the close. */
export function connect(url: string, headers: Record<string, string> = {}): { ws: WebSocket; frames: string[]; opened: Promise<void>; closed: Promise<Received> } {
  const ws = new WebSocket(url, { headers });
  const frames: string[] = [];
  ws.on('message', (data) => frames.push(String(data)));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const closed = new Promise<Received>((resolve) => ws.once('close', (code, reason) => resolve({ frames, code, reason: reason.toString() })));
  return { ws, frames, opened, closed };
}

export interface RefusedUpgrade {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** Attempts an upgrade that the gateway is expected to refuse before the 101: its HTTP answer. */
export function refusedUpgrade(url: string, headers: Record<string, string> = {}): Promise<RefusedUpgrade> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.terminate();
      reject(new Error(`the upgrade of ${url} was accepted`));
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += String(chunk)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    ws.once('error', (err) => reject(err));
  });
}
