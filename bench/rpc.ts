/**
 * Scenario `rpc` (issue #16): one unary call, gwpeer.v1.ItemService/GetItem on the Go gRPC
 * server of the grpc-gateway peer, measured four ways:
 *   REST      GET /v1/items/42, the echo scenario's route (bench/echo/frontend.yaml);
 *   gRPC-Web  POST /gwpeer.v1.ItemService/GetItem, application/grpc-web+proto, a prebuilt frame;
 *   Connect   POST /gwpeer.v1.ItemService/GetItem, application/json, {"id":"42"};
 *   REST POST POST /v1/get-item, {"id":"42"} (bench/rpc/frontend-post.yaml): a control, the REST
 *             mapping reading a request body as the RPC arms must;
 *   direct    the peer's grpcbench straight to the Go server (no gateway).
 * The gateway arms are one `prism serve` process (bench/rpc/gateway.yaml: the echo
 * namespace with grpcWeb on), loaded by the same wrk settings; the backend is the Go server
 * because it is not the bottleneck (the registry pattern's grpc-js server saturates first and
 * would hide what each protocol costs in the gateway). Every arm must first give the same
 * Item and the same NOT_FOUND (bench/rpc/check-answers.ts). Then the arms alternate, the order
 * rotated round by round; medians, spread, paired ratios; CPU of the gateway process per
 * request; and a CPU profile of the gateway under each HTTP arm.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cpuTimeUs } from './lib/alternate.js';
import { PORTS, type BenchContext } from './lib/context.js';
import { formatProfile, summarizeProfile, type ProfileSummary } from './lib/cpu-profile.js';
import { canConnect, type Started } from './lib/processes.js';
import { fmtInt, fmtPct, fmtRatio, fmtUs, median, pairedRatio, summarize, type PairedRatio, type Summary } from './lib/stats.js';
import { startEchoBackend } from './echo.js';
import { checkAnswers, type AnswerCheck } from './rpc/check-answers.js';
import { runGrpcbench } from './rpc/direct-grpc.js';
import { CONNECT, DIRECT, GRPC_WEB, httpArms, REST, REST_POST, wrkLua, type HttpArm } from './rpc/http-arms.js';
import { callsBetween, gcBetween, readGatewayMetrics } from './rpc/gateway-metrics.js';
import { loadEchoTypes } from './rpc/wire.js';

/** The gateway of this scenario (bench/rpc/gateway.yaml names the same admin port). */
export const RPC_PORT = PORTS.rpcGateway;
export const RPC_ADMIN_PORT = PORTS.rpcAdmin;

/** Above this share of failed requests in a run, its rate is not a rate of GetItem calls. */
const MAX_FAILED_SHARE = 0.001;

export interface ArmRuns {
  readonly name: string;
  /** Successful requests (calls) per second, one per round. */
  readonly rps: number[];
  readonly summary: Summary;
  /** µs, one per round. */
  readonly p50: number[];
  readonly p99: number[];
  readonly p50s: Summary;
  readonly p99s: Summary;
  /** CPU of the gateway process per request, µs (NaN for the direct arm: no gateway). */
  readonly cpuUsPerRequest: number[];
  readonly cpu: Summary;
  /** Garbage collection in the gateway per request, µs (prom-client's nodejs_gc_duration_seconds): scavenges, and major/incremental. */
  readonly minorGcUsPerRequest: number[];
  readonly otherGcUsPerRequest: number[];
  /** Completed requests per round, and the calls the gateway's metrics counted meanwhile. */
  readonly requests: number[];
  readonly countedCalls: number[];
}

export interface RpcResult {
  readonly check: AnswerCheck;
  readonly arms: Record<string, ArmRuns>;
  readonly ratios: Record<string, PairedRatio>;
  /** CPU profile of the gateway under each HTTP arm (one process, one window per arm). */
  readonly profile: Record<string, { rps: number; summary: ProfileSummary }>;
}

interface Measured {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuUs: number;
  /** Garbage collection in the gateway per request, µs: scavenges, and the other kinds. */
  readonly minorGcUs: number;
  readonly otherGcUs: number;
  readonly requests: number;
  readonly countedCalls: number;
}

