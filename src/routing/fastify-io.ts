/**
 * Between fastify and the framework-free core: a fastify request as an HttpInput, an HttpReply
 * sent through a fastify reply. The public routes and the admin API both speak through it.
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest, preParsingAsyncHookHandler } from 'fastify';
import { hostOf } from '../core/http-input-values.js';
import type { CallSignal, HttpInput, HttpReply } from '../core/http-types.js';
import type { StreamResponse } from '../core/handle-stream.js';
import type { RouteTable } from './route-table.js';
import type { TableHolder } from './table-holder.js';

/** Sends a core reply as it is: status, headers and the body's bytes. */
export function sendReply(reply: FastifyReply, result: HttpReply): FastifyReply {
  reply.code(result.status);
  reply.headers(result.headers);
  // A Buffer goes out untouched: fastify would append `; charset=utf-8` to a string's type,
  // and clients compare the media type exactly.
  return reply.send(result.bytes ?? Buffer.from(result.body, 'utf8'));
}

/** The path of a request URL, without the query string (still percent-encoded). */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** A request as plain data, for answers that never call upstream (errors, admin handlers). */
export function requestInput(request: Pick<FastifyRequest, 'method' | 'url' | 'query' | 'headers' | 'body'>): HttpInput {
  return {
    method: request.method,
    path: pathOf(request.url),
    query: (request.query ?? {}) as HttpInput['query'],
    headers: request.headers,
    body: Buffer.isBuffer(request.body) ? request.body : undefined,
  };
}

/**
 * A request as the core sees it, whose `signal` (aborted when the client goes away) is made
 * on first use: most answers (cache hits, refusals) never call upstream and never need one.
 * It is a ClientGone rather than an AbortSignal: an AbortController and an EventTarget per
 * call were a measurable share of a proxied request.
 */
export class ClientRequestInput implements HttpInput {
  readonly method: string;
  readonly path: string;
  readonly query: HttpInput['query'];
  readonly headers: HttpInput['headers'];
  readonly body: Buffer | undefined;
  readonly bodyStream: AsyncIterable<Uint8Array> | undefined;
  readonly requestId: string;
  readonly clientAddress: string;
  #signal: ClientGone | undefined;
  readonly #reply: FastifyReply;

  constructor(request: FastifyRequest, reply: FastifyReply) {
    this.method = request.method;
    this.path = pathOf(request.url);
    this.query = (request.query ?? {}) as HttpInput['query'];
    this.headers = request.headers;
    this.bodyStream = streamedBodies.get(request.raw);
    this.body = this.bodyStream === undefined && Buffer.isBuffer(request.body) ? request.body : undefined;
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

/**
 * A fastify reply as a stream's response (core/handle-stream.ts): the reply is hijacked when
 * the stream starts and written raw, with Node's own backpressure (`write` false → 'drain').
 */
export function streamResponse(reply: FastifyReply): StreamResponse {
  const raw = reply.raw;
  let gone = raw.destroyed && !raw.writableFinished;
  if (!gone) raw.once('close', () => (gone = !raw.writableFinished));
  return {
    start(status, headers) {
      reply.hijack();
      raw.writeHead(status, headers);
      // Headers leave now, not with the first message.
      raw.flushHeaders();
    },
    // Writing to a response whose client went away would only queue bytes nobody reads.
    write: (chunk) => (gone ? true : raw.write(chunk)),
    drained: () =>
      new Promise<void>((resolve) => {
        if (gone || !raw.writableNeedDrain) return resolve();
        const done = () => {
          raw.off('drain', done);
          raw.off('close', done);
          resolve();
        };
        raw.on('drain', done);
        raw.on('close', done);
      }),
    end() {
      if (!raw.writableEnded && !gone) raw.end();
    },
    get gone() {
      return gone;
    },
  };
}

/** Bodies handed over unread (streamingBodies), by the raw request they belong to. */
const streamedBodies = new WeakMap<FastifyRequest['raw'], Readable>();

/** Whether a table has client- or bidi-streaming routes (computed once per table). */
const tablesWithClientStreams = new WeakMap<RouteTable, boolean>();

function hasClientStreams(table: RouteTable): boolean {
  let known = tablesWithClientStreams.get(table);
  if (known === undefined) {
    known = table.routes.some((r) => r.streaming !== undefined && r.streaming.kind !== 'server');
    tablesWithClientStreams.set(table, known);
  }
  return known;
}

/**
 * A `preParsing` hook for the public routes: the body of a request to a client- or
 * bidi-streaming route is handed to the core unread (HttpInput.bodyStream), so that each JSON
 * value goes to the backend as soon as it has arrived and the backend's flow control paces the
 * reading of the rest; fastify's parser then sees an empty body. Every other body is buffered
 * as before. Tables without such routes cost one WeakMap lookup per request.
 */
export function streamingBodies(tables: TableHolder): preParsingAsyncHookHandler {
  return async (request, _reply, payload) => {
    const table = tables.current;
    if (!hasClientStreams(table)) return payload;
    const headers = request.headers;
    if (headers['transfer-encoding'] === undefined && (headers['content-length'] === undefined || headers['content-length'] === '0')) return payload;
    const kind = table.match(request.method, pathOf(request.url), hostOf(headers)).route?.streaming?.kind;
    if (kind !== 'client' && kind !== 'bidi') return payload;
    streamedBodies.set(request.raw, payload as unknown as Readable);
    // fastify checks what it read against Content-Length: the core reads it instead.
    const empty = Readable.from([]) as Readable & { receivedEncodedLength?: number };
    empty.receivedEncodedLength = Number(headers['content-length'] ?? 0);
    return empty;
  };
}
