/**
 * Issue #22, target 1: the echo route with every gateway pinned to ONE CPU (`taskset -c`), the
 * Go gRPC backend and wrk on the other CPUs, the same layout for every system: Prism `serve`
 * as shipped, Go grpc-gateway (GOMAXPROCS=1) and raw fastify (the HTTP limit on that core).
 * On a 2-CPU machine: the gateway on CPU 0, everything else on CPU 1.
 * Target 7 rides along (bench/pinned-auth.ts): the same Prism gateway with `auth`, loaded with
 * a Basic header and with a Bearer JWT, against Prism without auth.
 */
import { join } from 'node:path';
import { alternate, warmUp, type LoadTarget, type SystemRuns } from './lib/alternate.js';
import { checkLayoutPortsFree, allowedCpus, echoConfigFor, cpuList, layout, LAYOUT_PORTS, loadShape, startPinnedNode, startPinnedPeer, type CpuLayout } from './lib/cpu-layout.js';
import type { BenchContext } from './lib/context.js';
import { authLua, writeAuthConfig } from './pinned-auth.js';
import { fmtInt, fmtPct, fmtRatio, fmtUs, pairedRatio, type PairedRatio } from './lib/stats.js';

export interface PinnedResult {
  readonly layout: CpuLayout;
  readonly wrk: { threads: number; connections: number };
  readonly systems: Record<string, SystemRuns>;
  readonly ratios: Record<string, PairedRatio>;
}

export const PINNED_PRISM = 'prism serve, 1 CPU';
export const PINNED_GO = 'go grpc-gateway, 1 CPU';
export const PINNED_RAW = 'raw fastify, 1 CPU';
export const PINNED_BASIC = 'prism serve + basic auth, 1 CPU';
export const PINNED_BEARER = 'prism serve + bearer auth, 1 CPU';

const ECHO = '/v1/items/42';

export async function runPinned(ctx: BenchContext): Promise<PinnedResult> {
  await checkLayoutPortsFree();
  const l = layout(allowedCpus(), 1);
  const shape = loadShape(ctx, l, 1);
  ctx.log(`\n== pinned: echo route, each gateway on CPU ${cpuList(l.gateway)}; backend and wrk -t${shape.threads} -c${shape.connections} on CPU ${cpuList(l.load)} ==`);
  const level = ctx.options.logLevel;
  await startPinnedPeer(ctx, 'server', l.load, ['-addr', `127.0.0.1:${LAYOUT_PORTS.backend}`], LAYOUT_PORTS.backend);
  const config = echoConfigFor(ctx, LAYOUT_PORTS.backend);
  const backend = `127.0.0.1:${LAYOUT_PORTS.backend}`;
  const prism = await startPinnedNode(ctx, 'pinned-prism', l.gateway, [ctx.dist('src/cli.js'), 'serve', '--config', config, '--port', String(LAYOUT_PORTS.prism), '--data-dir', join(ctx.tmpDir, 'pinned-data'), '--log-level', level], LAYOUT_PORTS.prism);
  const go = await startPinnedPeer(ctx, 'gateway', l.gateway, ['-addr', `127.0.0.1:${LAYOUT_PORTS.goGateway}`, '-backend', backend], LAYOUT_PORTS.goGateway);
  const auth = await writeAuthConfig(ctx, config);
  const prismAuth = await startPinnedNode(ctx, 'pinned-prism-auth', l.gateway, [ctx.dist('src/cli.js'), 'serve', '--config', auth.config, '--port', String(LAYOUT_PORTS.prismAuth), '--data-dir', join(ctx.tmpDir, 'pinned-auth-data'), '--log-level', level], LAYOUT_PORTS.prismAuth);
  const raw = await startPinnedNode(ctx, 'pinned-raw-fastify', l.gateway, ['--import', 'tsx', 'bench/systems/raw-fastify.ts'], LAYOUT_PORTS.rawFastify, { PORT: String(LAYOUT_PORTS.rawFastify), LOG_LEVEL: level });

  const cpus = cpuList(l.load);
  const at = (port: number) => `http://127.0.0.1:${port}${ECHO}`;
  const targets: LoadTarget[] = [
    { name: PINNED_PRISM, url: at(LAYOUT_PORTS.prism), pid: prism.child.pid, cpus, ...shape },
    { name: PINNED_GO, url: at(LAYOUT_PORTS.goGateway), pid: go.child.pid, cpus, ...shape },
    { name: PINNED_RAW, url: at(LAYOUT_PORTS.rawFastify), pid: raw.child.pid, cpus, ...shape },
    { name: PINNED_BASIC, url: at(LAYOUT_PORTS.prismAuth), pid: prismAuth.child.pid, cpus, lua: authLua(auth.basicHeader), ...shape },
    { name: PINNED_BEARER, url: at(LAYOUT_PORTS.prismAuth), pid: prismAuth.child.pid, cpus, lua: authLua(auth.bearerHeader), ...shape },
  ];
  await sameAnswer(targets, { [PINNED_BASIC]: auth.basicHeader, [PINNED_BEARER]: auth.bearerHeader });
  // The auth gateway must refuse a request without credentials, or the arm measures nothing.
  const anonymous = await fetch(at(LAYOUT_PORTS.prismAuth));
  await anonymous.arrayBuffer();
  if (anonymous.status !== 401) throw new Error(`the auth gateway answered ${anonymous.status} without credentials, expected 401`);
  await warmUp(ctx, targets);
  const systems = await alternate(ctx, 'pinned', targets, ctx.options.pairs);
  const rps = (name: string) => systems.get(name)!.runs.map((r) => r.okRps);
  const cpuUs = (name: string) => systems.get(name)!.cpuUsPerRequest;
  const ratios: Record<string, PairedRatio> = {
    'req/s: prism / grpc-gateway': pairedRatio(rps(PINNED_PRISM), rps(PINNED_GO)),
    'CPU µs per request: prism / grpc-gateway': pairedRatio(cpuUs(PINNED_PRISM), cpuUs(PINNED_GO)),
    'req/s: prism / raw fastify': pairedRatio(rps(PINNED_PRISM), rps(PINNED_RAW)),
    'CPU µs per request: prism / raw fastify': pairedRatio(cpuUs(PINNED_PRISM), cpuUs(PINNED_RAW)),
    'req/s: prism basic auth / prism': pairedRatio(rps(PINNED_BASIC), rps(PINNED_PRISM)),
    'req/s: prism bearer auth / prism': pairedRatio(rps(PINNED_BEARER), rps(PINNED_PRISM)),
    'CPU µs per request: prism basic auth / prism': pairedRatio(cpuUs(PINNED_BASIC), cpuUs(PINNED_PRISM)),
    'CPU µs per request: prism bearer auth / prism': pairedRatio(cpuUs(PINNED_BEARER), cpuUs(PINNED_PRISM)),
  };
  return { layout: l, wrk: shape, systems: Object.fromEntries(systems), ratios };
}

