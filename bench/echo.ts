/**
 * Scenario 1, the echo route: GET /v1/items/{id} → gwpeer.v1.ItemService/GetItem on the Go
 * gRPC server of the grpc-gateway peer. Prism Gateway (the `serve` CLI, grpc-js upstream) and
 * Go grpc-gateway side by side, plus Prism with the node:http2 upstream and with grpc-js from
 * the same launcher (bench/systems/prism-variant.ts: the clean upstream A/B), `serve
 * --workers 2` (every core), the hand-written fastify + grpc-js route and raw fastify (the
 * HTTP limit).
 */
import { join } from 'node:path';
import { alternate, warmUp, type LoadTarget, type SystemRuns } from './lib/alternate.js';
import { http, PORTS, type BenchContext } from './lib/context.js';
import { pairedRatio, type PairedRatio } from './lib/stats.js';

export interface EchoResult {
  readonly systems: Record<string, SystemRuns>;
  readonly ratios: Record<string, PairedRatio>;
}

export const ECHO_PATH = '/v1/items/42';

export async function startEchoBackend(ctx: BenchContext) {
  return ctx.peer('server', ['-addr', `127.0.0.1:${PORTS.goServer}`], PORTS.goServer);
}

export const SERVE = 'prism serve (shipped default)';
export const GRPCJS = 'prism (grpc-js upstream)';
export const HTTP2 = 'prism (http2 upstream)';
export const WORKERS = 'prism serve --workers 2';

export async function startEchoGateways(ctx: BenchContext, withServe = true) {
  const level = ctx.options.logLevel;
  const config = join(ctx.benchDir, 'echo', 'gateway.yaml');
  const dataDir = join(ctx.tmpDir, 'echo-data');
  return {
    prism: !withServe ? undefined : await ctx.node('prism-echo', [ctx.dist('src/cli.js'), 'serve', '--config', config, '--port', String(PORTS.prismEcho), '--data-dir', dataDir, '--log-level', level], PORTS.prismEcho),
    prismHttp2: await ctx.node('prism-echo-http2', ['--import', 'tsx', 'bench/systems/prism-variant.ts', config, 'http2', String(PORTS.prismEchoHttp2), level], PORTS.prismEchoHttp2),
    prismGrpcJs: await ctx.node('prism-echo-grpcjs', ['--import', 'tsx', 'bench/systems/prism-variant.ts', config, 'grpc-js', String(PORTS.prismEchoGrpcJsVariant), level], PORTS.prismEchoGrpcJsVariant),
    goGateway: await ctx.peer('gateway', ['-addr', `127.0.0.1:${PORTS.goGateway}`, '-backend', `127.0.0.1:${PORTS.goServer}`], PORTS.goGateway),
  };
}

export const url = (port: number, path = ECHO_PATH) => `http://127.0.0.1:${port}${path}`;

