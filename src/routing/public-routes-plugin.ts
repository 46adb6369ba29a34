/**
 * The public routes as a fastify plugin: the gateway's own body parsers (every body arrives as
 * a Buffer; the core decides what it means), one catch-all route that dispatches every path and
 * method to the current route table, the overload refusal, the error handler that sends
 * framework failures (body too large, a parser error) through the same error road as
 * everything else, and one log line and metrics per answered request.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { handleRequest, renderRoutingError, type Streamer } from '../core/handle-request.js';
import { handleStream, type StreamSummary } from '../core/handle-stream.js';
import { createOpenStreams, createStreamSlots, type OpenStreams, type StreamSlots } from '../core/open-streams.js';
import { Code, gatewayError, GatewayReason } from '../core/gateway-error.js';
import type { HttpReply } from '../core/http-types.js';
import { renderError } from '../core/render-error.js';
import type { Authenticator } from '../security/authenticator.js';
import { ClientRequestInput, requestInput, sendReply, streamResponse } from './fastify-io.js';
import type { TableHolder } from './table-holder.js';
import type { WebSocketHandler } from './websocket-route.js';

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
}

/** In-flight requests per listener before new ones are refused. */
export const DEFAULT_MAX_CONCURRENT = 4096;

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

declare module 'fastify' {
  interface FastifyRequest {
    prismReply?: HttpReply;
    /** The answer is a stream written raw (its own log line and metrics). */
    prismStreaming?: boolean;
  }
}

export const publicRoutesPlugin: FastifyPluginAsync<PublicRoutesOptions> = async (app, options) => {
  app.removeAllContentTypeParsers();
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
    // A stream logs its own line when it ends (with messages, bytes and its final code).
    if (request.prismStreaming) return done();
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
  let inFlight = 0;
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
    const result = await handleRequest(options.tables.current, input, options.auth, streamer);
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
      return await dispatch(request, reply, release);
    } finally {
      release();
    }
  };
  // @fastify/websocket takes a wsHandler only on GET (and HEAD) routes: the other methods get their own.
  const wsHandler = options.wsHandler;
  const plain = METHODS.filter((m) => m !== 'GET' && m !== 'HEAD');
  for (const url of ['/', '/*']) {
    app.route({ method: ['GET', 'HEAD'], url, handler, ...(wsHandler ? { wsHandler } : {}) });
    app.route({ method: plain, url, handler });
  }
};
