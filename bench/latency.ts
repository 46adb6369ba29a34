/**
 * Scenario 3, latency at one connection: what the gateway hop adds over calling the Go gRPC
 * server directly. Direct = the peer's `grpcbench -c 1` (Go client, one caller); through a
 * gateway = `wrk -t1 -c1`. Added latency = gateway percentile − direct percentile of the same
 * round.
 */
import { join } from 'node:path';
import { run } from './lib/processes.js';
import { PORTS, type BenchContext } from './lib/context.js';
import { median, summarize, type Summary } from './lib/stats.js';
import { startEchoBackend, startEchoGateways, url } from './echo.js';

export interface LatencyResult {
  /** Per system: p50 and p99 (µs) per round. */
  readonly systems: Record<string, { p50: number[]; p99: number[]; p50s: Summary; p99s: Summary }>;
  /** Per gateway: added p50/p99 (µs) over direct, median over rounds. */
  readonly added: Record<string, { p50: number; p99: number }>;
}

/** Go duration text (`85.2µs`, `1.2ms`, `1.5s`) → microseconds. */
export function goDurationUs(text: string): number {
  const m = text.match(/^([\d.]+)(ns|µs|us|ms|s)$/);
  if (!m) throw new Error(`cannot read duration '${text}'`);
  const v = Number(m[1]);
  return m[2] === 'ns' ? v / 1000 : m[2] === 'ms' ? v * 1000 : m[2] === 's' ? v * 1e6 : v;
}

async function direct(ctx: BenchContext, seconds: number): Promise<{ p50: number; p99: number }> {
  const out = await run(join(ctx.peerBin, 'grpcbench'), ['-target', `127.0.0.1:${PORTS.goServer}`, '-c', '1', '-d', `${seconds}s`]);
  const m = out.match(/p50=(\S+) p90=\S+ p99=(\S+)/);
  if (!m) throw new Error(`grpcbench printed no latency line:\n${out}`);
  return { p50: goDurationUs(m[1]), p99: goDurationUs(m[2]) };
}

export async function runLatency(ctx: BenchContext): Promise<LatencyResult> {
  ctx.log('\n== latency at one connection: gateway hop over a direct gRPC call ==');
  await startEchoBackend(ctx);
  await startEchoGateways(ctx, false);
  const seconds = Math.min(ctx.options.duration, 5);
  const gateways = [
    { name: 'prism (grpc-js upstream)', port: PORTS.prismEchoGrpcJsVariant },
    { name: 'prism (http2 upstream)', port: PORTS.prismEchoHttp2 },
    { name: 'go grpc-gateway', port: PORTS.goGateway },
  ];
  for (const g of gateways) await ctx.wrk(url(g.port), { seconds: ctx.options.warmup, connections: 1, threads: 1 });
  const names = ['direct gRPC (grpcbench -c 1)', ...gateways.map((g) => g.name)];
  const samples = new Map(names.map((n) => [n, { p50: [] as number[], p99: [] as number[] }]));
  const rounds = ctx.options.rounds;
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      let r: { p50: number; p99: number };
      if (name.startsWith('direct')) r = await direct(ctx, seconds);
      else r = await ctx.wrk(url(gateways.find((g) => g.name === name)!.port), { seconds, connections: 1, threads: 1 });
      samples.get(name)!.p50.push(r.p50);
      samples.get(name)!.p99.push(r.p99);
      ctx.log(`  latency round ${round + 1}/${rounds}  ${name.padEnd(30)} p50 ${Math.round(r.p50)} µs  p99 ${Math.round(r.p99)} µs`);
    }
  }
  const d = samples.get(names[0])!;
  const added: LatencyResult['added'] = {};
  for (const g of gateways) {
    const s = samples.get(g.name)!;
    added[g.name] = { p50: median(s.p50.map((v, i) => v - d.p50[i])), p99: median(s.p99.map((v, i) => v - d.p99[i])) };
  }
  return {
    systems: Object.fromEntries([...samples].map(([n, s]) => [n, { ...s, p50s: summarize(s.p50), p99s: summarize(s.p99) }])),
    added,
  };
}
