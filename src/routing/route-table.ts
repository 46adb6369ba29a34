/**
 * The route table: every compiled route indexed in one segment trie (one hash lookup per
 * path segment, so matching cost barely grows with the number of routes), immutable once
 * built. A new definition set builds a new table; the server swaps tables in one step.
 */
import { Code, gatewayError, GatewayError, GatewayReason } from '../core/gateway-error.js';
import type { GraphqlIndex } from '../graphql/graphql-index.js';
import type { RpcIndex } from '../rpc/rpc-index.js';
import type { CompiledFrontend, CompiledRoute } from './compiled-route.js';
import type { PathSegment } from './path-template.js';
import { SegmentTrie } from './segment-trie.js';

export type RouteMatch =
  | { route: CompiledRoute; params: Record<string, string>; error?: undefined; options?: undefined }
  | { route?: undefined; frontend?: CompiledFrontend; error: GatewayError; allow?: string[]; options?: undefined }
  /** OPTIONS on a path that has routes: answered with the methods it allows (HTTP, JAX-RS). */
  | { route?: undefined; frontend?: CompiledFrontend; error?: undefined; options: string[] };

export interface RouteTable {
  readonly routes: readonly CompiledRoute[];
  readonly frontends: readonly CompiledFrontend[];
  /**
   * Matches a raw (still percent-encoded) path; parameters come back decoded once. `host` (the
   * Host header without port) selects frontends bound to a host; others serve every host.
   */
  match(method: string, path: string, host?: string): RouteMatch;
  /** The frontend whose mount path is the longest prefix of `path` (for routing errors). */
  frontendFor(path: string, host?: string): CompiledFrontend | undefined;
  /**
   * The gRPC-Web and Connect paths compiled with this table (src/rpc/rpc-index.ts): consulted
   * before the routes, swapped with them. Absent when no namespace serves them.
   */
  readonly rpc?: RpcIndex;
  /** The GraphQL endpoints compiled with this table (src/graphql/), consulted before the routes. */
  readonly graphql?: GraphqlIndex;
}

/** The same table with its RPC index: swapped, and so hot-reloaded, together with the routes. */
export function withRpcIndex(table: RouteTable, rpc: RpcIndex): RouteTable {
  return {
    routes: table.routes,
    frontends: table.frontends,
    match: table.match,
    frontendFor: table.frontendFor,
    ...(table.graphql ? { graphql: table.graphql } : {}),
    ...(rpc.methods.length > 0 ? { rpc } : {}),
  };
}

export interface RouteEntry {
  route: CompiledRoute;
  segments: readonly PathSegment[];
}

/** Longest parameter value accepted (raw bytes of the segment); longer ones do not match. */
const MAX_PARAM_LENGTH = 8192;

export function createRouteTable(entries: readonly RouteEntry[], frontends: readonly CompiledFrontend[], graphql?: GraphqlIndex): RouteTable {
  const trie = new SegmentTrie<CompiledRoute>({ maxParamLength: MAX_PARAM_LENGTH });
  const methods = new Set<string>();
  for (const { route, segments } of entries) {
    methods.add(route.method);
    const host = route.frontend.host;
    const last = segments.at(-1);
    if (route.frontend.trailingSlash && !(segments.length === 1 && last?.text === '')) {
      // Both spellings, whichever the definition wrote; the compiler has made sure no other
      // route claims either.
      const bare = last?.text === '' ? segments.slice(0, -1) : segments;
      trie.add(route.method, bare, host, route);
      trie.add(route.method, [...bare, { text: '' }], host, route);
    } else {
      trie.add(route.method, segments, host, route);
    }
  }
  // Longest mount first; a host-bound frontend before an unbound one with the same mount.
  const byMount = [...frontends].sort((a, b) => b.mountPath.length - a.mountPath.length || Number(b.host !== undefined) - Number(a.host !== undefined));

  function frontendFor(path: string, host?: string): CompiledFrontend | undefined {
    return byMount.find(
      (f) => (f.host === undefined || f.host === host) && (f.mountPath === '/' || path === f.mountPath || path.startsWith(f.mountPath + '/')),
    );
  }

  const lookup = (method: string, path: string, host: string | undefined) => trie.find(method, path, host);

  return {
    routes: entries.map((e) => e.route),
    frontends,
    ...(graphql && graphql.endpoints.length > 0 ? { graphql } : {}),
    frontendFor,
    match(method, path, host) {
      // HEAD is GET without a body, unless a route declares HEAD itself.
      const found = lookup(method, path, host) ?? (method === 'HEAD' ? lookup('GET', path, host) : undefined);
      if (found) return { route: found.value, params: found.params };
      const frontend = frontendFor(path, host);
      const allow = [...methods].filter((m) => m !== method && lookup(m, path, host) !== undefined);
      if (allow.includes('GET') && !allow.includes('HEAD')) allow.push('HEAD');
      if (method === 'OPTIONS' && allow.length > 0) return { frontend, options: [...allow, 'OPTIONS'] };
      if (allow.length > 0) {
        return { frontend, allow, error: gatewayError(Code.UNIMPLEMENTED, GatewayReason.METHOD_NOT_ALLOWED, `method ${method} is not allowed on ${path}`, { method, path }) };
      }
      return { frontend, error: gatewayError(Code.NOT_FOUND, GatewayReason.ROUTE_NOT_FOUND, `no route for ${method} ${path}`, { method, path }) };
    },
  };
}
