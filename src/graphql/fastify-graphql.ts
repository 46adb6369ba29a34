/**
 * The fastify side of GraphQL over HTTP: which requests the current table's GraphQL index
 * takes (one Map lookup, only for tables that have endpoints), and serving them with the
 * framework-free serve-graphql.ts, one log line per request.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hostOf } from '../core/http-input-values.js';
import type { HttpReply } from '../core/http-types.js';
import type { OpenStreams, StreamSlots } from '../core/open-streams.js';
import { ClientRequestInput, pathOf, sendReply, streamResponse } from '../routing/fastify-io.js';
import type { RouteTable } from '../routing/route-table.js';
import type { Authenticator } from '../security/authenticator.js';
import type { GraphqlEndpoint } from './graphql-endpoint.js';
import { serveGraphql } from './serve-graphql.js';

/** The endpoint a request is for, when the table has one at its path. Hot path: no endpoints, one property read. */
export function graphqlTarget(table: RouteTable, request: FastifyRequest): GraphqlEndpoint | undefined {
  return table.graphql?.match(pathOf(request.url), hostOf(request.headers));
}

export interface GraphqlRequestOptions {
  readonly auth?: Authenticator;
  readonly openStreams?: OpenStreams;
  /** Gives back the request's concurrency slot once an SSE answer has started. */
  readonly onStreamOpened?: () => void;
  /** The listener's stream cap (SSE answers take a slot); refusals are told to `onStreamRefused`. */
  readonly streamSlots?: StreamSlots;
  readonly onStreamRefused?: () => void;
  /** Told about every answered request (the request metrics; route label `graphql`). */
  readonly onReply?: (reply: HttpReply | undefined, method: string, status: number, seconds: number) => void;
}

export async function serveGraphqlRequest(endpoint: GraphqlEndpoint, request: FastifyRequest, reply: FastifyReply, options: GraphqlRequestOptions): Promise<FastifyReply> {
  const started = performance.now();
  const input = new ClientRequestInput(request, reply);
  const answer = await serveGraphql(endpoint, input, { auth: options.auth, requestId: request.id, response: streamResponse(reply), openStreams: options.openStreams, onStreamOpened: options.onStreamOpened,
    acquireStream: options.streamSlots
      ? () => {
          const release = options.streamSlots!.acquire();
          if (!release) options.onStreamRefused?.();
          return release;
        }
      : undefined,
  });
  // The request log line and metrics are these (the plugin's onResponse skips them).
  request.prismStreaming = true;
  Object.assign(answer, { routeId: 'graphql', frontend: endpoint.name, namespace: endpoint.namespace, pathTemplate: endpoint.path });
  options.onReply?.(answer, request.method, answer.status, (performance.now() - started) / 1000);
  request.log.info(
    {
      method: request.method,
      path: endpoint.path,
      frontend: endpoint.name,
      namespace: endpoint.namespace,
      client: request.ip,
      status: answer.status,
      ...(answer.streamed ? { framing: 'text/event-stream' } : {}),
      ms: Math.round((performance.now() - started) * 100) / 100,
    },
    'graphql',
  );
  if (answer.streamed) return reply;
  answer.headers['x-request-id'] = request.id;
  return sendReply(reply, answer);
}
