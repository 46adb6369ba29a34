/**
 * The GraphQL endpoints of a route table, by path: consulted by the public catch-all before the
 * REST routes (one Map lookup per request), and swapped with the table on a hot reload.
 */
import type { GraphqlEndpoint } from './graphql-endpoint.js';

export interface GraphqlIndex {
  readonly endpoints: readonly GraphqlEndpoint[];
  /** The endpoint at exactly `path` for `host` (one bound to the host first, else one for every host). */
  match(path: string, host: string | undefined): GraphqlEndpoint | undefined;
}

export function createGraphqlIndex(endpoints: readonly GraphqlEndpoint[]): GraphqlIndex {
  const byPath = new Map<string, GraphqlEndpoint[]>();
  for (const e of endpoints) byPath.set(e.path, [...(byPath.get(e.path) ?? []), e]);
  return {
    endpoints,
    match(path, host) {
      const candidates = byPath.get(path);
      if (candidates === undefined) return undefined;
      return candidates.find((e) => e.host !== undefined && e.host === host) ?? candidates.find((e) => e.host === undefined);
    },
  };
}
