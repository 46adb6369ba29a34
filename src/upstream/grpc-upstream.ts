/**
 * gRPC calls to one backend target with @grpc/grpc-js (unary here, streaming in grpc-stream.ts): one channel per target, reused by
 * every route. Requests and replies cross this layer as encoded bytes (the mapping engine owns
 * encoding), so nothing is converted twice. A failed call's status becomes a GatewayError in
 * status.ts, as the HTTP/2 client's do.
 */
import * as grpc from '@grpc/grpc-js';
import { copyText, openGrpcStream } from './grpc-stream.js';
import { createHealthProbe } from './health-check.js';
import { serviceErrorToGatewayError } from './status.js';
import { createStreamCall } from './stream-call.js';
import type { StreamRequest, UnaryReply, UnaryRequest, Upstream, UpstreamStream } from './upstream.js';

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
          if (err) reject(serviceErrorToGatewayError(err));
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

  /** A streaming call of any kind (grpc-stream.ts). */
  function stream(request: StreamRequest): UpstreamStream {
    return createStreamCall(request, (sink) => openGrpcStream(client, request.path, request.metadata, request.deadlineMs, sink));
  }

  return { target, unary, stream, healthy: createHealthProbe(unary), close: () => client.close() };
}
