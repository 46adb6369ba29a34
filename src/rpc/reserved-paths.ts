/**
 * The paths gRPC-Web and Connect serve are reserved (DESIGN.md §8): a REST route that would
 * answer `POST` or `GET` on `{prefix}/{package.Service}/{Method}` of a served namespace, for a
 * host the mount serves, fails compilation. The compiled table's own `match()` decides, so a
 * parameter route (`POST /{a}/{b}`) clashes exactly when it would have taken the request.
 */
import { DiagnosticCode } from '../frontends/diagnostics.js';
import type { DefinitionProblem } from '../frontends/definition-error.js';
import type { LoadedDefinition } from '../frontends/load-definition.js';
import type { CompiledRoute } from '../routing/compiled-route.js';
import type { RouteTable } from '../routing/route-table.js';
import type { RpcIndex } from './rpc-index.js';

/** The frontends compiled into the table, to locate a clashing route in its file. */
export interface LocatableBinding {
  readonly loaded: LoadedDefinition;
  readonly namespace?: string;
}

/**
 * One problem per REST route that takes a request an RPC path is served at (the first such
 * path named), located at the route's `path`.
 */
export function reservedPathProblems(index: RpcIndex, table: RouteTable, bindings: readonly LocatableBinding[]): DefinitionProblem[] {
  if (index.methods.length === 0) return [];
  const boundHosts = [...new Set(table.frontends.flatMap((f) => (f.host === undefined ? [] : [f.host])))];
  const reported = new Map<CompiledRoute, DefinitionProblem>();
  for (const served of index.methods) {
    // A mount for every host is reached with any Host header, host-bound frontends' included.
    const hosts = served.host !== undefined ? [served.host] : [undefined, ...boundHosts];
    for (const host of hosts) {
      for (const method of ['POST', 'GET']) {
        const match = table.match(method, served.path, host);
        if (!match.route || reported.has(match.route)) continue;
        reported.set(match.route, problemFor(match.route, method, served.path, served.namespace, bindings));
      }
    }
  }
  return [...reported.values()];
}

function problemFor(route: CompiledRoute, method: string, path: string, namespace: string, bindings: readonly LocatableBinding[]): DefinitionProblem {
  const binding = bindings.find((b) => b.loaded.definition.name === route.frontend.name && b.namespace === route.frontend.namespace) ?? bindings.find((b) => b.loaded.definition.name === route.frontend.name);
  const index = binding?.loaded.definition.rest?.routes.findIndex((r) => r.id === route.id) ?? -1;
  const pointer = index >= 0 ? `/rest/routes/${index}/path` : '';
  const at = pointer ? binding?.loaded.locate(pointer) : undefined;
  return {
    code: DiagnosticCode.RESERVED_PATH,
    file: binding?.loaded.file ?? '',
    route: route.id,
    pointer,
    line: at?.line,
    column: at?.column,
    message: `route '${route.id}' (${route.method} ${route.template}) takes ${method} ${path}, which namespace '${namespace}' serves as gRPC-Web and Connect (grpcWeb: true); move the route or the binding's pathPrefix`,
  };
}
