/**
 * What the gateway asks of a backend's client, whichever speaks the wire: the grpc-js client
 * (grpc-upstream.ts) and the lean HTTP/2 one (http2-upstream.ts) both return this shape, build
 * their errors with status.ts and their `healthy()` with health-check.ts. Declared apart from
 * either client so those shared helpers depend on the contract, not on a client.
 */
import type { CallSignal } from '../core/http-types.js';

export interface UnaryRequest {
  /** `/package.Service/Method`. */
  readonly path: string;
  readonly message: Uint8Array;
  readonly metadata: Readonly<Record<string, string>>;
  readonly deadlineMs: number;
  /** Aborting cancels the call (the HTTP client went away). */
  readonly signal?: CallSignal;
}

export interface UnaryReply {
  readonly message: Buffer;
  /** Initial and trailing metadata, text values only, lower-case keys. */
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * A backend's client. Implementations are plain objects of closures that use no `this`, so a
 * method may be passed on or copied detached (health-check.ts copies `unary` as it is, adding
 * no call on the request path).
 */
export interface Upstream {
  readonly target: string;
  /** @throws GatewayError with the upstream's status, reason and ErrorInfo metadata (status.ts). */
  unary(request: UnaryRequest): Promise<UnaryReply>;
  /** true when `grpc.health.v1.Health/Check` for the whole server answers SERVING. */
  healthy(timeoutMs?: number): Promise<boolean>;
  close(): void;
}