export async function runRpc(ctx: BenchContext): Promise<RpcResult> {
  ctx.log('\n== rpc: gwpeer.v1.ItemService/GetItem through REST, gRPC-Web and Connect (one prism serve) vs direct gRPC ==');
  for (const port of [RPC_PORT, RPC_ADMIN_PORT]) if (await canConnect('127.0.0.1', port)) throw new Error(`port ${port} is in use (another benchmark running?)`);
  await startEchoBackend(ctx);
  const directTarget = `127.0.0.1:${PORTS.goServer}`;
  const baseUrl = `http://127.0.0.1:${RPC_PORT}`;
  const metricsUrl = `http://127.0.0.1:${RPC_ADMIN_PORT}/metrics`;
  const types = loadEchoTypes(ctx.benchDir);
  const arms = httpArms(types);

  let gateway = await startGateway(ctx, 'prism-rpc');
  const check = await checkAnswers(baseUrl, directTarget, types);
  ctx.log(`  every arm answers ${JSON.stringify(check.item)}`);
  for (const [arm, wire] of Object.entries(check.wire)) ctx.log(`    ${arm.padEnd(36)} ${wire}; NOT_FOUND: ${check.notFound[arm]}`);

  const connections = ctx.options.connections;
  const measure = async (name: string, seconds: number): Promise<Measured> => {
    if (name === DIRECT) {
      const r = await runGrpcbench(ctx.peerBin, directTarget, connections, seconds);
      if (r.errors > r.calls * MAX_FAILED_SHARE) throw new Error(`${DIRECT}: ${r.errors} failed calls of ${r.calls + r.errors}`);
      return { rps: r.rps, p50: r.p50, p99: r.p99, cpuUs: NaN, minorGcUs: NaN, otherGcUs: NaN, requests: r.calls, countedCalls: NaN };
    }
    const arm = arms.find((a) => a.name === name)!;
    const before = await readGatewayMetrics(metricsUrl);
    const cpuBefore = cpuTimeUs(gateway.child.pid!);
    const r = await ctx.wrk(baseUrl + arm.path, { seconds, lua: wrkLua(arm) });
    const cpuUs = (cpuTimeUs(gateway.child.pid!) - cpuBefore) / r.requests;
    const after = await readGatewayMetrics(metricsUrl);
    const { calls, failed } = callsBetween(before, after);
    const gc = gcBetween(before, after);
    // A failed gRPC-Web call is an HTTP 200 to wrk: the gateway's count of non-OK calls is what
    // shows it. wrk ends a run by closing its connections with a request in flight on each, which
    // the gateway counts as CANCELLED: up to one per connection is the run's end, not a failure.
    const cancelled = failed.get('CANCELLED') ?? 0;
    failed.delete('CANCELLED');
    const failedCalls = [...failed.values()].reduce((a, b) => a + b, 0) + Math.max(0, cancelled - connections);
    const bad = r.non2xx + r.socketErrors + failedCalls;
    if (bad > r.requests * MAX_FAILED_SHARE) {
      throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.socketErrors} socket errors, non-OK calls ${JSON.stringify({ ...Object.fromEntries(failed), CANCELLED: cancelled })} in ${r.requests} requests`);
    }
    return { rps: r.okRps, p50: r.p50, p99: r.p99, cpuUs, minorGcUs: (gc.minor * 1e6) / r.requests, otherGcUs: (gc.other * 1e6) / r.requests, requests: r.requests, countedCalls: calls };
  };

  const names = [REST, GRPC_WEB, CONNECT, REST_POST, DIRECT];
  for (const name of names) await measure(name, ctx.options.warmup);
  const runs = new Map<string, Measured[]>(names.map((n) => [n, []]));
  const rounds = ctx.options.pairs;
  for (let round = 0; round < rounds; round++) {
    for (const name of names.map((_, i) => names[(i + round) % names.length])) {
      const m = await measure(name, ctx.options.duration);
      runs.get(name)!.push(m);
      const cpu = Number.isFinite(m.cpuUs) ? `  cpu ${Math.round(m.cpuUs).toString().padStart(4)} µs/req  gc ${m.minorGcUs.toFixed(1)} + ${m.otherGcUs.toFixed(1)} µs/req  counted calls ${fmtInt(m.countedCalls)}` : '';
      ctx.log(`  rpc round ${round + 1}/${rounds}  ${name.padEnd(36)} ${fmtInt(m.rps).padStart(7)} req/s  p50 ${fmtUs(m.p50).padStart(9)}  p99 ${fmtUs(m.p99).padStart(9)}${cpu}`);
    }
  }
  await gateway.stop();

  const result: Record<string, ArmRuns> = {};
  for (const name of names) {
    const list = runs.get(name)!;
    const pick = (f: (m: Measured) => number) => list.map(f);
    result[name] = {
      name,
      rps: pick((m) => m.rps),
      summary: summarize(pick((m) => m.rps)),
      p50: pick((m) => m.p50),
      p99: pick((m) => m.p99),
      p50s: summarize(pick((m) => m.p50)),
      p99s: summarize(pick((m) => m.p99)),
      cpuUsPerRequest: pick((m) => m.cpuUs),
      cpu: summarize(pick((m) => m.cpuUs)),
      minorGcUsPerRequest: pick((m) => m.minorGcUs),
      otherGcUsPerRequest: pick((m) => m.otherGcUs),
      requests: pick((m) => m.requests),
      countedCalls: pick((m) => m.countedCalls),
    };
  }
  const rps = (name: string) => result[name].rps;
  // Inverted so that > 1 means "cheaper than REST": robust to other work on the machine.
  const perCpu = (name: string) => result[name].cpuUsPerRequest.map((us) => 1 / us);
  const ratios: Record<string, PairedRatio> = {
    'gRPC-Web / REST': pairedRatio(rps(GRPC_WEB), rps(REST)),
    'Connect JSON / REST': pairedRatio(rps(CONNECT), rps(REST)),
    'requests per CPU-second of the gateway: gRPC-Web / REST': pairedRatio(perCpu(GRPC_WEB), perCpu(REST)),
    'requests per CPU-second of the gateway: Connect JSON / REST': pairedRatio(perCpu(CONNECT), perCpu(REST)),
    'gRPC-Web / REST POST': pairedRatio(rps(GRPC_WEB), rps(REST_POST)),
    'Connect JSON / REST POST': pairedRatio(rps(CONNECT), rps(REST_POST)),
    'REST POST / REST': pairedRatio(rps(REST_POST), rps(REST)),
    'requests per CPU-second of the gateway: gRPC-Web / REST POST': pairedRatio(perCpu(GRPC_WEB), perCpu(REST_POST)),
    'requests per CPU-second of the gateway: Connect JSON / REST POST': pairedRatio(perCpu(CONNECT), perCpu(REST_POST)),
    'gRPC-Web / direct gRPC': pairedRatio(rps(GRPC_WEB), rps(DIRECT)),
    'Connect JSON / direct gRPC': pairedRatio(rps(CONNECT), rps(DIRECT)),
    'REST / direct gRPC': pairedRatio(rps(REST), rps(DIRECT)),
  };

  // Where the time goes per arm: one gateway under --cpu-prof, each arm in its own window.
  const dir = join(ctx.tmpDir, 'profiles', 'rpc');
  mkdirSync(dir, { recursive: true });
  gateway = await startGateway(ctx, 'prism-rpc-profiled', ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  const windows: { arm: HttpArm; fromUs: number; toUs: number; rps: number }[] = [];
  for (const arm of arms) await ctx.wrk(baseUrl + arm.path, { seconds: ctx.options.warmup, lua: wrkLua(arm) });
  for (const arm of arms) {
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const r = await ctx.wrk(baseUrl + arm.path, { lua: wrkLua(arm) });
    windows.push({ arm, fromUs, toUs: Number(process.hrtime.bigint() / 1000n), rps: r.okRps });
  }
  await gateway.stop();
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread.
  const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && f.split('.')[4] === '0').map((f) => join(dir, f)).pop();
  if (!file) throw new Error(`no main-thread .cpuprofile written in ${dir}`);
  const profile: RpcResult['profile'] = {};
  for (const w of windows) {
    const summary = summarizeProfile(file, 25, { fromUs: w.fromUs, toUs: w.toUs });
    profile[w.arm.name] = { rps: w.rps, summary };
    ctx.log(`  profile, ${w.arm.name}: ${fmtInt(w.rps)} req/s while profiled\n` + formatProfile(summary, 12).replace(/^/gm, '    '));
  }
  return { check, arms: result, ratios, profile };
}

function startGateway(ctx: BenchContext, name: string, nodeFlags: readonly string[] = []): Promise<Started> {
  const args = [ctx.dist('src/cli.js'), 'serve', '--config', join(ctx.benchDir, 'rpc', 'gateway.yaml'), '--port', String(RPC_PORT), '--data-dir', join(ctx.tmpDir, 'rpc-data'), '--log-level', ctx.options.logLevel];
  return ctx.node(name, args, RPC_PORT, {}, nodeFlags);
}

/** The markdown section of the scenario. */
export function renderRpc(r: RpcResult): string[] {
  const out: string[] = [];
  out.push('', '### gRPC-Web and Connect vs REST vs direct gRPC (GetItem on the Go gRPC server; one `prism serve`, wrk -t2 -c64; direct: grpcbench -c 64)', '');
  out.push('"REST" is the GET route; "REST POST" the same call with the message as a JSON body (a control: gRPC-Web and Connect calls are POSTs whose body is read before the backend call).', '');
  out.push(`Every arm answered ${'`'}${JSON.stringify(r.check.item)}${'`'} (decoded from its own wire format) and NOT_FOUND for id \`missing\` (${Object.entries(r.check.notFound).map(([a, n]) => `${a}: ${n}`).join('; ')}).`, '');
  out.push('| arm | calls/s (median) | spread (min–max) | p50 | p99 | gateway CPU µs/call (median, min–max) | GC pauses µs/call: scavenge + other (median) | gateway-counted calls / requests | runs |', '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const a of Object.values(r.arms)) {
    const cpu = Number.isFinite(a.cpu.median) ? `${fmtInt(a.cpu.median)} (${fmtInt(a.cpu.min)}–${fmtInt(a.cpu.max)})` : '–';
    const calls = a.countedCalls.every(Number.isFinite) ? `${(a.countedCalls.reduce((x, y) => x + y, 0) / a.requests.reduce((x, y) => x + y, 0)).toFixed(3)}` : '–';
    const gc = Number.isFinite(median(a.minorGcUsPerRequest)) ? `${median(a.minorGcUsPerRequest).toFixed(1)} + ${median(a.otherGcUsPerRequest).toFixed(1)}` : '–';
    out.push(`| ${a.name} | ${fmtInt(a.summary.median)} | ${fmtInt(a.summary.min)}–${fmtInt(a.summary.max)} (${fmtPct(a.summary.spreadPct)}) | ${fmtUs(a.p50s.median)} | ${fmtUs(a.p99s.median)} | ${cpu} | ${gc} | ${calls} | ${a.summary.n} |`);
  }
  out.push('', '| ratio | of medians | paired median (range over rounds) | goal | verdict |', '| --- | ---: | --- | --- | --- |');
  for (const [label, ratio] of Object.entries(r.ratios)) {
    // The issue's goal: the gRPC-Web (and Connect) hop costs no more than the REST mapping does.
    const goal = /^(requests per CPU-second of the gateway: )?(gRPC-Web|Connect JSON) \/ REST$/.test(label) ? 1 : undefined;
    const verdict = goal === undefined ? '' : ratio.pairedMedian >= goal ? 'met' : `not met (${(ratio.pairedMedian * 100).toFixed(0)}%)`;
    out.push(`| ${label} | ${fmtRatio(ratio.ofMedians)} | ${fmtRatio(ratio.pairedMedian)} (${fmtRatio(ratio.pairedMin)}–${fmtRatio(ratio.pairedMax)}) | ${goal === undefined ? '' : `≥ ${goal}×`} | ${verdict} |`);
  }
  const armsProfiled = Object.keys(r.profile);
  if (armsProfiled.length > 0) {
    const components = [...new Set(armsProfiled.flatMap((a) => r.profile[a].summary.components.slice(0, 10).map((c) => c.name)))];
    out.push('', '**Gateway CPU profile per arm** (self time, % of busy samples; one process under `--cpu-prof`, each arm in its own window)', '');
    out.push(`| component | ${armsProfiled.join(' | ')} |`, `| --- | ${armsProfiled.map(() => '---:').join(' | ')} |`);
    for (const c of components) out.push(`| ${c} | ${armsProfiled.map((a) => r.profile[a].summary.components.find((x) => x.name === c)?.pct.toFixed(1) ?? '–').join(' | ')} |`);
    out.push(`| calls/s while profiled | ${armsProfiled.map((a) => fmtInt(r.profile[a].rps)).join(' | ')} |`);
  }
  return out;
}
