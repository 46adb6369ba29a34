/**
 * The public routes as a fastify plugin: the gateway's own body parsers (every body arrives as
 * a Buffer; the core decides what it means), one catch-all route that dispatches every path and
 * method to the current route table, the overload refusal, the error handler that sends
 * framework failures (body too large, a parser error) through the same error road as
 * everything else, and one log line and metrics per answered request. Requests on a path the
 * table's RPC index serves (gRPC-Web and Connect, src/rpc/) go to the RPC handler instead of
 * the routes, under the same request gate, stream cap and shutdown.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { handleRequest, renderRoutingError, type Streamer } from '../core/handle-request.js';
import { handleStream, type StreamSummary } from '../core/handle-stream.js';
import { createOpenStreams, createStreamSlots, type OpenStreams, type StreamSlots } from '../core/open-streams.js';
import { Code, codeName, gatewayError, GatewayReason } from '../core/gateway-error.js';
import { hostOf } from '../core/http-input-values.js';
import type { HttpReply } from '../core/http-types.js';
import { renderError } from '../core/render-error.js';
import { graphqlTarget, serveGraphqlRequest } from '../graphql/fastify-graphql.js';
import { handleRpc, rpcFailureAnswer, speaksRpc } from '../rpc/handle-rpc.js';
import type { RpcCandidates } from '../rpc/rpc-index.js';
import type { RpcOutcome } from '../rpc/rpc-outcome.js';
import type { RpcAnswer, RpcResponse } from '../rpc/rpc-response.js';
import type { Authenticator } from '../security/authenticator.js';
import { ClientRequestInput, pathOf, requestInput, sendReply, streamingBodies, streamResponse } from './fastify-io.js';
import type { TableHolder } from './table-holder.js';
import { answerWhoami, isWhoamiRequest } from '../ui/whoami.js';
import type { WebSocketHandler } from './websocket-route.js';

/** fastify's own default (1 MiB), for an app made without a bodyLimit. */
const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface PublicRoutesOptions {
  readonly tables: TableHolder;
  /** Checks credentials and roles when auth is configured. */
  readonly auth?: Authenticator;
  /** Told about every answered request (metrics). */
  readonly onReply?: (reply: HttpReply | undefined, method: string, status: number, seconds: number) => void;
  /** Told when a write cleared a frontend's response cache, before the client hears back. */
  readonly onCacheCleared?: (cleared: NonNullable<HttpReply['clearedCache']>) => void;
  /**
   * The listener's open SSE/NDJSON streams: closed (as their framing says) when the app closes;
   * one is made when not given.
   */
  readonly openStreams?: OpenStreams;
  /** Told when a stream's headers left (it is open) and when it ended (metrics). */
  readonly onStreamOpened?: (route: { frontend: string; route: string; namespace: string }) => void;
  readonly onStreamClosed?: (route: { frontend: string; route: string; namespace: string }, summary: StreamSummary) => void;
  /**
   * Requests handled at once; more are refused at once (503) instead of queueing without bound.
   * A stream holds one only until its headers left; then it counts against `streamSlots`.
   */
  readonly maxConcurrent?: number;
  /**
   * The listener's cap on open streams, shared with its WebSocket sessions; beyond it a stream
   * request is refused 503 (OVERLOADED). One of DEFAULT_MAX_STREAMS is made when not given.
   */
  readonly streamSlots?: StreamSlots;
  /** Told of each stream request refused by `streamSlots` (metrics). */
  readonly onStreamRefused?: () => void;
  /** Serves WebSocket upgrades on GET (websocket-route.ts); needs @fastify/websocket on the app. */
  readonly wsHandler?: WebSocketHandler;
  /** Told about every finished gRPC-Web or Connect call, streams when they end (metrics). */
  readonly onRpcCall?: (outcome: RpcOutcome, seconds: number) => void;
}

/** In-flight requests per listener before new ones are refused. */
export const DEFAULT_MAX_CONCURRENT = 4096;

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

