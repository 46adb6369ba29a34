/**
 * The route table: every compiled route indexed in one find-my-way radix tree, immutable once
 * built. A new definition set builds a new table; the server swaps tables in one step.
 */
import FindMyWay from 'find-my-way';
import { Code, gatewayError, GatewayError, GatewayReason } from '../core/gateway-error.js';
import type { CompiledFrontend, CompiledRoute } from './compiled-route.js';

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
}

export interface RouteEntry {
  route: CompiledRoute;
  routerPath: string;
}

export function createRouteTable(entries: readonly RouteEntry[], frontends: readonly CompiledFrontend[]): RouteTable {
  const router = FindMyWay({ caseSensitive: true, ignoreTrailingSlash: false, ignoreDuplicateSlashes: false, maxParamLength: 8192 });
  const methods = new Set<string>();
  for (const { route, routerPath } of entries) {
    methods.add(route.method);
    const host = route.frontend.host;
    const opts = host === undefined ? {} : { constraints: { host } };
    if (route.frontend.trailingSlash && routerPath !== '/') {
      // Both spellings, whichever the definition wrote; the compiler has made sure no other
      // route claims either.
      const bare = routerPath.replace(/\/$/, '');
      router.on(route.method as FindMyWay.HTTPMethod, bare, opts, noop, route);
      router.on(route.method as FindMyWay.HTTPMethod, bare + '/', opts, noop, route);
    } else {
      router.on(route.method as FindMyWay.HTTPMethod, routerPath, opts, noop, route);
    }
  }
  // Longest mount first; a host-bound frontend before an unbound one with the same mount.
  const byMount = [...frontends].sort((a, b) => b.mountPath.length - a.mountPath.length || Number(b.host !== undefined) - Number(a.host !== undefined));

  function frontendFor(path: string, host?: string): CompiledFrontend | undefined {
    return byMount.find(
      (f) => (f.host === undefined || f.host === host) && (f.mountPath === '/' || path === f.mountPath || path.startsWith(f.mountPath + '/')),
    );
  }

  function lookup(method: string, path: string, host: string | undefined) {
    const found = host === undefined ? router.find(method as FindMyWay.HTTPMethod, path) : router.find(method as FindMyWay.HTTPMethod, path, { host });
    if (!found) return undefined;
    // An empty parameter (`/subjects/`) is not a value: that path names no resource.
    for (const key in found.params) if (found.params[key] === '') return undefined;
    return found;
  }

  return {
    routes: entries.map((e) => e.route),
    frontends,
    frontendFor,
    match(method, path, host) {
      // HEAD is GET without a body, unless a route declares HEAD itself.
      const found = lookup(method, path, host) ?? (method === 'HEAD' ? lookup('GET', path, host) : undefined);
      if (found) return { route: found.store as CompiledRoute, params: found.params as Record<string, string> };
      const frontend = frontendFor(path, host);
      const allow = [...methods].filter((m) => m !== method && lookup(m, path, host) !== undefined);
      if (allow.includes('GET') && !allow.includes('HEAD')) allow.push('HEAD');
      if (method === 'OPTIONS' && allow.length > 0) return { frontend, options: [...allow, 'OPTIONS'] };
      if (allow.length > 0) {
        return { frontend, allow, error: gatewayError(Code.UNIMPLEMENTED, GatewayReason.METHOD_NOT_ALLOWED, `method ${method} is not allowed on ${path}`, { method, path }, 405) };
      }
      return { frontend, error: gatewayError(Code.NOT_FOUND, GatewayReason.ROUTE_NOT_FOUND, `no route for ${method} ${path}`, { method, path }, 404) };
    },
  };
}

function noop(): void {}
