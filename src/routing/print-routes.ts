/** The route table as text: what `prism-gateway routes` prints and a golden test pins. */
import { describeBinding } from './route-plan.js';
import type { RouteTable } from './route-table.js';

const FRAMING_NAMES = { 'text/event-stream': 'sse', 'application/x-ndjson': 'ndjson' } as const;

/** One line per route, streaming routes marked with their kind and framings, and one per binding, read from each route's plan. */
export function printRoutes(table: RouteTable): string {
  const lines: string[] = [];
  for (const { plan } of table.routes) {
    let target = plan.grpc ? plan.grpc.method : plan.policy.readiness ? '(static, readiness)' : '(static)';
    if (plan.stream) target += ` (${plan.stream.kind} stream: ${[...plan.stream.framings.map((f) => FRAMING_NAMES[f]), ...(plan.stream.websocket ? ['websocket'] : [])].join(', ')})`;
    lines.push(`${plan.method.padEnd(7)} ${plan.path.template}  ->  ${target}  [${plan.frontend}/${plan.id}]`);
    for (const b of plan.bindings) lines.push(`          ${describeBinding(b)}`);
  }
  // GraphQL endpoints (src/graphql/): the path, then one line per field bound to a method.
  for (const endpoint of table.graphql?.endpoints ?? []) {
    lines.push(`${'GET,POST'.padEnd(7)} ${endpoint.path}  ->  GraphQL (websocket, sse)  [${endpoint.name}]`);
    for (const f of endpoint.fields) lines.push(`          ${f.coordinate} -> ${f.grpcPath.slice(1)}`);
  }
  return lines.join('\n') + '\n';
}
