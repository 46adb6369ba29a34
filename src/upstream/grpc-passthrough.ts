/**
 * The default gRPC interface of namespaces: a gRPC listener on which each namespace's pattern
 * services are reachable as they are. Calls are proxied as opaque bytes (never decoded), with
 * metadata, deadlines, cancellation and the full status (including rich error details) passed
 * through. A call picks its namespace with the `x-prism-namespace` metadata key; without it,
 * the only namespace serving the method is used.
 *
 * With `auth` configured the listener is guarded like the HTTP routes: the `authorization`
 * metadata (Basic or Bearer) names the principal, and the namespace's role for the method
 * (DESIGN.md §8: a read iff the proto declares NO_SIDE_EFFECTS, overridable per namespace) is
 * required before anything reaches the backend. Every call is logged and counted once.
 *
 * The listener also serves gRPC server reflection (grpc.reflection.v1 and v1alpha) from the
 * descriptors the gateway loads, so grpcurl and `buf curl` need no proto files: with
 * `x-prism-namespace` a call sees that namespace's services and files, without it those of every
 * namespace whose gRPC interface is on; with auth on it needs credentials (it reveals the API)
 * and sees only the namespaces the caller may read.
 *
 * The listener is our own TCP server, not grpc-js' bindAsync: its connections are capped per
 * listener and per client address (connection-limit.ts, like the HTTP listeners) before grpc-js
 * sees them, and each admitted one is handed to grpc-js' connection injector, which runs TLS
 * (when the listener's credentials ask for it) and HTTP/2 on it.
 */