/**
 * The echo config names the usual backend port; the pinned backend listens elsewhere, so the
 * check that every system answers the same body also proves Prism reached the pinned backend.
 */
async function sameAnswer(targets: readonly LoadTarget[], authorization: Record<string, string>): Promise<void> {
  const get = async (t: LoadTarget) => {
    const header = authorization[t.name];
    const res = await fetch(t.url, { headers: header === undefined ? {} : { authorization: header } });
    return { status: res.status, text: await res.text() };
  };
  const expected = (await get(targets[1])).text.trim();
  for (const t of targets) {
    const got = await get(t);
    if (got.status !== 200 || JSON.stringify(JSON.parse(got.text)) !== JSON.stringify(JSON.parse(expected))) {
      throw new Error(`${t.name} answered ${got.status} ${got.text}, grpc-gateway answered ${expected}`);
    }
  }
}

/** The scenario's tables (printed by the run; kept in the results file as `pinned`). */
export function renderPinned(r: PinnedResult): string {
  const out = [`### Echo route, one CPU each (gateway on CPU ${cpuList(r.layout.gateway)}, backend and wrk -t${r.wrk.threads} -c${r.wrk.connections} on CPU ${cpuList(r.layout.load)})`, ''];
  // Busy share of the gateway's CPU (req/s × CPU per request): well under 100% means the
  // gateway was not the limit (the load side or other work on its CPU was).
  out.push('| system | req/s (median) | spread (min–max) | p50 | p99 | CPU µs/request (median, min–max) | gateway CPU busy | runs |', '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const s of Object.values(r.systems)) {
    out.push(`| ${s.name} | ${fmtInt(s.okRps.median)} | ${fmtInt(s.okRps.min)}–${fmtInt(s.okRps.max)} (${fmtPct(s.okRps.spreadPct)}) | ${fmtUs(s.p50.median)} | ${fmtUs(s.p99.median)} | ${fmtInt(s.cpu.median)} (${fmtInt(s.cpu.min)}–${fmtInt(s.cpu.max)}) | ${Math.round((s.okRps.median * s.cpu.median) / 1e4)}% | ${s.okRps.n} |`);
  }
  const goals: Record<string, string> = { 'req/s: prism / grpc-gateway': '≥ 1.3×', 'CPU µs per request: prism / grpc-gateway': '≤ 0.8×', 'req/s: prism / raw fastify': '≥ 0.75×', 'req/s: prism basic auth / prism': '≥ 0.9×', 'req/s: prism bearer auth / prism': '≥ 0.9×' };
  out.push('', '| ratio | of medians | paired median (range) | goal | verdict |', '| --- | ---: | --- | --- | --- |');
  for (const [label, ratio] of Object.entries(r.ratios)) {
    const goal = goals[label] ?? '';
    const target = Number(goal.slice(2, -1));
    const met = goal.startsWith('≥') ? ratio.pairedMedian >= target : ratio.pairedMedian <= target;
    out.push(`| ${label} | ${fmtRatio(ratio.ofMedians)} | ${fmtRatio(ratio.pairedMedian)} (${fmtRatio(ratio.pairedMin)}–${fmtRatio(ratio.pairedMax)}) | ${goal} | ${goal === '' ? '' : met ? 'met' : 'not met'} |`);
  }
  return out.join('\n');
}