export async function runEcho(ctx: BenchContext): Promise<EchoResult> {
  ctx.log('\n== echo: GET /v1/items/{id} → gwpeer.v1.ItemService/GetItem (Go gRPC server) ==');
  await startEchoBackend(ctx);
  const gateways = await startEchoGateways(ctx, true);
  const handwritten = await ctx.node('handwritten', ['--import', 'tsx', 'bench/systems/handwritten.ts'], PORTS.handwritten, { PORT: String(PORTS.handwritten), ECHO_TARGET: `127.0.0.1:${PORTS.goServer}`, LOG_LEVEL: ctx.options.logLevel });
  const raw = await ctx.node('raw-fastify', ['--import', 'tsx', 'bench/systems/raw-fastify.ts'], PORTS.rawFastify, { PORT: String(PORTS.rawFastify), LOG_LEVEL: ctx.options.logLevel });
  // The shipped gateway on every core of this machine (its CPU counts the workers).
  const workers = await ctx.node('prism-echo-workers', [ctx.dist('src/cli.js'), 'serve', '--config', join(ctx.benchDir, 'echo', 'gateway.yaml'), '--port', String(PORTS.prismEchoWorkers), '--data-dir', join(ctx.tmpDir, 'echo-workers-data'), '--log-level', ctx.options.logLevel, '--workers', '2'], PORTS.prismEchoWorkers);

  const targets: LoadTarget[] = [
    { name: SERVE, url: url(PORTS.prismEcho), pid: gateways.prism!.child.pid },
    { name: 'go grpc-gateway', url: url(PORTS.goGateway), pid: gateways.goGateway.child.pid },
    { name: HTTP2, url: url(PORTS.prismEchoHttp2), pid: gateways.prismHttp2.child.pid },
    { name: GRPCJS, url: url(PORTS.prismEchoGrpcJsVariant), pid: gateways.prismGrpcJs.child.pid },
    { name: 'fastify + grpc-js by hand', url: url(PORTS.handwritten), pid: handwritten.child.pid },
    { name: 'raw fastify (no gRPC)', url: url(PORTS.rawFastify), pid: raw.child.pid },
    { name: WORKERS, url: url(PORTS.prismEchoWorkers), pid: workers.child.pid },
  ];
  // Same answer everywhere, or the comparison means nothing.
  const expected = (await http('GET', targets[1].url)).text.trim();
  for (const t of targets) {
    const got = await http('GET', t.url);
    if (got.status !== 200 || JSON.stringify(JSON.parse(got.text)) !== JSON.stringify(JSON.parse(expected))) {
      throw new Error(`${t.name} answered ${got.status} ${got.text}, grpc-gateway answered ${expected}`);
    }
    const missing = await http('GET', t.url.replace('/42', '/missing'));
    if (t.name !== 'raw fastify (no gRPC)' && missing.status !== 404) throw new Error(`${t.name}: /v1/items/missing answered ${missing.status}, expected 404`);
  }
  ctx.log(`  every system answers ${expected}`);
  await warmUp(ctx, targets);
  const systems = await alternate(ctx, 'echo', targets, ctx.options.pairs);
  const rps = (name: string) => systems.get(name)!.runs.map((r) => r.okRps);
  // CPU per request, inverted so that > 1 means "Prism is cheaper": robust to a busy machine.
  const perCpu = (name: string) => systems.get(name)!.cpuUsPerRequest.map((us) => 1 / us);
  const ratios: Record<string, PairedRatio> = {
    'prism serve / grpc-gateway': pairedRatio(rps(SERVE), rps('go grpc-gateway')),
    'prism serve --workers 2 / grpc-gateway': pairedRatio(rps(WORKERS), rps('go grpc-gateway')),
    'prism serve --workers 2 / prism serve': pairedRatio(rps(WORKERS), rps(SERVE)),
    'prism grpc-js / grpc-gateway': pairedRatio(rps(GRPCJS), rps('go grpc-gateway')),
    'prism http2 / grpc-gateway': pairedRatio(rps(HTTP2), rps('go grpc-gateway')),
    'prism http2 / prism grpc-js': pairedRatio(rps(HTTP2), rps(GRPCJS)),
    'prism grpc-js / hand-written': pairedRatio(rps(GRPCJS), rps('fastify + grpc-js by hand')),
    'prism http2 / hand-written': pairedRatio(rps(HTTP2), rps('fastify + grpc-js by hand')),
    'prism http2 / raw fastify': pairedRatio(rps(HTTP2), rps('raw fastify (no gRPC)')),
    'CPU efficiency (requests per CPU-second): prism serve / grpc-gateway': pairedRatio(perCpu(SERVE), perCpu('go grpc-gateway')),
    'CPU efficiency: prism serve --workers 2 / grpc-gateway': pairedRatio(perCpu(WORKERS), perCpu('go grpc-gateway')),
    'CPU efficiency: prism grpc-js / grpc-gateway': pairedRatio(perCpu(GRPCJS), perCpu('go grpc-gateway')),
    'CPU efficiency: prism http2 / grpc-gateway': pairedRatio(perCpu(HTTP2), perCpu('go grpc-gateway')),
    'CPU efficiency: prism http2 / prism grpc-js': pairedRatio(perCpu(HTTP2), perCpu(GRPCJS)),
    'CPU efficiency: prism grpc-js / hand-written': pairedRatio(perCpu(GRPCJS), perCpu('fastify + grpc-js by hand')),
  };
  return { systems: Object.fromEntries(systems), ratios };
}
