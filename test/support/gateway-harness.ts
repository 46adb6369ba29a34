/**
 * Builds a gateway from definition text against an upstream and drives it in-process with
 * fastify's `inject` (the HTTP side needs no socket; the gRPC side is a real one).
 */
import type { FastifyInstance } from 'fastify';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { createHttpServer } from '../../src/routing/fastify-adapter.js';
import { createTableHolder } from '../../src/routing/table-holder.js';
import { createGrpcUpstream } from '../../src/upstream/grpc-upstream.js';
import type { Upstream } from '../../src/upstream/upstream.js';

export interface Harness {
  readonly app: FastifyInstance;
  readonly upstream: Upstream;
  close(): Promise<void>;
}

export async function startHarness(definitionYaml: string, target: string, options: { bodyLimit?: number } = {}): Promise<Harness> {
  const upstream = createGrpcUpstream(target);
  const loaded = parseDefinitions(definitionYaml, 'test.yaml', process.cwd());
  const table = compileRouteTable(loaded.map((l) => ({ loaded: l, upstream })));
  const app = createHttpServer({ tables: createTableHolder(table), bodyLimit: options.bodyLimit });
  await app.ready();
  return {
    app,
    upstream,
    close: async () => {
      await app.close();
      upstream.close();
    },
  };
}
