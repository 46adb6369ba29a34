/**
 * Unary gRPC calls to one backend target with @grpc/grpc-js: one channel per target, reused by
 * every route. Requests and replies cross this layer as encoded bytes (the mapping engine owns
 * encoding), so nothing is converted twice. This is the only place that turns a grpc-js error
 * into a GatewayError.
 */
import * as grpc from '@grpc/grpc-js';
import { Code, GatewayError } from '../core/gateway-error.js';
import type { CallSignal } from '../core/http-types.js';
import { createHealthProbe } from './health-probe.js';
import { decodeErrorInfo, STATUS_DETAILS_KEY } from '../grpc/rich-status.js';

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
  /** @throws GatewayError with the upstream's status, reason and ErrorInfo metadata. */
  unary(request: UnaryRequest): Promise<UnaryReply>;
  /** true when `grpc.health.v1.Health/Check` for the whole server answers SERVING. */
  healthy(timeoutMs?: number): Promise<boolean>;
  close(): void;
}

const identity = (b: Buffer | Uint8Array) => (Buffer.isBuffer(b) ? b : Buffer.from(b));

export function createGrpcUpstream(target: string, options: grpc.ChannelOptions = {}, credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure()): Upstream {
  const client = new grpc.Client(target, credentials, {
    'grpc.keepalive_time_ms': 30_000,
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    ...options,
  });

  function unary(request: UnaryRequest): Promise<UnaryReply> {
    return new Promise((resolve, reject) => {
      const metadata = new grpc.Metadata();
      for (const key of Object.keys(request.metadata)) metadata.set(key, request.metadata[key]);
      const received: Record<string, string> = {};
      const call = client.makeUnaryRequest<Uint8Array, Buffer>(
        request.path,
        identity,
        identity,
        request.message,
        metadata,
        { deadline: Date.now() + request.deadlineMs },
        (err, value) => {
          request.signal?.removeEventListener('abort', onAbort);
          if (err) reject(toGatewayError(err));
          else resolve({ message: value ?? Buffer.alloc(0), metadata: received });
        },
      );
      call.on('metadata', (md: grpc.Metadata) => copyText(md, received));
      call.on('status', (status: grpc.StatusObject) => copyText(status.metadata, received));
      const onAbort = () => call.cancel();
      if (request.signal) {
        if (request.signal.aborted) call.cancel();
        else request.signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  return { target, unary, healthy: createHealthProbe(unary), close: () => client.close() };
}

function copyText(md: grpc.Metadata, into: Record<string, string>): void {
  const map = md.getMap();
  for (const key of Object.keys(map)) {
    const v = map[key];
    if (typeof v === 'string') into[key] = v;
  }
}

/** grpc-js error → GatewayError; the ErrorInfo in the status details supplies the reason. */
export function toGatewayError(err: grpc.ServiceError): GatewayError {
  const code = (err.code ?? Code.UNKNOWN) as unknown as Code;
  const detailBytes = err.metadata?.get(STATUS_DETAILS_KEY)[0];
  const info = decodeErrorInfo(typeof detailBytes === 'string' ? undefined : detailBytes);
  let message = err.details ?? '';
  if (!info) {
    // Transport failures carry grpc-js internals (addresses, stack-like text): say what happened instead.
    if (code === Code.UNAVAILABLE) message = 'upstream unavailable';
    else if (code === Code.DEADLINE_EXCEEDED) message = 'upstream deadline exceeded';
    else if (code === Code.CANCELLED) message = 'call cancelled';
  }
  return new GatewayError(code, message, { reason: info?.reason, domain: info?.domain, metadata: info?.metadata, cause: err });
}