declare module 'fastify' {
  interface FastifyRequest {
    prismReply?: HttpReply;
    /** The answer is a stream written raw (its own log line and metrics). */
    prismStreaming?: boolean;
    /** A gRPC-Web or Connect call: it logs its own line and counts its own metrics. */
    prismRpc?: boolean;
  }
}

export const publicRoutesPlugin: FastifyPluginAsync<PublicRoutesOptions> = async (app, options) => {
  app.removeAllContentTypeParsers();
  // The body of a client- or bidi-streaming request reaches the core unread, so each JSON
  // value goes to the backend as it arrives (the backend's flow control paces the body).
  app.addHook('preParsing', streamingBodies(options.tables));
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: { code?: string; statusCode?: number; message: string }, request, reply) => {
    let failure;
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      failure = gatewayError(Code.RESOURCE_EXHAUSTED, GatewayReason.PAYLOAD_TOO_LARGE, 'request body is too large');
    } else if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      failure = gatewayError(Code.INVALID_ARGUMENT, GatewayReason.MALFORMED_BODY, 'malformed request');
    } else {
      request.log.error({ err: error }, 'unhandled error');
      failure = gatewayError(Code.INTERNAL, GatewayReason.INTERNAL, 'internal error');
    }
    // A gRPC-Web or Connect client reads failures in its protocol's shape, not a REST body.
    if (rpcTarget(request) !== undefined) return sendRpcAnswer(reply, rpcFailureAnswer(requestInput(request), request.id, failure));
    const rendered = renderRoutingError(options.tables.current, requestInput(request), failure);
    rendered.headers['x-request-id'] = request.id;
    return sendReply(reply, rendered);
  });

  // Once closing, answers ask clients to drop their keep-alive connections, so a connection
  // whose request was in flight at SIGTERM does not hold the shutdown open.
  let closing = false;
  const openStreams = options.openStreams ?? createOpenStreams();
  app.addHook('preClose', async () => {
    closing = true;
    // Open streams end now, each as its framing says (SSE `event: shutdown`, NDJSON an
    // UNAVAILABLE line), so the drain is not held open by them.
    openStreams.closeAll('shutdown');
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  app.addHook('onResponse', (request, reply, done) => {
    // A stream logs its own line when it ends (with messages, bytes and its final code); an
    // RPC call logs its own with its gRPC code.
    if (request.prismStreaming || request.prismRpc) return done();
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
  const streamSlots = options.streamSlots ?? createStreamSlots();
  // A request message may be as large as the listener lets a body be.
  const maxMessageBytes = app.initialConfig.bodyLimit ?? DEFAULT_BODY_LIMIT;
  let inFlight = 0;

  /**
   * The RPC target of a request: the namespaces serving its path (POST or GET on a served
   * path, for its host), or `null` for a request in either protocol on a served mount that
   * names no served method; undefined for everything else. Hot path: a request that is not an
   * RPC pays one Map lookup and, on the miss, two header reads.
   */
  function rpcTarget(request: FastifyRequest): RpcCandidates | null | undefined {
    const rpc = options.tables.current.rpc;
    if (rpc === undefined || (request.method !== 'POST' && request.method !== 'GET')) return undefined;
    const path = pathOf(request.url);
    const entry = rpc.paths.get(path);
    if (entry !== undefined) {
      if (entry.byHost.size === 0) return entry.anyHost;
      return entry.byHost.get(hostOf(request.headers) ?? '') ?? entry.anyHost;
    }
    if (speaksRpc(request.headers) && rpc.mountOf(path, hostOf(request.headers)) !== undefined) return null;
    return undefined;
  }

  const serveRpc = async (candidates: RpcCandidates | null, request: FastifyRequest, reply: FastifyReply, releaseRequestSlot: () => void) => {
    const started = performance.now();
    request.prismRpc = true;
    const input = new ClientRequestInput(request, reply);
    const q = request.url.indexOf('?');
    const outcome = await handleRpc(candidates ?? undefined, input, q === -1 ? '' : request.url.slice(q + 1), request.id, new FastifyRpcResponse(reply), {
      auth: options.auth,
      maxMessageBytes,
      streamSlots,
      onStreamRefused: options.onStreamRefused,
      openStreams,
      // Established: from now on the stream counts against the stream cap only.
      onStreamOpened: releaseRequestSlot,
    });
    const seconds = (performance.now() - started) / 1000;
    options.onRpcCall?.(outcome, seconds);
    if (outcome.fault !== undefined) request.log.error({ err: outcome.fault, rpc: outcome.method?.grpcPath }, 'RPC call failed unexpectedly');
    // The line's object is built only when it would be written (it is most of a call's garbage
    // at the levels a loaded gateway runs with).
    if (!logsInfo(request)) return reply;
    request.log.info(
      {
        method: request.method,
        path: input.path,
        rpc: outcome.method?.grpcPath,
        protocol: outcome.protocol,
        namespace: outcome.method?.namespace,
        principal: outcome.principal,
        client: request.ip,
        code: codeName(outcome.code),
        ...(outcome.streamed ? { messages: outcome.messages } : {}),
        ms: Math.round(seconds * 100_000) / 100,
      },
      'rpc',
    );
    return reply;
  };
  /** `releaseRequestSlot` gives back the request's `maxConcurrent` slot (idempotent). */
  const dispatch = async (request: FastifyRequest, reply: FastifyReply, releaseRequestSlot: () => void) => {
    const input = new ClientRequestInput(request, reply);
    const streamer: Streamer = async (route, params, requestId) => {
      const releaseStreamSlot = streamSlots.acquire();
      if (!releaseStreamSlot) {
        options.onStreamRefused?.();
        // 503 with Retry-After: 1 (core/http-status.ts), in the route's own error shape.
        const failure = gatewayError(Code.RESOURCE_EXHAUSTED, GatewayReason.OVERLOADED, 'too many streams open; retry later', { maxStreams: String(streamSlots.max) });
        return renderError(failure, { mapError: route.mapError, contentType: route.frontend.negotiator.fallbackType });
      }
      const labels = { frontend: route.frontend.name, route: route.id, namespace: route.frontend.namespace ?? '' };
      let result: HttpReply;
      try {
        result = await handleStream(route, params, input, requestId, streamResponse(reply), {
          auth: options.auth,
          openStreams,
          onOpened: () => {
            request.prismStreaming = true;
            // Established: from now on the stream counts against the stream cap only.
            releaseRequestSlot();
            options.onStreamOpened?.(labels);
          },
        });
      } finally {
        releaseStreamSlot();
      }
      if (result.stream) {
        const s = result.stream;
        options.onStreamClosed?.(labels, s);
        request.log.info(
          {
            method: request.method,
            path: route.template,
            route: route.id,
            namespace: route.frontend.namespace,
            principal: result.principal,
            client: request.ip,
            framing: s.framing,
            status: result.status,
            code: s.code,
            messages: s.messagesSent,
            bytes: s.bytesSent,
            ms: Math.round(s.seconds * 100_000) / 100,
          },
          'stream',
        );
      }
      return result;
    };
    const table = options.tables.current;
    // Prism's /prism/v1/whoami under a binding's mount (src/ui/whoami.ts), unless routed by it.
    const result = isWhoamiRequest(table, input)
      ? await answerWhoami(table, input, options.auth)
      : await handleRequest(table, input, options.auth, streamer);
    // A stream was already written; only an answer that is not one goes out here.
    if (result.stream) return reply;
    if (result.fault !== undefined) request.log.error({ err: result.fault, route: result.routeId }, 'request failed unexpectedly');
    if (result.clearedCache) options.onCacheCleared?.(result.clearedCache);
    request.prismReply = result;
    return sendReply(reply, result);
  };
  // Hot path: every public request enters here.
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    if (inFlight >= maxConcurrent) {
      // 503 with Retry-After: 1, from the status table (core/http-status.ts).
      const failure = gatewayError(Code.RESOURCE_EXHAUSTED, GatewayReason.OVERLOADED, 'too many requests in flight; retry later');
      return sendReply(reply, renderRoutingError(options.tables.current, requestInput(request), failure));
    }
    inFlight++;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      inFlight--;
    };
    try {
      const graphql = graphqlTarget(options.tables.current, request);
      if (graphql !== undefined) return await serveGraphqlRequest(graphql, request, reply, { auth: options.auth, openStreams, onStreamOpened: release, onReply: options.onReply, streamSlots, onStreamRefused: options.onStreamRefused });
      const rpc = rpcTarget(request);
      if (rpc !== undefined) return await serveRpc(rpc, request, reply, release);
      return await dispatch(request, reply, release);
    } finally {
      release();
    }
  };
  // @fastify/websocket takes a wsHandler only on GET (and HEAD) routes: the other methods get their own.
  const wsHandler = options.wsHandler;
  const plain = METHODS.filter((m) => m !== 'GET' && m !== 'HEAD');
  for (const url of ['/', '/*']) {
    // With auth on, an upgrade is admitted (credentials, role, Origin) before the 101; without
    // auth there is nothing to check, and plain GETs pay no hook.
    app.route({ method: ['GET', 'HEAD'], url, handler, ...(wsHandler ? { wsHandler, ...(options.auth ? { preValidation: wsHandler.admit } : {}) } : {}) });
    app.route({ method: plain, url, handler });
  }
};

/** Whether the request's logger writes `info` lines (a logger without the check: assume so). */
function logsInfo(request: FastifyRequest): boolean {
  const log = request.log as FastifyRequest['log'] & { isLevelEnabled?: (level: string) => boolean };
  return log.isLevelEnabled?.('info') ?? true;
}

/** Sends a whole RPC answer as it is (a Buffer, so fastify adds no charset to the type). */
function sendRpcAnswer(reply: FastifyReply, answer: RpcAnswer): FastifyReply {
  reply.code(answer.status);
  reply.headers(answer.headers);
  return reply.send(Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength));
}

