/**
 * The direct arm of the rpc scenario: GetItem straight to the Go gRPC server, no gateway.
 * Load comes from the peer's `grpcbench` (a Go closed-loop client: N callers on one HTTP/2
 * connection, as the gateway itself multiplexes its calls); the answer check makes one call
 * with @grpc/grpc-js and keeps the response's bytes.
 */
import { join } from 'node:path';
import grpc from '@grpc/grpc-js';
import { goDurationUs } from '../latency.js';
import { run } from '../lib/processes.js';
import { GET_ITEM_PATH } from './wire.js';

export interface DirectReply {
  /** gRPC status code (0 = OK). */
  readonly code: number;
  readonly bytes?: Buffer;
  readonly details?: string;
}

/** One unary GetItem call; resolves with the status, never rejects on a gRPC error. */
export function callDirect(target: string, request: Uint8Array): Promise<DirectReply> {
  const identity = (b: Buffer) => b;
  const Client = grpc.makeGenericClientConstructor(
    { GetItem: { path: GET_ITEM_PATH, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } },
    'ItemService',
  );
  const client = new Client(target, grpc.credentials.createInsecure());
  return new Promise<DirectReply>((resolve) => {
    client.GetItem(Buffer.from(request), { deadline: Date.now() + 10_000 }, (err: grpc.ServiceError | null, bytes?: Buffer) => {
      client.close();
      resolve(err ? { code: err.code, details: err.details } : { code: 0, bytes });
    });
  });
}

export interface GrpcbenchRun {
  readonly calls: number;
  readonly errors: number;
  readonly rps: number;
  /** µs */
  readonly p50: number;
  readonly p99: number;
}

/**
 * `grpcbench -c CONNECTIONS -conns 1 -d SECONDSs` against the Go server (it calls GetItem id 42,
 * the item the HTTP arms ask for).
 * @throws Error when grpcbench fails or prints no result.
 */
export async function runGrpcbench(peerBin: string, target: string, callers: number, seconds: number): Promise<GrpcbenchRun> {
  const out = await run(join(peerBin, 'grpcbench'), ['-target', target, '-c', String(callers), '-conns', '1', '-d', `${seconds}s`]);
  const counts = out.match(/calls=(\d+) errors=(\d+) elapsed=\S+ rps=([\d.]+)/);
  const latency = out.match(/p50=(\S+) p90=\S+ p99=(\S+)/);
  if (!counts || !latency) throw new Error(`grpcbench printed no result:\n${out}`);
  return { calls: Number(counts[1]), errors: Number(counts[2]), rps: Number(counts[3]), p50: goDurationUs(latency[1]), p99: goDurationUs(latency[2]) };
}
