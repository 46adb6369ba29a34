/** Plain HTTP data in and out of the gateway core; only the adapter knows the HTTP framework. */

export interface HttpInput {
  readonly method: string;
  /** The raw path, still percent-encoded, without the query string. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | string[] | undefined>>;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The raw body; undefined or empty when the request has none. */
  readonly body: Buffer | undefined;
  /**
   * The body as it arrives, when the adapter hands it over unread (for client- and
   * bidi-streaming routes, whose messages go to the backend while the body is still coming);
   * `body` is then undefined.
   */
  readonly bodyStream?: AsyncIterable<Uint8Array>;
  /** The id to log, echo and forward; generated when absent. */
  readonly requestId?: string;
  /** Aborted when the client goes away. */
  readonly signal?: CallSignal;
  /** The peer's IP address (failed authentication attempts are counted by it). */
  readonly clientAddress?: string;
}

/**
 * What cancellation needs of an AbortSignal (which satisfies it): the gateway hands upstream
 * calls a lighter one, made per request only when a call goes upstream.
 */
export interface CallSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[]>;
  /** Text, written as UTF-8 (empty when `bytes` is set). */
  body: string;
  /**
   * Bytes written as they are instead of `body`: a route answering a `bytes` field as it was
   * stored. Everything rendered (JSON, errors, admin answers) is text and leaves this unset.
   */
  bytes?: Buffer;
  /** The route and frontend that answered, for logs and metrics. */
  routeId?: string;
  frontend?: string;
  /** The namespace of the frontend that answered. */
  namespace?: string;
  /** The answering route's path template (mount path + route path), for the request log. */
  pathTemplate?: string;
  /** The authenticated caller's name, when auth is on and the route needs a role. */
  principal?: string;
  /** The upstream gRPC method called, when a call was made. */
  upstreamMethod?: string;
  /** An unexpected failure behind a 500, for the log (never for the client). */
  fault?: unknown;
  /** The upstream gRPC status code, when a call was made. */
  upstreamCode?: number;
  /** Set when the answer was a stream, already written (core/handle-stream.ts): how it went. */
  stream?: import('./handle-stream.js').StreamSummary;
  /** The frontend whose response cache this request's write cleared. */
  clearedCache?: { readonly frontend: string; readonly namespace?: string };
}