import { lookup } from 'node:dns/promises';
import { isIP, createServer, type Server as NetServer, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { GatewayError, GatewayReason, GATEWAY_DOMAIN } from '../core/gateway-error.js';
import { DEFAULT_CONNECTION_LIMITS } from '../routing/connection-guard.js';
import { limitConnections, type CapReason, type ConnectionCaps } from '../routing/connection-limit.js';
import type { Authenticator, Principal, Role } from '../security/authenticator.js';
import { requiredRole, unknownOverrideKeys, type MethodRoleOverrides } from './method-kind.js';
import { identity, localBidiCall, proxyCall, type Admission, type CallRecord, type IncomingCall, type Refusal } from './passthrough-call.js';
import { loadProtoRoot } from '../grpc/proto-root.js';
import { REFLECTION_SERVICES, reflectionMethods, serveReflection, type ReflectionCall, type ReflectionView } from '../grpc/reflection-service.js';
import { createReflectionViews, type ReflectedNamespace, type ReflectionViews } from '../grpc/reflection-views.js';
import { encodeStatusDetails, STATUS_DETAILS_KEY } from '../grpc/rich-status.js';
import { methodPath } from '../grpc/service-definition.js';
import { patternServices } from '../grpc/pattern-services.js';

export const NAMESPACE_METADATA_KEY = 'x-prism-namespace';
export const AUTHORIZATION_METADATA_KEY = 'authorization';

/**
 * Services every caller may use without credentials. grpc.health.v1 answers only SERVING or
 * NOT_SERVING: orchestrators' gRPC probes (Kubernetes `grpc:` probes, grpc_health_probe) carry
 * no credentials, and nothing in it reads or changes data.
 */
const OPEN_SERVICES = new Set(['grpc.health.v1.Health']);

export interface PassthroughNamespace {
  readonly name: string;
  readonly target: string;
  readonly protoFiles: readonly string[];
  readonly enabled: boolean;
  /** How to reach `target` (the namespace's pattern.tls); plaintext when absent. */
  readonly credentials?: grpc.ChannelCredentials;
  /** `package.Service/Method` → role, overriding what the proto says (the namespace's `methodRoles`). */
  readonly methodRoles?: MethodRoleOverrides;
}

export interface PassthroughListener {
  /** `host:port`; port 0 picks an ephemeral port. */
  readonly listen: string;
  /** TLS for the listener itself; plaintext when absent. */
  readonly credentials?: grpc.ServerCredentials;
}

/** What the passthrough needs of a pino logger (fastify's `app.log` is one). */
export interface PassthroughLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface PassthroughOptions {
  /** Authentication and roles; every call is let through when absent (auth off). */
  readonly auth?: Authenticator;
  /** One line per finished call. */
  readonly logger?: PassthroughLogger;
  /** Counts and times every finished call. */
  readonly metrics?: { passthroughCall(namespace: string, method: string, code: string, seconds: number): void };
  /** Connection caps (default: the HTTP listeners' defaults) and who hears of each refusal. */
  readonly connections?: { readonly limits: ConnectionCaps; readonly refused: (reason: CapReason) => void };
}

export interface RunningPassthrough {
  readonly address: string;
  /** Lets in-flight calls finish for up to `graceMs`, then cancels what is left. */
  close(graceMs?: number): Promise<void>;
}

/** How long close() waits for in-flight calls by default. */
const DEFAULT_CLOSE_GRACE_MS = 5_000;

/** Per namespace serving a method: its client (undefined when disabled) and the role it needs. */
interface NamespaceBinding {
  readonly client: grpc.Client | undefined;
  readonly role: Role;
}

/** Everything a call needs to know about its method, settled at start. */
interface MethodRoute {
  readonly path: string;
  readonly method: protobuf.Method;
  /** A method of OPEN_SERVICES: no credentials asked for. */
  readonly open: boolean;
  readonly namespaces: Map<string, NamespaceBinding>;
}

/**
 * Starts the passthrough listener. Each method's required role per namespace is settled here,
 * once; a call only looks it up.
 * @throws Error when a namespace's `methodRoles` names a method its protos do not declare, when
 *   a proto cannot be loaded (ProtoLoadError), or when the address cannot be bound.
 */
export async function startGrpcPassthrough(namespaces: readonly PassthroughNamespace[], listener: PassthroughListener, options: PassthroughOptions = {}): Promise<RunningPassthrough> {
  const { listen } = listener;
  const clients: grpc.Client[] = [];
  const routes = new Map<string, MethodRoute>();
  const problems: string[] = [];
  const reflected: ReflectedNamespace[] = [];
  for (const ns of namespaces) {
    if (ns.protoFiles.length === 0) {
      if (ns.enabled) reflected.push({ name: ns.name, protoFiles: [], services: [] });
      if (ns.methodRoles && Object.keys(ns.methodRoles).length > 0) problems.push(`namespace '${ns.name}': methodRoles given, but the namespace declares no protos`);
      continue;
    }
    const root = loadProtoRoot(ns.protoFiles);
    // The listener answers reflection itself; a pattern's own reflection service is not proxied.
    const services = patternServices(root).filter((service) => !(REFLECTION_SERVICES as readonly string[]).includes(service.fullName.slice(1)));
    const methods = services.flatMap((service) => service.methodsArray);
    if (ns.enabled) reflected.push({ name: ns.name, protoFiles: ns.protoFiles, services: services.map((service) => service.fullName.slice(1)) });
    for (const key of unknownOverrideKeys(ns.methodRoles ?? {}, methods)) problems.push(`namespace '${ns.name}': methodRoles names '${key}', which no proto of the namespace declares`);
    if (problems.length > 0) continue;
    const client = ns.enabled ? new grpc.Client(ns.target, ns.credentials ?? grpc.credentials.createInsecure()) : undefined;
    if (client) clients.push(client);
    for (const method of methods) {
      const path = methodPath(method);
      let route = routes.get(path);
      if (!route) routes.set(path, (route = { path, method, open: OPEN_SERVICES.has(path.slice(1, path.lastIndexOf('/'))), namespaces: new Map() }));
      route.namespaces.set(ns.name, { client, role: requiredRole(method, ns.methodRoles) });
    }
  }
  if (problems.length > 0) {
    for (const c of clients) c.close();
    throw new Error(`cannot start the gRPC passthrough:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }

  const server = new grpc.Server();
  const byService = new Map<string, Record<string, grpc.MethodDefinition<Buffer, Buffer>>>();
  const handlers = new Map<string, Record<string, grpc.UntypedHandleCall>>();
  for (const [path, route] of routes) {
    if (![...route.namespaces.values()].some((b) => b.client !== undefined)) continue;
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
    handlers.get(service)![name] = proxyCall(
      route.method,
      (call, peer) => admit(route, call, peer, options),
      (peer) => record(route.path, peer, options),
    );
  }
  for (const [service, definition] of byService) server.addService(definition, handlers.get(service)!);
  const views = createReflectionViews(reflected, (namespace, err) => options.logger?.error({ err, namespace }, 'gRPC reflection cannot describe the namespace\'s protos'));
  const disabled = new Set(namespaces.filter((ns) => !ns.enabled).map((ns) => ns.name));
  for (const reflection of reflectionMethods()) {
    server.addService(reflection.definition, {
      [reflection.method]: localBidiCall(
        (call, peer) => admitReflection(views, disabled, call, peer, options),
        (peer) => record(reflection.path, peer, options),
        (call: ReflectionCall, admitted, finish) => serveReflection(call, admitted.view, finish),
      ) as grpc.handleBidiStreamingCall<unknown, unknown>,
    });
  }

  const injector = server.createConnectionInjector(listener.credentials ?? grpc.ServerCredentials.createInsecure());
  // Admitted connections, so that close() can end those that never became an HTTP/2 session
  // (a TLS handshake under way), which grpc-js' shutdown does not know of.
  const sockets = new Set<Socket>();
  const accept = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A reset before grpc-js has its own handlers on the socket must not throw in the process.
    socket.on('error', () => {});
    injector.injectConnection(socket);
  };
  const host = listen.slice(0, listen.lastIndexOf(':'));
  let listeners: NetServer[];
  try {
    listeners = await listenOn(host, Number(listen.slice(listen.lastIndexOf(':') + 1)), accept, options.connections ?? { limits: DEFAULT_CONNECTION_LIMITS, refused: () => {} });
    // An accept that fails (EMFILE when descriptors run out) is an 'error' on the listener: said,
    // never a crash; node keeps listening and accepts again when descriptors are free.
    for (const l of listeners) l.on('error', (err) => options.logger?.error({ err, listener: 'grpc' }, 'gRPC passthrough listener error'));
  } catch (err) {
    server.forceShutdown();
    for (const c of clients) c.close();
    throw err;
  }
  const port = (listeners[0].address() as { port: number }).port;
  return {
    address: `${host}:${port}`,
    close: (graceMs = DEFAULT_CLOSE_GRACE_MS) =>
      new Promise<void>((resolve) => {
        // Stop accepting at once; the connections already admitted drain below.
        for (const l of listeners) l.close();
        const done = () => {
          clearTimeout(timer);
          // What is left carries no call: a connection whose handshake never finished.
          for (const socket of sockets) socket.destroy();
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

/**
 * Listens on `host:port` (port 0: an ephemeral one) with the connection caps, handing admitted
 * connections to `accept`. A host name is bound on every address it resolves to, on one port
 * and counted as one listener, as grpc-js' bindAsync did; it fails only when none can be bound.
 * @throws Error when no address can be bound (the first bind's error).
 */
async function listenOn(host: string, port: number, accept: (socket: Socket) => void, connections: NonNullable<PassthroughOptions['connections']>): Promise<NetServer[]> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const addresses = isIP(bare) !== 0 ? [bare] : (await lookup(bare, { all: true })).map((a) => a.address);
  const servers = addresses.map(() => createServer(accept));
  limitConnections(servers, connections.limits, connections.refused);
  const listeners: NetServer[] = [];
  let firstError: unknown;
  for (const [i, tcp] of servers.entries()) {
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: addresses[i], port }, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      firstError ??= err;
      continue;
    }
    listeners.push(tcp);
    // The other addresses take the port the first one was given.
    if (port === 0) port = (tcp.address() as { port: number }).port;
  }
  if (listeners.length === 0) throw firstError;
  return listeners;
}

const refusal = (code: grpc.status, details: string, reason?: string, info: Record<string, string> = {}): grpc.StatusObject => {
  const metadata = new grpc.Metadata();
  // The same google.rpc.ErrorInfo a REST client sees in the body (with, for instance, the
  // retryAfterSeconds of a rate-limited authentication), for clients that read it.
  if (reason) metadata.set(STATUS_DETAILS_KEY, encodeStatusDetails(code, details, { reason, domain: GATEWAY_DOMAIN, metadata: info }));
  return { code, details, metadata };
};

/**
 * Decides whether a call may go on, and where to: authenticates (unless the method is open or
 * auth is off), picks the namespace, checks the role. Authentication comes first, so a caller
 * without credentials learns nothing about which namespaces exist.
 */
async function admit(route: MethodRoute, call: IncomingCall, peer: string, options: PassthroughOptions): Promise<Admission> {
  // Hot path: one lookup per decision, nothing resolved by name.
  const auth = route.open ? undefined : options.auth;
  let principal: Principal | undefined;
  if (auth) {
    try {
      // The client address feeds the authenticator's failed-attempt limit.
      principal = await auth.authenticate(metadataString(call.metadata, AUTHORIZATION_METADATA_KEY), peer);
    } catch (err) {
      return { refused: fromGatewayError(err, grpc.status.UNAUTHENTICATED, GatewayReason.UNAUTHENTICATED) };
    }
  }
  const picked = pick(route, call.metadata);
  if ('refused' in picked) return { ...picked, principal: principal?.name };
  const { namespace, client } = picked;
  if (auth && principal) {
    try {
      auth.authorize(principal, namespace, route.namespaces.get(namespace)!.role);
    } catch (err) {
      return { refused: fromGatewayError(err, grpc.status.PERMISSION_DENIED, GatewayReason.FORBIDDEN), namespace, principal: principal.name };
    }
  }
  // With auth on, the gateway is the party the credentials were meant for: passing a client's
  // password or token on would hand it to the backend (and anything the backend logs).
  return { client, namespace, principal: principal?.name, metadata: forwardMetadata(call.metadata, options.auth !== undefined) };
}

/**
 * Decides whether a reflection call may go on, and what it sees: authenticates when auth is on
 * (reflection reveals the API, so it is never open), then the namespace the call names (it
 * needs `read` there) or the union of those the caller may read.
 */
async function admitReflection(views: ReflectionViews, disabled: ReadonlySet<string>, call: IncomingCall, peer: string, options: PassthroughOptions): Promise<Refusal | { view: ReflectionView; namespace?: string; principal?: string }> {
  const auth = options.auth;
  let principal: Principal | undefined;
  if (auth) {
    try {
      principal = await auth.authenticate(metadataString(call.metadata, AUTHORIZATION_METADATA_KEY), peer);
    } catch (err) {
      return { refused: fromGatewayError(err, grpc.status.UNAUTHENTICATED, GatewayReason.UNAUTHENTICATED) };
    }
  }
  const mayRead = (namespace: string) => {
    if (!auth || !principal) return true;
    try {
      auth.authorize(principal, namespace, 'read');
      return true;
    } catch {
      return false;
    }
  };
  const wanted = metadataString(call.metadata, NAMESPACE_METADATA_KEY);
  if (wanted === undefined) return { view: views.union(views.names.filter(mayRead)), principal: principal?.name };
  if (!views.has(wanted)) {
    // As on the passthrough: a client-chosen name is echoed, never a metric label unless it exists.
    if (disabled.has(wanted)) return { refused: refusal(grpc.status.UNIMPLEMENTED, `namespace '${wanted}' does not expose its gRPC interface`), namespace: wanted, principal: principal?.name };
    return { refused: refusal(grpc.status.NOT_FOUND, `namespace '${wanted}' is not served on this listener`), principal: principal?.name };
  }
  if (auth && principal) {
    try {
      auth.authorize(principal, wanted, 'read');
    } catch (err) {
      return { refused: fromGatewayError(err, grpc.status.PERMISSION_DENIED, GatewayReason.FORBIDDEN), namespace: wanted, principal: principal.name };
    }
  }
  try {
    return { view: views.view(wanted), namespace: wanted, principal: principal?.name };
  } catch (err) {
    options.logger?.error({ err, namespace: wanted }, "gRPC reflection cannot describe the namespace's protos");
    return { refused: refusal(grpc.status.INTERNAL, `namespace '${wanted}' cannot be described`), namespace: wanted, principal: principal?.name };
  }
}

/** Chooses the namespace for a call, or the status that says why there is none. */
function pick(route: MethodRoute, metadata: grpc.Metadata): { namespace: string; client: grpc.Client } | { refused: grpc.StatusObject; namespace?: string } {
  const wanted = metadata.get(NAMESPACE_METADATA_KEY)[0];
  if (typeof wanted === 'string') {
    const binding = route.namespaces.get(wanted);
    // The client-chosen name is only echoed, never used as a metric label unless it exists.
    if (!binding) return { refused: refusal(grpc.status.NOT_FOUND, `namespace '${wanted}' does not serve this method`) };
    if (!binding.client) return { refused: refusal(grpc.status.UNIMPLEMENTED, `namespace '${wanted}' does not expose its gRPC interface`), namespace: wanted };
    return { namespace: wanted, client: binding.client };
  }
  // Namespaces with the passthrough switched off do not compete for unaddressed calls.
  const enabled = [...route.namespaces.entries()].filter((e): e is [string, NamespaceBinding & { client: grpc.Client }] => e[1].client !== undefined);
  if (enabled.length === 1) return { namespace: enabled[0][0], client: enabled[0][1].client };
  return {
    refused: refusal(grpc.status.FAILED_PRECONDITION, `several namespaces serve this method; choose one with the '${NAMESPACE_METADATA_KEY}' metadata key (${enabled.map(([name]) => name).join(', ')})`),
  };
}

/** A GatewayError from the authenticator as a gRPC status (its codes are gRPC-numbered). */
function fromGatewayError(err: unknown, fallback: grpc.status, reason: string): grpc.StatusObject {
  if (err instanceof GatewayError) return refusal(err.code as number, err.message, err.reason || reason, err.metadata);
  return refusal(fallback, fallback === grpc.status.UNAUTHENTICATED ? 'invalid credentials' : 'permission denied', reason);
}

function metadataString(metadata: grpc.Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

function forwardMetadata(incoming: grpc.Metadata, stripCredentials: boolean): grpc.Metadata {
  const out = incoming.clone();
  out.remove(NAMESPACE_METADATA_KEY);
  if (stripCredentials) out.remove(AUTHORIZATION_METADATA_KEY);
  return out;
}

/** Logs and counts a call from `peer` (the caller's address) once, when its status is known. */
function record(path: string, peer: string, options: PassthroughOptions): CallRecord {
  const started = process.hrtime.bigint();
  let finished = false;
  return {
    finish(code, namespace, principal) {
      if (finished) return;
      finished = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const codeName = grpc.status[code] ?? String(code);
      options.metrics?.passthroughCall(namespace ?? '', path, codeName, seconds);
      options.logger?.info(
        // The fields of the HTTP request line where they mean the same (namespace, principal, client, ms).
        { grpcMethod: path, namespace, principal, client: peer, code: codeName, ms: Math.round(seconds * 1e5) / 100 },
        'gRPC call',
      );
    },
  };
}
