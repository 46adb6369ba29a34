/**
 * A real grpc-js server for the fixture service (proto/prism/test/v1/everything.proto) on a
 * loopback socket. It records every request exactly as decoded, so round-trip tests can assert
 * what the gateway sent.
 */
import * as grpc from '@grpc/grpc-js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { encodeStatusDetails } from '../../src/grpc/rich-status.js';
import { createServiceDefinition } from '../../src/grpc/service-definition.js';

export const FIXTURE_PROTO = 'prism/test/v1/everything.proto';
export const FIXTURE_SERVICE = 'prism.test.v1.EverythingService';

/** How recorded requests are decoded: every field, 64-bit as strings, enums by name. */
const recordOptions = { longs: String, enums: String, bytes: String, defaults: false, arrays: false, objects: false, oneofs: true };

export interface FixtureServer {
  readonly address: string;
  /** Requests in arrival order: method name and decoded message. */
  readonly received: { method: string; request: Record<string, unknown>; metadata: Record<string, unknown> }[];
  /** Calls to Slow that were cancelled by the client. */
  cancelled: number;
  /** Calls to Stream that were cancelled by the client, and the messages Stream has written. */
  streamsCancelled: number;
  streamWritten: number;
  serving: boolean;
  close(): Promise<void>;
}

export async function startFixtureServer(): Promise<FixtureServer> {
  const root = loadProtoRoot([FIXTURE_PROTO]);
  const service = root.lookupService(FIXTURE_SERVICE);
  const server = new grpc.Server();
  const state: FixtureServer = {
    address: '',
    received: [],
    cancelled: 0,
    streamsCancelled: 0,
    streamWritten: 0,
    serving: true,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
  const record = (method: string, call: grpc.ServerUnaryCall<unknown, unknown>) => {
    state.received.push({ method, request: call.request as Record<string, unknown>, metadata: call.metadata.getMap() });
  };
  server.addService(createServiceDefinition(service, recordOptions), {
    Echo(call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, cb: grpc.sendUnaryData<unknown>) {
      record('Echo', call);
      cb(null, call.request);
    },
    Describe(call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, cb: grpc.sendUnaryData<unknown>) {
      record('Describe', call);
      const r = call.request;
      cb(null, { received: r, text: r.f_string ?? '', numbers: r.r_int32 ?? [], big: r.f_int64 ?? '0', items: r.r_nested ?? [], color: r.color ?? 0 });
    },
    Fail(call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, cb: grpc.sendUnaryData<unknown>) {
      record('Fail', call);
      const r = call.request as { code?: number; message?: string; reason?: string; domain?: string; metadata?: Record<string, string> };
      const metadata = new grpc.Metadata();
      if (r.reason) metadata.set('grpc-status-details-bin', encodeStatusDetails(r.code ?? 2, r.message ?? '', { reason: r.reason, domain: r.domain ?? 'test.prism.io', metadata: r.metadata ?? {} }));
      cb({ code: r.code ?? 2, details: r.message ?? '', metadata });
    },
    Slow(call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, cb: grpc.sendUnaryData<unknown>) {
      record('Slow', call);
      let answered = false;
      const timer = setTimeout(() => {
        answered = true;
        cb(null, {});
      }, Number(call.request.delay_ms ?? 0));
      // grpc-js also emits 'cancelled' when an answered call's stream closes; count real ones.
      call.on('cancelled', () => {
        if (answered) return;
        clearTimeout(timer);
        state.cancelled++;
      });
    },
    /**
     * Streams `f_int32` messages (`f_int32` and `f_int64` = after + 1, after + 2, …, where
     * after is the request's `f_int64`; `f_string` echoed), `f_uint32` ms apart, honouring
     * backpressure; then fails with code `f_sint32` when set, stays open until cancelled when
     * `f_bool` (its headers sent at once), or ends OK. No fields: ends at once.
     */
    async Stream(call: grpc.ServerWritableStream<Record<string, unknown>, unknown>) {
      state.received.push({ method: 'Stream', request: call.request, metadata: call.metadata.getMap() });
      const r = call.request;
      let cancelled = false;
      call.on('cancelled', () => {
        if (cancelled) return;
        cancelled = true;
        state.streamsCancelled++;
      });
      // grpc-js sends the response headers with the first message; a stream that may send
      // none (hang) sends them at once, as a long-lived server stream does.
      if (r.f_bool) call.sendMetadata(new grpc.Metadata());
      const after = Number(r.f_int64 ?? 0);
      const interval = Number(r.f_uint32 ?? 0);
      for (let i = 1; i <= Number(r.f_int32 ?? 0) && !cancelled; i++) {
        if (interval > 0) await new Promise((resolve) => setTimeout(resolve, interval));
        if (cancelled) return;
        const more = call.write({ f_int32: after + i, f_int64: String(after + i), f_string: r.f_string ?? '' });
        state.streamWritten++;
        if (!more) {
          await new Promise<void>((resolve) => {
            const done = () => {
              call.off('drain', done);
              call.off('cancelled', done);
              resolve();
            };
            call.on('drain', done);
            call.on('cancelled', done);
          });
        }
      }
      if (cancelled) return;
      if (r.f_sint32) call.emit('error', { code: Number(r.f_sint32), details: `stream failed after ${r.f_int32 ?? 0}` });
      else if (!r.f_bool) call.end();
    },
  });
  addHealthService(server, () => state.serving);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return Object.assign(state, { address: `127.0.0.1:${port}` });
}

/**
 * grpc.health.v1.Health/Check, by hand (no health proto loaded): SERVING (0x08 0x01) or
 * NOT_SERVING (0x08 0x02), as `serving` says at each call.
 */
export function addHealthService(server: grpc.Server, serving: () => boolean = () => true): void {
  const raw = (b: Buffer) => b;
  server.addService(
    { Check: { path: '/grpc.health.v1.Health/Check', requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw } },
    { Check: (_call: unknown, cb: grpc.sendUnaryData<Buffer>) => cb(null, Buffer.from([0x08, serving() ? 0x01 : 0x02])) },
  );
}
