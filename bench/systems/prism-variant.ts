/**
 * Prism Gateway assembled by hand from the compiled sources (dist/), so a benchmark can choose
 * the upstream client: `grpc-js` (createGrpcUpstream, what `serve` uses) or `http2`
 * (createHttp2Upstream). Only namespaces with a `target` are supported. It does the per-request
 * work `serve` does (route table, fastify adapter, metrics) but opens no admin or gRPC
 * passthrough listener, which take no part in serving a REST request.
 *   node --import tsx bench/systems/prism-variant.ts CONFIG UPSTREAM PORT [LOG_LEVEL]
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// The benchmark's private build (bench/.cache/build) when run by bench/run.ts, else the repo's.
const root = process.env.PRISM_BENCH_ROOT ?? resolve(import.meta.dirname, '..', '..');
const load = <T>(path: string): Promise<T> => import(pathToFileURL(resolve(root, 'dist', path)).href) as Promise<T>;

const [configFile, upstreamKind, portText, level = 'warn'] = process.argv.slice(2);
if (!configFile || !['grpc-js', 'http2'].includes(upstreamKind) || !portText) {
  process.stderr.write('usage: prism-variant.ts CONFIG grpc-js|http2 PORT [LOG_LEVEL]\n');
  process.exit(2);
}

const { loadGatewayConfig } = await load<typeof import('../../src/config/gateway-config.js')>('src/config/gateway-config.js');
const { loadDefinitionFile } = await load<typeof import('../../src/frontends/load-definition.js')>('src/frontends/load-definition.js');
const { compileRouteTable } = await load<typeof import('../../src/routing/compile-route-table.js')>('src/routing/compile-route-table.js');
const { createHttpServer } = await load<typeof import('../../src/routing/fastify-adapter.js')>('src/routing/fastify-adapter.js');
const { createTableHolder } = await load<typeof import('../../src/routing/table-holder.js')>('src/routing/table-holder.js');
const { createGrpcUpstream } = await load<typeof import('../../src/upstream/grpc-upstream.js')>('src/upstream/grpc-upstream.js');
const { createHttp2Upstream } = await load<typeof import('../../src/upstream/http2-upstream.js')>('src/upstream/http2-upstream.js');

const { config, baseDir } = loadGatewayConfig(configFile);
const bindings: import('../../src/routing/compile-route-table.js').FrontendBinding[] = [];
const upstreams: import('../../src/upstream/upstream.js').Upstream[] = [];
for (const ns of config.namespaces) {
  if (!ns.pattern.target) throw new Error(`namespace ${ns.name}: only 'target' namespaces are supported here`);
  const upstream = upstreamKind === 'http2' ? createHttp2Upstream(ns.pattern.target) : createGrpcUpstream(ns.pattern.target);
  upstreams.push(upstream);
  const protoFiles = (ns.pattern.protos ?? []).map((p) => resolve(baseDir, p));
  for (const mount of ns.frontends) {
    for (const loaded of loadDefinitionFile(resolve(baseDir, mount.file))) {
      bindings.push({ loaded, upstream, pathPrefix: mount.pathPrefix, protoFiles, deadlineMs: ns.deadlineMs, forwardHeaders: ns.forwardHeaders });
    }
  }
}
// Per-request metrics as `serve` records them, so the variant does the same work per request.
const { createGatewayMetrics } = await load<typeof import('../../src/observability/metrics.js')>('src/observability/metrics.js');
const { codeName } = await load<typeof import('../../src/core/gateway-error.js')>('src/core/gateway-error.js');
const metrics = createGatewayMetrics();
const app = createHttpServer({
  tables: createTableHolder(compileRouteTable(bindings)),
  bodyLimit: config.bodyLimit,
  logger: { level },
  onReply: (reply, method, status, seconds) => {
    metrics.request(reply?.frontend ?? '', reply?.routeId ?? '', method, status, seconds);
    if (reply?.upstreamMethod !== undefined && reply.upstreamCode !== undefined) metrics.upstreamCall(reply.upstreamMethod, codeName(reply.upstreamCode));
  },
});
await app.listen({ host: '127.0.0.1', port: Number(portText) });
process.stdout.write(`prism (${upstreamKind} upstream) on 127.0.0.1:${portText}\n`);
process.once('SIGTERM', () => {
  void app.close().then(() => {
    for (const u of upstreams) u.close();
    process.exit(0);
  });
});
