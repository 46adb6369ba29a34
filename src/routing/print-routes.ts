/** The route table as text: what `prism-gateway routes` prints and a golden test pins. */
import type { RouteTable } from './route-table.js';

export function printRoutes(table: RouteTable): string {
  const lines: string[] = [];
  for (const route of table.routes) {
    const target = route.grpc ? route.grpc.path.slice(1) : route.readiness ? '(static, readiness)' : '(static)';
    lines.push(`${route.method.padEnd(7)} ${route.template}  ->  ${target}  [${route.frontend.name}/${route.id}]`);
    for (const p of route.describeParams) lines.push(`          ${p}`);
  }
  return lines.join('\n') + '\n';
}
