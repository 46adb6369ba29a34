/**
 * The RPC index: every gRPC method a namespace serves as gRPC-Web and Connect on the public
 * listener (DESIGN.md §8), by the path a browser or curl calls, built with the route table from
 * the current frontend bindings (a hot reload rebuilds it, so a binding added at run time mounts
 * its namespace's methods at its prefix).
 *
 * Where a namespace's methods are mounted: at `{pathPrefix}/{package.Service}/{Method}` for
 * each (pathPrefix, host) its frontend bindings use, and at `/{package.Service}/{Method}` for any
 * host when it has no binding. Namespaces that share a mount and a host share a path; a call
 * picks one with `x-prism-namespace`, as on the gRPC passthrough.
 *
 * Built once per compile; the request path does one Map lookup (`find`), and a second one only
 * for requests that already look like gRPC-Web or Connect (`unknownMethod`).
 */
import type { CorsConfig } from '../config/gateway-config.js';
import protobuf from 'protobufjs';
import { Code, gatewayError, GatewayReason, type GatewayError } from '../core/gateway-error.js';
import { loadProtoRoot } from '../grpc/proto-root.js';
import { methodPath } from '../grpc/service-definition.js';
import { joinPaths } from '../routing/path-template.js';
import type { Role } from '../security/authenticator.js';
import { methodKind, requiredRole, unknownOverrideKeys, type MethodRoleOverrides } from '../upstream/method-kind.js';
import type { Upstream } from '../upstream/upstream.js';
import { patternServices } from '../grpc/pattern-services.js';

/** The header that picks a namespace among those serving a path (the passthrough's metadata key). */
export const NAMESPACE_HEADER = 'x-prism-namespace';

/** A unary call's deadline when the namespace sets none (the REST routes' default). */
export const DEFAULT_RPC_DEADLINE_MS = 30_000;

/** What a namespace brings to the index. */
export interface RpcNamespace {
  readonly name: string;
  /** Serve gRPC-Web and Connect (the namespace's `grpcWeb`, off when its gRPC interface is). */
  readonly grpcWeb?: boolean;
  readonly protoFiles: readonly string[];
  /** Absent offline (`validate`, `routes`): the index is then for checking only. */
  readonly upstream?: Upstream;
  readonly deadlineMs?: number;
  readonly methodRoles?: MethodRoleOverrides;
}

/** Where a namespace's frontends are bound (a frontend entry's prefix and host). */
export interface RpcMountSource {
  readonly namespace: string;
  readonly pathPrefix?: string;
  readonly host?: string;
  /** The binding's CORS settings: they govern the RPC paths of its mount too. */
  readonly cors?: CorsConfig;
}

export type RpcKind = 'unary' | 'server' | 'client' | 'bidi';

/** One method of one namespace at one mount: everything a call needs, settled at compile time. */
export interface RpcMethod {
  /** The gRPC path, `/package.Service/Method` (the upstream call's path and the metric label). */
  readonly grpcPath: string;
  /** The path it is served at: mount prefix + grpcPath. */
  readonly path: string;
  /** The host its mount is bound to; undefined for every host. */
  readonly host?: string;
  readonly method: protobuf.Method;
  readonly requestType: protobuf.Type;
  readonly responseType: protobuf.Type;
  readonly kind: RpcKind;
  /** The proto declares NO_SIDE_EFFECTS: Connect serves it on GET too. */
  readonly sideEffectFree: boolean;
  /** The role a caller needs (the proto's read/write, or the namespace's `methodRoles`). */
  readonly role: Role;
  readonly namespace: string;
  readonly upstream?: Upstream;
  /** The namespace's deadline for unary calls (a client's shorter timeout wins). */
  readonly deadlineMs: number;
}

/** The namespaces serving one path for one host scope, by name. */
export type RpcCandidates = ReadonlyMap<string, RpcMethod>;

/** A served path: its candidates for requests with a bound host, and for any host. */
export interface RpcPath {
  readonly byHost: ReadonlyMap<string, RpcCandidates>;
  readonly anyHost?: RpcCandidates;
}

/** A mount: a path prefix ('' at the root) and the host it is bound to (undefined: every host). */
export interface RpcMount {
  readonly prefix: string;
  readonly host?: string;
  readonly namespaces: readonly string[];
  /**
   * The CORS settings of the bindings at this mount (the first that has any), overriding the
   * listener's. Looked up by mount, not by frontend: a frontend with a basePath does not own the
   * RPC paths at its binding's prefix.
   */
  readonly cors?: CorsConfig;
}

export interface RpcIndex {
  /** Every served path (raw, as requests spell it). */
  readonly paths: ReadonlyMap<string, RpcPath>;
  readonly mounts: readonly RpcMount[];
  /** Every served method (each namespace and mount once), for checks and printouts. */
  readonly methods: readonly RpcMethod[];
  /**
   * The candidates for a request path and host: those bound to the host, else those for any
   * host; undefined when the path is not served. Hot path: one Map lookup for a miss.
   */
  find(path: string, host: string | undefined): RpcCandidates | undefined;
  /**
   * The mount a path of the shape `{prefix}/{package.Service}/{Method}` lies under, whether or
   * not a method is served at it (an unknown method on a served prefix still gets a gRPC-Web or
   * Connect answer, and the mount's CORS settings); undefined for other paths.
   */
  mountOf(path: string, host: string | undefined): RpcMount | undefined;
}

/** A problem building the index (a `methodRoles` key naming no method, protos that do not load). */
export interface RpcIndexProblem {
  readonly namespace: string;
  /** What is wrong: the protos do not load, or a `methodRoles` key names no method. */
  readonly kind: 'protos' | 'methodRoles';
  readonly message: string;
}

