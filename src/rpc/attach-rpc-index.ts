/**
 * The one step every caller that compiles a route table takes for gRPC-Web and Connect (the
 * frontend catalog at start and on every hot reload, and the CLI's offline `validate` and
 * `routes --config`): build the RPC index from the namespaces and the current bindings, check
 * the reserved paths against the compiled table, and attach the index to it.
 */
import { DefinitionError, type DefinitionProblem } from '../frontends/definition-error.js';
import { DiagnosticCode } from '../frontends/diagnostics.js';
import { withRpcIndex, type RouteTable } from '../routing/route-table.js';
import { reservedPathProblems, type LocatableBinding } from './reserved-paths.js';
import { buildRpcIndex, type RpcMountSource, type RpcNamespace } from './rpc-index.js';

/**
 * The table with its RPC index.
 * @throws DefinitionError listing every problem: REST routes on reserved paths (RESERVED_PATH),
 *   a namespace's protos that do not load (PROTO_LOAD), `methodRoles` naming no method
 *   (UNKNOWN_REFERENCE).
 */
export function attachRpcIndex(table: RouteTable, namespaces: Iterable<RpcNamespace>, sources: readonly RpcMountSource[], bindings: readonly LocatableBinding[]): RouteTable {
  const { index, problems } = buildRpcIndex(namespaces, sources);
  const found: DefinitionProblem[] = problems.map((p) => ({
    code: p.kind === 'methodRoles' ? DiagnosticCode.UNKNOWN_REFERENCE : DiagnosticCode.PROTO_LOAD,
    file: 'config',
    pointer: `/namespaces/${p.namespace}`,
    message: `namespace '${p.namespace}': ${p.message}`,
  }));
  found.push(...reservedPathProblems(index, table, bindings));
  if (found.length > 0) throw new DefinitionError(found);
  return withRpcIndex(table, index);
}
