/**
 * The default gRPC interface of namespaces: a gRPC listener on which each namespace's pattern
 * services are reachable as they are. Calls are proxied as opaque bytes (never decoded), with
 * metadata, deadlines, cancellation and the full status (including rich error details) passed
 * through. A call picks its namespace with the `x-prism-namespace` metadata key; without it,
 * the only namespace serving the method is used.
 */
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { loadProtoRoot } from './proto-root.js';
import { methodPath } from './service-definition.js';

export const NAMESPACE_METADATA_KEY = 'x-prism-namespace';

export interface PassthroughNamespace {
  readonly name: string;
  readonly target: string;
  readonly protoFiles: readonly string[];
  readonly enabled: boolean;
  /** How to reach `target` (the namespace's pattern.tls); plaintext when absent. */
  readonly credentials?: grpc.ChannelCredentials;
}

export interface PassthroughListener {
  /** `host:port`; port 0 picks an ephemeral port. */
  readonly listen: string;
  /** TLS for the listener itself; plaintext when absent. */
  readonly credentials?: grpc.ServerCredentials;
}

export interface RunningPassthrough {
  readonly address: string;
  /** Lets in-flight calls finish for up to `graceMs`, then cancels what is left. */
  close(graceMs?: number): Promise<void>;
}

/** How long close() waits for in-flight calls by default. */
const DEFAULT_CLOSE_GRACE_MS = 5_000;

const identity = (b: Buffer) => b;

interface MethodRoute {
  readonly method: protobuf.Method;
  /** Namespace name → client; disabled namespaces map to undefined. */
  readonly clients: Map<string, grpc.Client | undefined>;
}

export async function startGrpcPassthrough(namespaces: readonly PassthroughNamespace[], listener: PassthroughListener): Promise<RunningPassthrough> {
  const { listen } = listener;
  const clients: grpc.Client[] = [];
  const routes = new Map<string, MethodRoute>();
  for (const ns of namespaces) {
    if (ns.protoFiles.length === 0) continue;
    const client = ns.enabled ? new grpc.Client(ns.target, ns.credentials ?? grpc.credentials.createInsecure()) : undefined;
    if (client) clients.push(client);
    const root = loadProtoRoot(ns.protoFiles);
    for (const service of servicesOf(root)) {
      for (const method of service.methodsArray) {
        const path = methodPath(method);
        let route = routes.get(path);
        if (!route) routes.set(path, (route = { method, clients: new Map() }));
        route.clients.set(ns.name, client);
      }
    }
  }

  const server = new grpc.Server();
  const byService = new Map<string, Record<string, grpc.MethodDefinition<Buffer, Buffer>>>();
  const handlers = new Map<string, Record<string, grpc.UntypedHandleCall>>();
  for (const [path, route] of routes) {
    if (![...route.clients.values()].some((c) => c !== undefined)) continue;
    const service = path.slice(1, path.lastIndexOf('/'));
    const name = route.method.name;
    if (!byService.has(service)) {
      byService.set(service, {});
      handlers.set(service, {});
    }
    byService.get(service)![name] = {
      path,
      requestStream: !!route.method.requestStream,
      responseStream: !!route.method.responseStream,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    };
    handlers.get(service)![name] = createHandler(path, route);
  }
  for (const [service, definition] of byService) server.addService(definition, handlers.get(service)!);

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(listen, listener.credentials ?? grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const host = listen.slice(0, listen.lastIndexOf(':'));
  return {
    address: `${host}:${port}`,
    close: (graceMs = DEFAULT_CLOSE_GRACE_MS) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          for (const c of clients) c.close();
          resolve();
        };
        // Bounded: grpc-js' tryShutdown can wait forever on a connection that a failed TLS
        // handshake has already torn down; forceShutdown ends whatever is left.
        const timer = setTimeout(() => {
          server.forceShutdown();
          done();
        }, graceMs);
        server.tryShutdown(done);
      }),
  };
}

function servicesOf(root: protobuf.Root): protobuf.Service[] {
  const out: protobuf.Service[] = [];
  const walk = (ns: protobuf.NamespaceBase) => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Service) {
        // The rich error model and well-known types ride along with every root; they are not
        // services of the pattern.
        if (!nested.fullName.startsWith('.google.')) out.push(nested);
      } else if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) walk(nested);
    }
  };
  walk(root);
  return out;
}

