/**
 * Issue #22, target 2: the echo route's scaling curve. For every gateway size N the machine
 * allows (powers of two up to half its CPUs: N = 1 on 2 CPUs; 1, 2, 4, 8 on 16), Prism
 * `serve --workers N` and Go grpc-gateway with GOMAXPROCS=N, each pinned to the same N CPUs;
 * the Go backend and wrk on the upper half of the CPUs for every N, so only the gateway's
 * share changes along the curve. Reports req/s per N, linearity against N = 1 and the ratio
 * to grpc-gateway at every N.
 */
import { alternate, warmUp, type LoadTarget, type SystemRuns } from './lib/alternate.js';
import { allowedCpus, checkLayoutPortsFree, cpuList, echoConfigFor, layout, LAYOUT_PORTS, loadShape, scalingSteps, startPinnedNode, startPinnedPeer, type CpuLayout } from './lib/cpu-layout.js';
import { http, type BenchContext } from './lib/context.js';
import { join } from 'node:path';
import { fmtInt, fmtPct, fmtRatio, median, pairedRatio, type PairedRatio } from './lib/stats.js';

export interface ScalingStep {
  readonly n: number;
  readonly layout: CpuLayout;
  readonly systems: Record<string, SystemRuns>;
  /** Prism / grpc-gateway req/s at this N, paired per round. */
  readonly vsGrpcGateway: PairedRatio;
}

export interface ScalingResult {
  readonly steps: ScalingStep[];
  readonly wrk: { threads: number; connections: number };
  /** Median req/s at N divided by N × the median at N = 1, per system. */
  readonly linearity: Record<string, Record<number, number>>;
}

const prismName = (n: number) => `prism serve --workers ${n}`;
const goName = (n: number) => `go grpc-gateway GOMAXPROCS=${n}`;

export async function runScaling(ctx: BenchContext): Promise<ScalingResult> {
  await checkLayoutPortsFree();
  const cpus = allowedCpus();
  const steps = scalingSteps(cpus.length);
  const largest = steps[steps.length - 1];
  const loadSide = layout(cpus, largest);
  const shape = loadShape(ctx, loadSide, largest);
  ctx.log(`\n== scaling: echo route, gateway on N CPUs for N = ${steps.join(', ')}; backend and wrk -t${shape.threads} -c${shape.connections} on CPU ${cpuList(loadSide.load)} ==`);
  await startPinnedPeer(ctx, 'server', loadSide.load, ['-addr', `127.0.0.1:${LAYOUT_PORTS.backend}`], LAYOUT_PORTS.backend);
  const config = echoConfigFor(ctx, LAYOUT_PORTS.backend);
  const backend = `127.0.0.1:${LAYOUT_PORTS.backend}`;
  const at = (port: number) => `http://127.0.0.1:${port}/v1/items/42`;

  const results: ScalingStep[] = [];
  for (const n of steps) {
    const l = layout(cpus, n, largest);
    // One pair of gateways at a time: the other sizes would compete for the same CPUs.
    const prism = await startPinnedNode(ctx, `scaling-prism-${n}`, l.gateway, [ctx.dist('src/cli.js'), 'serve', '--config', config, '--port', String(LAYOUT_PORTS.prism), '--data-dir', join(ctx.tmpDir, `scaling-data-${n}`), '--log-level', ctx.options.logLevel, '--workers', String(n)], LAYOUT_PORTS.prism);
    const go = await startPinnedPeer(ctx, 'gateway', l.gateway, ['-addr', `127.0.0.1:${LAYOUT_PORTS.goGateway}`, '-backend', backend], LAYOUT_PORTS.goGateway);
    try {
      const targets: LoadTarget[] = [
        { name: prismName(n), url: at(LAYOUT_PORTS.prism), pid: prism.child.pid, cpus: cpuList(l.load), ...shape },
        { name: goName(n), url: at(LAYOUT_PORTS.goGateway), pid: go.child.pid, cpus: cpuList(l.load), ...shape },
      ];
      const [a, b] = [await http('GET', targets[0].url), await http('GET', targets[1].url)];
      if (a.status !== 200 || JSON.stringify(JSON.parse(a.text)) !== JSON.stringify(JSON.parse(b.text))) throw new Error(`${targets[0].name} answered ${a.status} ${a.text}, grpc-gateway ${b.text}`);
      await warmUp(ctx, targets);
      const systems = await alternate(ctx, `scaling N=${n}`, targets, ctx.options.pairs);
      const rps = (name: string) => systems.get(name)!.runs.map((r) => r.okRps);
      results.push({ n, layout: l, systems: Object.fromEntries(systems), vsGrpcGateway: pairedRatio(rps(prismName(n)), rps(goName(n))) });
    } finally {
      await prism.stop();
      await go.stop();
    }
  }
  const linearity: ScalingResult['linearity'] = { prism: {}, 'grpc-gateway': {} };
  const base = results[0];
  for (const step of results) {
    linearity.prism[step.n] = step.systems[prismName(step.n)].okRps.median / (step.n * base.systems[prismName(1)].okRps.median);
    linearity['grpc-gateway'][step.n] = step.systems[goName(step.n)].okRps.median / (step.n * base.systems[goName(1)].okRps.median);
  }
  return { steps: results, wrk: shape, linearity };
}

/** The curve (printed by the run; kept in the results file as `scaling`). */
export function renderScaling(r: ScalingResult): string {
  const out = [`### Scaling across cores (echo route; backend and wrk -t${r.wrk.threads} -c${r.wrk.connections} on CPU ${cpuList(r.steps[0].layout.load)})`, ''];
  out.push('| N (gateway CPUs) | Prism req/s (median, spread) | Prism CPU µs/req | grpc-gateway req/s (median, spread) | grpc-gateway CPU µs/req | Prism / grpc-gateway (paired median, range) | goal ≥ 1.0× | Prism linearity vs N=1 (goal ≥ 0.85×) | grpc-gateway linearity |');
  out.push('| ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |');
  for (const s of r.steps) {
    const p = s.systems[prismName(s.n)];
    const g = s.systems[goName(s.n)];
    const v = s.vsGrpcGateway;
    const lin = r.linearity.prism[s.n];
    out.push(`| ${s.n} | ${fmtInt(p.okRps.median)} (${fmtPct(p.okRps.spreadPct)}) | ${fmtInt(median(p.cpuUsPerRequest))} | ${fmtInt(g.okRps.median)} (${fmtPct(g.okRps.spreadPct)}) | ${fmtInt(median(g.cpuUsPerRequest))} | ${fmtRatio(v.pairedMedian)} (${fmtRatio(v.pairedMin)}–${fmtRatio(v.pairedMax)}) | ${v.pairedMedian >= 1 ? 'met' : 'not met'} | ${s.n === 1 ? '1.00× (base)' : `${fmtRatio(lin)} ${lin >= 0.85 ? 'met' : 'not met'}`} | ${fmtRatio(r.linearity['grpc-gateway'][s.n])} |`);
  }
  if (r.steps.length === 1) out.push('', `Only N = 1 fits this machine (${r.steps[0].layout.gateway.length + r.steps[0].layout.load.length} CPUs: one for the gateway, the rest for the backend and wrk); the linearity goal needs a machine with 4 CPUs or more.`);
  return out.join('\n');
}