/** Per namespace object: its services' methods, loaded once (hot reloads reuse them). */
const loadedMethods = new WeakMap<RpcNamespace, readonly protobuf.Method[]>();

/** The methods of a namespace's protos, without the google.* services every root carries. */
function methodsOf(ns: RpcNamespace): readonly protobuf.Method[] {
  let methods = loadedMethods.get(ns);
  if (!methods) {
    methods = patternServices(loadProtoRoot(ns.protoFiles)).flatMap((s) => s.methodsArray);
    loadedMethods.set(ns, methods);
  }
  return methods;
}

/**
 * Builds the index for the namespaces that switch gRPC-Web on, mounted where `sources` bind
 * their frontends. Problems are returned, all of them; the namespaces with one are left out.
 */
export function buildRpcIndex(namespaces: Iterable<RpcNamespace>, sources: readonly RpcMountSource[]): { index: RpcIndex; problems: RpcIndexProblem[] } {
  const problems: RpcIndexProblem[] = [];
  const paths = new Map<string, { byHost: Map<string, Map<string, RpcMethod>>; anyHost?: Map<string, RpcMethod> }>();
  const mounts = new Map<string, { prefix: string; host?: string; namespaces: string[]; cors?: CorsConfig }>();
  const methods: RpcMethod[] = [];
  for (const ns of namespaces) {
    if (!ns.grpcWeb || ns.protoFiles.length === 0) continue;
    let declared: readonly protobuf.Method[];
    try {
      declared = methodsOf(ns);
    } catch (err) {
      problems.push({ namespace: ns.name, kind: 'protos', message: (err as Error).message });
      continue;
    }
    const unknown = unknownOverrideKeys(ns.methodRoles ?? {}, declared);
    if (unknown.length > 0) {
      for (const key of unknown) problems.push({ namespace: ns.name, kind: 'methodRoles', message: `methodRoles names '${key}', which no proto of the namespace declares` });
      continue;
    }
    const own = sources.filter((s) => s.namespace === ns.name);
    const places = own.length === 0 ? [{ prefix: '', host: undefined, cors: undefined }] : own.map((s) => ({ prefix: prefixOf(s.pathPrefix), host: s.host?.toLowerCase(), cors: s.cors }));
    for (const { prefix, host, cors } of places) {
      const mountKey = `${host ?? '*'} ${prefix}`;
      let mount = mounts.get(mountKey);
      if (!mount) mounts.set(mountKey, (mount = { prefix, host, namespaces: [] }));
      mount.cors ??= cors;
      // The same namespace bound twice at one place (two frontends under one prefix) is one mount.
      if (mount.namespaces.includes(ns.name)) continue;
      mount.namespaces.push(ns.name);
      for (const method of declared) {
        const served = describe(method, ns, prefix, host);
        methods.push(served);
        let entry = paths.get(served.path);
        if (!entry) paths.set(served.path, (entry = { byHost: new Map() }));
        let candidates: Map<string, RpcMethod>;
        if (host === undefined) candidates = entry.anyHost ??= new Map();
        else {
          candidates = entry.byHost.get(host) ?? new Map();
          entry.byHost.set(host, candidates);
        }
        candidates.set(ns.name, served);
      }
    }
  }
  const mountList = [...mounts.values()];
  const index: RpcIndex = {
    paths,
    mounts: mountList,
    methods,
    find(path, host) {
      const entry = paths.get(path);
      if (entry === undefined) return undefined;
      return (host !== undefined ? entry.byHost.get(host) : undefined) ?? entry.anyHost;
    },
    mountOf(path, host) {
      const methodAt = path.lastIndexOf('/');
      const serviceAt = path.lastIndexOf('/', methodAt - 1);
      if (serviceAt < 0 || methodAt === path.length - 1 || !path.slice(serviceAt + 1, methodAt).includes('.')) return undefined;
      const prefix = path.slice(0, serviceAt);
      return mountList.find((m) => m.prefix === prefix && m.host === host) ?? mountList.find((m) => m.prefix === prefix && m.host === undefined);
    },
  };
  return { index, problems };
}

/** A binding's path prefix as a mount prefix: '' at the root, else `/a/b` without a trailing slash. */
function prefixOf(pathPrefix: string | undefined): string {
  const joined = joinPaths(pathPrefix);
  return joined === '/' ? '' : joined.replace(/\/+$/, '');
}

function describe(method: protobuf.Method, ns: RpcNamespace, prefix: string, host: string | undefined): RpcMethod {
  const grpcPath = methodPath(method);
  return {
    grpcPath,
    path: prefix + grpcPath,
    ...(host !== undefined ? { host } : {}),
    method,
    requestType: method.resolvedRequestType!,
    responseType: method.resolvedResponseType!,
    kind: method.requestStream ? (method.responseStream ? 'bidi' : 'client') : method.responseStream ? 'server' : 'unary',
    sideEffectFree: methodKind(method) === 'read',
    role: requiredRole(method, ns.methodRoles),
    namespace: ns.name,
    upstream: ns.upstream,
    deadlineMs: ns.deadlineMs ?? DEFAULT_RPC_DEADLINE_MS,
  };
}

/** The error of a path under a served mount that names no served method: UNIMPLEMENTED, as gRPC says it. */
export function unknownMethod(path: string): GatewayError {
  return gatewayError(Code.UNIMPLEMENTED, GatewayReason.ROUTE_NOT_FOUND, `unknown method ${path}`, { path });
}

/** An index that serves nothing (a table compiled without namespaces). */
export const EMPTY_RPC_INDEX: RpcIndex = buildRpcIndex([], []).index;
