/** The route table as text: what `prism-gateway routes` prints and a golden test pins. */
import { describeBinding } from './route-plan.js';
import type { RouteTable } from './route-table.js';

/** One line per route and one per binding, read from each route's plan. */
export function printRoutes(table: RouteTable): string {
  const lines: string[] = [];
  for (const { plan } of table.routes) {
    const target = plan.grpc ? plan.grpc.method : plan.policy.readiness ? '(static, readiness)' : '(static)';
    lines.push(`${plan.method.padEnd(7)} ${plan.path.template}  ->  ${target}  [${plan.frontend}/${plan.id}]`);
    for (const b of plan.bindings) lines.push(`          ${describeBinding(b)}`);
  }
  return lines.join('\n') + '\n';
}
