/**
 * The route table: every compiled route indexed in one find-my-way radix tree, immutable once
 * built. A new definition set builds a new table; the server swaps tables in one step.
 */
import FindMyWay from 'find-my-way';
import { Code, gatewayError, GatewayError, GatewayReason } from '../core/gateway-error.js';
import type { CompiledFrontend, CompiledRoute } from './compiled-route.js';

export type RouteMatch =
  | { route: CompiledRoute; params: Record<string, string>; error?: undefined }
  | { route?: undefined; frontend?: CompiledFrontend; error: GatewayError; allow?: string[] };

export interface RouteTable {
  readonly routes: readonly CompiledRoute[];
  readonly frontends: readonly CompiledFrontend[];
  /** Matches a raw (still percent-encoded) path; parameters come back decoded once. */
  match(method: string, path: string): RouteMatch;
  /** The frontend whose mount path is the longest prefix of `path` (for routing errors). */
  frontendFor(path: string): CompiledFrontend | undefined;
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
    router.on(route.method as FindMyWay.HTTPMethod, routerPath, noop, route);
    if (route.frontend.trailingSlash && routerPath !== '/' && !routerPath.endsWith('/')) {
      router.on(route.method as FindMyWay.HTTPMethod, routerPath + '/', noop, route);
    }
  }
  const byMount = [...frontends].sort((a, b) => b.mountPath.length - a.mountPath.length);

  function frontendFor(path: string): CompiledFrontend | undefined {
    return byMount.find((f) => f.mountPath === '/' || path === f.mountPath || path.startsWith(f.mountPath + '/'));
  }

  function lookup(method: string, path: string) {
    const found = router.find(method as FindMyWay.HTTPMethod, path);
    if (!found) return undefined;
    // An empty parameter (`/subjects/`) is not a value: that path names no resource.
    for (const key in found.params) if (found.params[key] === '') return undefined;
    return found;
  }

  return {
    routes: entries.map((e) => e.route),
    frontends,
    frontendFor,
    match(method, path) {
      const found = lookup(method, path);
      if (found) return { route: found.store as CompiledRoute, params: found.params as Record<string, string> };
      const frontend = frontendFor(path);
      const allow = [...methods].filter((m) => m !== method && lookup(m, path) !== undefined);
      if (allow.length > 0) {
        return { frontend, allow, error: gatewayError(Code.UNIMPLEMENTED, GatewayReason.METHOD_NOT_ALLOWED, `method ${method} is not allowed on ${path}`, { method, path }, 405) };
      }
      return { frontend, error: gatewayError(Code.NOT_FOUND, GatewayReason.ROUTE_NOT_FOUND, `no route for ${method} ${path}`, { method, path }, 404) };
    },
  };
}

function noop(): void {}