/** Chooses the namespace's client for a call, or the status that says why there is none. */
function pick(route: MethodRoute, metadata: grpc.Metadata): grpc.Client | grpc.StatusObject {
  const wanted = metadata.get(NAMESPACE_METADATA_KEY)[0];
  const fail = (code: grpc.status, details: string): grpc.StatusObject => ({ code, details, metadata: new grpc.Metadata() });
  if (typeof wanted === 'string') {
    if (!route.clients.has(wanted)) return fail(grpc.status.NOT_FOUND, `namespace '${wanted}' does not serve this method`);
    return route.clients.get(wanted) ?? fail(grpc.status.UNIMPLEMENTED, `namespace '${wanted}' does not expose its gRPC interface`);
  }
  // Namespaces with the passthrough switched off do not compete for unaddressed calls.
  const enabled = [...route.clients.entries()].filter((e): e is [string, grpc.Client] => e[1] !== undefined);
  if (enabled.length === 1) return enabled[0][1];
  return fail(grpc.status.FAILED_PRECONDITION, `several namespaces serve this method; choose one with the '${NAMESPACE_METADATA_KEY}' metadata key (${enabled.map(([name]) => name).join(', ')})`);
}

function forwardMetadata(incoming: grpc.Metadata): grpc.Metadata {
  const out = incoming.clone();
  out.remove(NAMESPACE_METADATA_KEY);
  return out;
}

function callOptions(call: { getDeadline(): grpc.Deadline }): grpc.CallOptions {
  const deadline = call.getDeadline();
  return deadline === Infinity ? {} : { deadline };
}

function createHandler(path: string, route: MethodRoute): grpc.UntypedHandleCall {
  const { requestStream, responseStream } = route.method;
  if (!requestStream && !responseStream) {
    return ((call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      const client = pick(route, call.metadata);
      if (!(client instanceof grpc.Client)) return callback(client);
      let trailers: grpc.Metadata | undefined;
      const upstream = client.makeUnaryRequest(path, identity, identity, call.request, forwardMetadata(call.metadata), callOptions(call), (err, value) => {
        if (err) callback({ code: err.code, details: err.details, metadata: err.metadata });
        else callback(null, value, trailers);
      });
      upstream.on('metadata', (md: grpc.Metadata) => call.sendMetadata(md));
      upstream.on('status', (s: grpc.StatusObject) => (trailers = s.metadata));
      call.on('cancelled', () => upstream.cancel());
    }) as grpc.handleUnaryCall<Buffer, Buffer>;
  }
  if (!requestStream) {
    return ((call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      const client = pick(route, call.metadata);
      if (!(client instanceof grpc.Client)) return call.emit('error', client);
      const upstream = client.makeServerStreamRequest(path, identity, identity, call.request, forwardMetadata(call.metadata), callOptions(call));
      pipeResponses(upstream, call);
      call.on('cancelled', () => upstream.cancel());
    }) as grpc.handleServerStreamingCall<Buffer, Buffer>;
  }
  if (!responseStream) {
    return ((call: grpc.ServerReadableStream<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      const client = pick(route, call.metadata);
      if (!(client instanceof grpc.Client)) return callback(client);
      const upstream = client.makeClientStreamRequest(path, identity, identity, forwardMetadata(call.metadata), callOptions(call), (err, value) => {
        if (err) callback({ code: err.code, details: err.details, metadata: err.metadata });
        else callback(null, value);
      });
      call.on('data', (chunk: Buffer) => upstream.write(chunk));
      call.on('end', () => upstream.end());
      call.on('cancelled', () => upstream.cancel());
    }) as grpc.handleClientStreamingCall<Buffer, Buffer>;
  }
  return ((call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
    const client = pick(route, call.metadata);
    if (!(client instanceof grpc.Client)) return call.emit('error', client);
    const upstream = client.makeBidiStreamRequest(path, identity, identity, forwardMetadata(call.metadata), callOptions(call));
    call.on('data', (chunk: Buffer) => upstream.write(chunk));
    call.on('end', () => upstream.end());
    call.on('cancelled', () => upstream.cancel());
    pipeResponses(upstream, call);
  }) as grpc.handleBidiStreamingCall<Buffer, Buffer>;
}

function pipeResponses(upstream: grpc.ClientReadableStream<Buffer> | grpc.ClientDuplexStream<Buffer, Buffer>, call: grpc.ServerWritableStream<Buffer, Buffer> | grpc.ServerDuplexStream<Buffer, Buffer>): void {
  upstream.on('metadata', (md: grpc.Metadata) => call.sendMetadata(md));
  upstream.on('data', (chunk: Buffer) => call.write(chunk));
  upstream.on('error', (err: grpc.ServiceError) => call.emit('error', { code: err.code, details: err.details, metadata: err.metadata }));
  upstream.on('status', (s: grpc.StatusObject) => {
    if (s.code === grpc.status.OK) call.end(s.metadata);
  });
}
