/**
 * `prism-gateway graphql-schema FILE... [--frontend NAME]` (or `--config FILE`): the SDL of a
 * GraphQL frontend, printed from the compiled endpoint (the schema the gateway serves).
 */
import type { RouteTable } from '../routing/route-table.js';

export interface CommandIo {
  out(text: string): void;
  err(text: string): void;
}

/** Prints the SDL of the named GraphQL frontend (default: the only one); the exit code. */
export function printGraphqlSchema(table: RouteTable | undefined, name: string | undefined, usage: string, io: CommandIo): number {
  if (!table) {
    io.err(usage);
    return 2;
  }
  const endpoints = table.graphql?.endpoints ?? [];
  const names = [...new Set(endpoints.map((e) => e.name))];
  if (names.length === 0) {
    io.err('no GraphQL frontend among the definitions (type: GRAPHQL)\n');
    return 2;
  }
  const chosen = name ?? (names.length === 1 ? names[0] : undefined);
  const endpoint = endpoints.find((e) => e.name === chosen);
  if (!endpoint) {
    io.err(`name the GraphQL frontend with --frontend (one of ${names.join(', ')})\n`);
    return 2;
  }
  io.out(endpoint.sdl.endsWith('\n') ? endpoint.sdl : endpoint.sdl + '\n');
  return 0;
}