/**
 * A fastify reply as an RPC call's response: a whole answer goes through fastify (its hooks
 * see it); a stream hijacks the reply and is written raw with Node's own backpressure.
 *
 * One plain object per call and no listener on the response: whether the client went away is
 * read from the response's own state when asked (a response that closed before it finished,
 * as Node marks it), so a unary call registers nothing that refers back to its reply.
 */
class FastifyRpcResponse implements RpcResponse {
  readonly #reply: FastifyReply;

  constructor(reply: FastifyReply) {
    this.#reply = reply;
  }

  send(answer: RpcAnswer): void {
    void sendRpcAnswer(this.#reply, answer);
  }

  start(status: number, headers: Record<string, string>): void {
    const raw = this.#reply.raw;
    this.#reply.hijack();
    raw.writeHead(status, headers);
    // Headers leave now, not with the first message.
    raw.flushHeaders();
  }

  write(chunk: Uint8Array): boolean {
    return this.gone ? true : this.#reply.raw.write(chunk);
  }

  drained(): Promise<void> {
    const raw = this.#reply.raw;
    return new Promise<void>((resolve) => {
      if (this.gone || !raw.writableNeedDrain) return resolve();
      const done = () => {
        raw.off('drain', done);
        raw.off('close', done);
        resolve();
      };
      raw.on('drain', done);
      raw.on('close', done);
    });
  }

  end(): void {
    const raw = this.#reply.raw;
    if (!raw.writableEnded && !this.gone) raw.end();
  }

  get gone(): boolean {
    const raw = this.#reply.raw;
    return raw.destroyed && !raw.writableFinished;
  }
}
