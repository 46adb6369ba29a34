/**
 * A grpc-js server whose methods take and return raw bytes (no proto), on a chosen or
 * ephemeral loopback port, so upstream tests can restart it on the same address, send
 * messages of any size and see which connection each call came in on.
 *   /raw.Raw/Echo      answers the request bytes
 *   /raw.Raw/Size      answers as many bytes as the request's first 4 bytes (big-endian) say
 *   /raw.Raw/Hold      answers only when released (or never), recording cancellations
 *   /raw.Raw/Peer      answers the caller's address (one HTTP/2 connection = one address)
 */
import * as grpc from '@grpc/grpc-js';

const raw = (b: Buffer) => b;
const method = (name: string): grpc.MethodDefinition<Buffer, Buffer> => ({
  path: `/raw.Raw/${name}`,
  requestStream: false,
  responseStream: false,
  requestSerialize: raw,
  requestDeserialize: raw,
  responseSerialize: raw,
  responseDeserialize: raw,
});

export interface RawServer {
  readonly address: string;
  readonly port: number;
  /** Hold calls waiting to be released. */
  readonly held: (() => void)[];
  cancelled: number;
  /** Graceful: GOAWAY, in-flight calls finish. */
  shutdown(): Promise<void>;
  /** Abrupt: every connection is closed at once. */
  kill(): void;
}

export async function startRawServer(port = 0, options: grpc.ServerOptions = {}): Promise<RawServer> {
  return startRawServerOn(`127.0.0.1:${port}`, options);
}

/**
 * The same server bound to any address grpc-js binds (`unix:/abs/path.sock` too). For a
 * unix address, `address` is the bind address itself and `port` is 0.
 */
export async function startRawServerOn(bindAddress: string, options: grpc.ServerOptions = {}): Promise<RawServer> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024, 'grpc.max_send_message_length': 64 * 1024 * 1024, ...options });
  const state = {
    address: '',
    port: 0,
    held: [] as (() => void)[],
    cancelled: 0,
    shutdown: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
    kill: () => server.forceShutdown(),
  };
  type Unary = (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => void;
  const handlers: Record<string, Unary> = {
    Echo: (call, cb) => cb(null, call.request),
    Size: (call, cb) => cb(null, Buffer.alloc(call.request.readUInt32BE(0), 0x61)),
    Hold: (call, cb) => {
      call.on('cancelled', () => state.cancelled++);
      state.held.push(() => cb(null, Buffer.from('released')));
    },
    Peer: (call, cb) => cb(null, Buffer.from(call.getPeer())),
  };
  const definition: grpc.ServiceDefinition = Object.fromEntries(Object.keys(handlers).map((n) => [n, method(n)]));
  server.addService(definition, handlers as unknown as grpc.UntypedServiceImplementation);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(bindAddress, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  if (bindAddress.startsWith('unix:')) return Object.assign(state, { address: bindAddress, port: 0 });
  return Object.assign(state, { address: `${bindAddress.slice(0, bindAddress.lastIndexOf(':'))}:${bound}`, port: bound });
}
