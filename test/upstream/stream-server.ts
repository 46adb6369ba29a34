/**
 * A grpc-js server with streaming methods over raw bytes (no proto), for the streaming-call
 * tests of both upstream clients. Server-streaming requests are JSON (the methods only need a
 * few numbers); messages are bytes of a chosen size.
 *   List     (server streaming) `count` messages of `size` bytes, message i filled with i % 251,
 *            `intervalMs` apart; `fail` ends it with that status (and ErrorInfo) after them
 *   Fail     (server streaming) a trailers-only error: no headers, no messages
 *   Collect  (client streaming) answers `{"count","bytes"}` of what it read
 *   Chat     (bidi) echoes every message, ends when the client does
 *   Flood    (server streaming) writes `total` messages of `size` bytes as fast as its write()
 *            lets it (waiting for 'drain' when write() says false), counting both
 *   SlowRead (client streaming) reads nothing until `releaseSlowRead()`, then answers like Collect
 *   Hang     (bidi) sends its headers, echoes what it reads and never ends; records when it
 *            sees a cancellation
 */
import * as grpc from '@grpc/grpc-js';
import { encodeStatusDetails } from '../../src/grpc/rich-status.js';

export const STREAMS = 'streams.Streams';

const raw = (b: Buffer) => b;
const method = (name: string, requestStream: boolean, responseStream: boolean): grpc.MethodDefinition<Buffer, Buffer> => ({
  path: `/${STREAMS}/${name}`,
  requestStream,
  responseStream,
  requestSerialize: raw,
  requestDeserialize: raw,
  responseSerialize: raw,
  responseDeserialize: raw,
});

export interface FailSpec {
  code: number;
  message: string;
  reason?: string;
  metadata?: Record<string, string>;
}

export interface ListRequest {
  count: number;
  size: number;
  intervalMs?: number;
  fail?: FailSpec;
}

export interface StreamServer {
  readonly address: string;
  readonly port: number;
  /** Flood: messages written, and how many write() calls said false. */
  readonly flood: { written: number; refused: number; finished: boolean };
  /** SlowRead: messages read so far. */
  readonly slowRead: { read: number };
  releaseSlowRead(): void;
  /** Hang: calls open, and cancellations seen (performance.now() of each). */
  readonly hang: { open: number; cancelledAt: number[] };
  /** Metadata of the last call of each method. */
  readonly metadata: Record<string, Record<string, string>>;
  /** Cancellations seen by List (a consumer that went away). */
  readonly listCancelled: { count: number };
  close(): Promise<void>;
  kill(): void;
}

function statusOf(spec: FailSpec): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  if (spec.reason) metadata.set('grpc-status-details-bin', encodeStatusDetails(spec.code, spec.message, { reason: spec.reason, domain: 'test.prism.io', metadata: spec.metadata ?? {} }));
  return { code: spec.code, details: spec.message, metadata };
}

function textMetadata(md: grpc.Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(md.getMap())) if (typeof v === 'string') out[k] = v;
  return out;
}

export function listMessage(i: number, size: number): Buffer {
  return Buffer.alloc(size, i % 251);
}

export async function startStreamServer(): Promise<StreamServer> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024, 'grpc.max_send_message_length': 64 * 1024 * 1024 });
  const waitingReaders: (() => void)[] = [];
  let slowReleased = false;
  const state = {
    address: '',
    port: 0,
    flood: { written: 0, refused: 0, finished: false },
    slowRead: { read: 0 },
    hang: { open: 0, cancelledAt: [] as number[] },
    metadata: {} as Record<string, Record<string, string>>,
    listCancelled: { count: 0 },
    releaseSlowRead() {
      slowReleased = true;
      for (const r of waitingReaders.splice(0)) r();
    },
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
    kill: () => server.forceShutdown(),
  };

  server.addService(
    {
      List: method('List', false, true),
      Fail: method('Fail', false, true),
      Collect: method('Collect', true, false),
      Chat: method('Chat', true, true),
      Flood: method('Flood', false, true),
      SlowRead: method('SlowRead', true, false),
      Hang: method('Hang', true, true),
    },
    {
      List: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
        state.metadata.List = textMetadata(call.metadata);
        const req = JSON.parse(call.request.toString()) as ListRequest;
        let cancelled = false;
        call.on('cancelled', () => {
          cancelled = true;
          state.listCancelled.count++;
        });
        call.sendMetadata(new grpc.Metadata());
        let i = 0;
        const next = () => {
          if (cancelled) return;
          if (i >= req.count) {
            if (req.fail) call.emit('error', statusOf(req.fail));
            else call.end();
            return;
          }
          call.write(listMessage(i, req.size));
          i++;
          if (req.intervalMs) setTimeout(next, req.intervalMs);
          else setImmediate(next);
        };
        next();
      },
      Fail: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
        const spec = JSON.parse(call.request.toString()) as FailSpec;
        call.emit('error', statusOf(spec));
      },
      Collect: (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        state.metadata.Collect = textMetadata(call.metadata);
        let count = 0;
        let bytes = 0;
        call.on('data', (m: Buffer) => {
          count++;
          bytes += m.length;
        });
        call.on('end', () => cb(null, Buffer.from(JSON.stringify({ count, bytes }))));
      },
      Chat: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
        call.on('data', (m: Buffer) => call.write(m));
        call.on('end', () => call.end());
      },
      Flood: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
        const req = JSON.parse(call.request.toString()) as { size: number; total: number };
        let cancelled = false;
        call.on('cancelled', () => (cancelled = true));
        call.sendMetadata(new grpc.Metadata());
        const pump = () => {
          while (!cancelled && state.flood.written < req.total) {
            const ok = call.write(listMessage(state.flood.written, req.size));
            state.flood.written++;
            if (!ok) {
              state.flood.refused++;
              call.once('drain', pump);
              return;
            }
          }
          if (!cancelled) {
            state.flood.finished = true;
            call.end();
          }
        };
        pump();
      },
      SlowRead: (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
        let bytes = 0;
        const start = () => {
          call.on('data', (m: Buffer) => {
            state.slowRead.read++;
            bytes += m.length;
          });
          call.on('end', () => cb(null, Buffer.from(JSON.stringify({ count: state.slowRead.read, bytes }))));
        };
        // Nothing is read (no 'data' listener, the stream stays paused) until released.
        if (slowReleased) start();
        else waitingReaders.push(start);
      },
      Hang: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
        state.hang.open++;
        call.on('cancelled', () => state.hang.cancelledAt.push(performance.now()));
        call.on('data', (m: Buffer) => call.write(m));
        call.sendMetadata(new grpc.Metadata());
      },
    } as grpc.UntypedServiceImplementation,
  );
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  state.port = port;
  state.address = `127.0.0.1:${port}`;
  return state;
}
