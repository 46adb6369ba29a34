/**
 * Turns a run's results into the markdown tables printed at the end of `npm run bench` and
 * written between the markers of BENCHMARKS.md.
 */
import { cpus, loadavg, release, totalmem } from 'node:os';
import type { ConfluentResult } from './confluent.js';
import type { EchoResult } from './echo.js';
import type { LatencyResult } from './latency.js';
import type { PostgresResult } from './postgres.js';
import type { ProfileResult } from './profile.js';
import type { RouteScaleResult } from './route-scale.js';
import { renderKeyValue, type KeyValueResult } from './keyvalue.js';
import { renderRpc, type RpcResult } from './rpc.js';
import { renderStreams, type StreamsResult } from './streams.js';
import type { SystemRuns } from './lib/alternate.js';
import { fmtInt, fmtPct, fmtRatio, fmtUs, type PairedRatio } from './lib/stats.js';

export interface RunResults {
  readonly date: string;
  readonly command: string;
  readonly machine: Machine;
  readonly options: Record<string, unknown>;
  readonly loadAverage: { start: number[]; end?: number[] };
  echo?: EchoResult;
  confluent?: ConfluentResult;
  latency?: LatencyResult;
  routeScale?: RouteScaleResult;
  profile?: ProfileResult;
  postgres?: PostgresResult;
  streams?: StreamsResult;
  rpc?: RpcResult;
  keyvalue?: KeyValueResult;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
}

export function machine(): Machine {
  const list = cpus();
  return { cpu: list[0]?.model ?? 'unknown', cores: list.length, memoryGiB: Math.round(totalmem() / 2 ** 30), kernel: release(), node: process.version };
}

export const currentLoad = () => loadavg().map((v) => Math.round(v * 100) / 100);

function systemsTable(systems: Record<string, SystemRuns>): string[] {
  const rows = ['| system | req/s (median) | spread (min–max) | p50 | p99 | CPU µs/request (median, min–max) | runs |', '| --- | ---: | --- | ---: | ---: | ---: | ---: |'];
  for (const s of Object.values(systems)) {
    const cpu = s.cpu && Number.isFinite(s.cpu.median) ? `${fmtInt(s.cpu.median)} (${fmtInt(s.cpu.min)}–${fmtInt(s.cpu.max)})` : '–';
    rows.push(`| ${s.name} | ${fmtInt(s.okRps.median)} | ${fmtInt(s.okRps.min)}–${fmtInt(s.okRps.max)} (${fmtPct(s.okRps.spreadPct)}) | ${fmtUs(s.p50.median)} | ${fmtUs(s.p99.median)} | ${cpu} | ${s.okRps.n} |`);
  }
  return rows;
}

function ratioRow(label: string, r: PairedRatio | undefined, target?: number): string {
  if (!r) return `| ${label} | – | – | ${target === undefined ? '' : `≥ ${target}×`} | not measured |`;
  const verdict = target === undefined ? '' : r.pairedMedian >= target ? 'met' : `not met (${((r.pairedMedian / target) * 100).toFixed(0)}% of target)`;
  return `| ${label} | ${fmtRatio(r.ofMedians)} | ${fmtRatio(r.pairedMedian)} (${fmtRatio(r.pairedMin)}–${fmtRatio(r.pairedMax)}) | ${target === undefined ? '' : `≥ ${target}×`} | ${verdict} |`;
}

export function renderMarkdown(r: RunResults): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`Run ${r.date} on ${m.cores} × ${m.cpu}, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}.`);
  out.push(`\`prism serve\` in this build uses the ${String(r.options.serveUpstream)} upstream; the "grpc-js upstream" and "http2 upstream" rows are the same gateway assembled by bench/systems/prism-variant.ts with that client, so they differ in nothing else.`);
  out.push(`Command: \`${r.command}\`; ${JSON.stringify(r.options)}.`);
  out.push(`Load average at start ${r.loadAverage.start.join(' / ')}, at end ${(r.loadAverage.end ?? []).join(' / ')} (other work shared the machine; every comparison below is side by side in this run).`);
  out.push('');
  out.push('### Targets of issue #7');
  out.push('');
  out.push('| target | ratio of medians | paired ratio: median (range over rounds) | goal | verdict |');
  out.push('| --- | ---: | --- | --- | --- |');
  out.push(ratioRow('echo req/s: Prism `serve` (shipped default) / Go grpc-gateway', r.echo?.ratios['prism serve / grpc-gateway'], 1.0));
  out.push(ratioRow('echo req/s: Prism `serve --workers 2` / Go grpc-gateway', r.echo?.ratios['prism serve --workers 2 / grpc-gateway'], 1.0));
  out.push(ratioRow('echo req/s: Prism, grpc-js upstream / Go grpc-gateway', r.echo?.ratios['prism grpc-js / grpc-gateway'], 1.0));
  out.push(ratioRow('echo req/s: Prism, http2 upstream / Go grpc-gateway', r.echo?.ratios['prism http2 / grpc-gateway'], 1.0));
  out.push(ratioRow('echo requests per CPU-second of the gateway process: Prism `serve` / grpc-gateway', r.echo?.ratios['CPU efficiency (requests per CPU-second): prism serve / grpc-gateway'], 1.0));
  out.push(ratioRow('echo requests per CPU-second: Prism, http2 upstream / grpc-gateway', r.echo?.ratios['CPU efficiency: prism http2 / grpc-gateway'], 1.0));
  out.push(ratioRow('GET /schemas/ids: Prism, grpc-js upstream / hand-written, no cache', r.confluent?.ratios['ids: prism / hand-written'], 3.0));
  out.push(ratioRow('GET /schemas/ids: Prism (http2 upstream) / hand-written, no cache', r.confluent?.ratios['ids: prism http2 / hand-written'], 3.0));
  out.push(ratioRow('GET /schemas/ids requests per CPU-second: Prism, grpc-js upstream / hand-written', r.confluent?.ratios['ids, CPU efficiency of the HTTP→gRPC process: prism / hand-written'], 3.0));
  out.push(ratioRow('GET /schemas/ids requests per CPU-second: Prism, http2 upstream / hand-written', r.confluent?.ratios['ids, CPU efficiency: prism http2 / hand-written'], 3.0));
  if (r.confluent?.shippedCache) {
    out.push(ratioRow('GET /schemas/ids: Prism `serve` with the shipped response cache / raw fastify', r.confluent.ratios['ids: prism serve / raw fastify'], 0.7));
    out.push(ratioRow('GET /schemas/ids: Prism `serve --workers 2` with the shipped response cache / raw fastify', r.confluent.ratios['ids: prism serve --workers 2 / raw fastify'], 0.7));
  }
  else out.push(`| GET /schemas/ids with the immutable cache / raw fastify | – | – | ≥ 0.7× | not measurable: the shipped frontend declares no response cache (without it: ${fmtRatio(r.confluent?.ratios['ids: prism / raw fastify']?.pairedMedian ?? NaN)}) |`);
  if (r.latency) {
    const p = r.latency.added['prism (grpc-js upstream)'];
    const h = r.latency.added['prism (http2 upstream)'];
    const g = r.latency.added['go grpc-gateway'];
    out.push(`| added p50 at one connection: Prism, grpc-js upstream vs grpc-gateway | ${fmtUs(p.p50)} vs ${fmtUs(g.p50)} | | ≤ grpc-gateway's | ${p.p50 <= g.p50 ? 'met' : `not met (+${fmtUs(p.p50 - g.p50)})`} |`);
    out.push(`| added p50 at one connection: Prism, http2 upstream vs grpc-gateway | ${fmtUs(h.p50)} vs ${fmtUs(g.p50)} | | ≤ grpc-gateway's | ${h.p50 <= g.p50 ? 'met' : `not met (+${fmtUs(h.p50 - g.p50)})`} |`);
  }
  if (r.routeScale) {
    const s = r.routeScale;
    out.push(`| route match cost: 10,000 routes / 10 routes | ${fmtRatio(s.matchRatio)} | ${fmt(s.sizes['10000'].matchNs)} ns vs ${fmt(s.sizes['10'].matchNs)} ns | ≤ 1.2× | ${s.matchRatio <= 1.2 ? 'met' : 'not met'} |`);
    out.push(`| compile 1,000 routes | ${fmt(s.compile1000Ms)} ms | | < 1,000 ms | ${s.compile1000Ms < 1000 ? 'met' : 'not met'} |`);
  }
  if (r.confluent) {
    const reg = r.confluent.registration['prism (http2 upstream)'] ?? r.confluent.registration['prism (grpc-js upstream)'];
    out.push(`| new-version registration, durable SQLite (WAL, synchronous=NORMAL) | ${fmtInt(reg.summary.median)}/s | ${fmtInt(reg.summary.min)}–${fmtInt(reg.summary.max)}/s | ≥ 1,000/s | ${reg.summary.median >= 1000 ? 'met' : `not met (${((reg.summary.median / 1000) * 100).toFixed(0)}%)`} |`);
  }
  if (r.echo) {
    out.push('', '### 1. Echo route `GET /v1/items/{id}` (wrk -t2 -c64, Go gRPC server behind every gateway)', '');
    out.push(...systemsTable(r.echo.systems));
    out.push('', '| ratio (req/s) | of medians | paired median (range) |', '| --- | ---: | --- |');
    for (const [label, ratio] of Object.entries(r.echo.ratios)) out.push(`| ${label} | ${fmtRatio(ratio.ofMedians)} | ${fmtRatio(ratio.pairedMedian)} (${fmtRatio(ratio.pairedMin)}–${fmtRatio(ratio.pairedMax)}) |`);
  }
  if (r.confluent) {
    out.push('', `### 2. Confluent API, full stack (gateway → prism-registry → SQLite; schema id ${r.confluent.schemaId})`, '');
    for (const [route, systems] of Object.entries(r.confluent.routes)) {
      out.push(`**${route}**`, '', ...systemsTable(systems), '');
    }
    out.push('| ratio (req/s) | of medians | paired median (range) |', '| --- | ---: | --- |');
    for (const [label, ratio] of Object.entries(r.confluent.ratios)) out.push(`| ${label} | ${fmtRatio(ratio.ofMedians)} | ${fmtRatio(ratio.pairedMedian)} (${fmtRatio(ratio.pairedMin)}–${fmtRatio(ratio.pairedMax)}) |`);
    out.push('', '**New-version registration** (distinct AVRO schemas, compatibility NONE, a fresh subject per run; counted from the stored version list)', '');
    out.push('| system | versions/s (median) | spread (min–max) | runs |', '| --- | ---: | --- | ---: |');
    for (const [name, reg] of Object.entries(r.confluent.registration)) out.push(`| ${name} | ${fmtInt(reg.summary.median)} | ${fmtInt(reg.summary.min)}–${fmtInt(reg.summary.max)} | ${reg.summary.n} |`);
  }
  if (r.latency) {
    out.push('', '### 3. Latency at one connection (wrk -t1 -c1 through a gateway; grpcbench -c 1 direct)', '');
    out.push('| path | p50 (median) | p99 (median) | added p50 | added p99 | rounds |', '| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const [name, s] of Object.entries(r.latency.systems)) {
      const a = r.latency.added[name];
      out.push(`| ${name} | ${fmtUs(s.p50s.median)} | ${fmtUs(s.p99s.median)} | ${a ? fmtUs(a.p50) : '–'} | ${a ? fmtUs(a.p99) : '–'} | ${s.p50s.n} |`);
    }
  }
  if (r.routeScale) {
    out.push('', '### 4. Route table scale (in-process; generated routes on the fixture proto)', '');
    out.push('| routes | compile | match (median of 7 × 300k lookups) | heap retained | per route |', '| ---: | ---: | ---: | ---: | ---: |');
    for (const [n, s] of Object.entries(r.routeScale.sizes)) {
      out.push(`| ${Number(n).toLocaleString('en-US')} | ${fmt(s.compileMs)} ms | ${fmt(s.matchNs)} ns | ${(s.heapBytes / 2 ** 20).toFixed(1)} MiB | ${fmtInt(s.heapPerRouteBytes)} B |`);
    }
    out.push('', `Compile of 1,000 routes, median of 5 after warm-up: ${fmt(r.routeScale.compile1000Ms)} ms.`);
  }
  if (r.profile) {
    out.push('', '### CPU profile under the echo load (self time, % of busy samples)', '');
    const names = Object.keys(r.profile.variants);
    out.push(`| component | ${names.join(' | ')} |`, `| --- | ${names.map(() => '---:').join(' | ')} |`);
    const comps = new Set<string>();
    for (const v of Object.values(r.profile.variants)) for (const c of v.summary.components.slice(0, 12)) comps.add(c.name);
    for (const c of comps) out.push(`| ${c} | ${names.map((n) => r.profile!.variants[n].summary.components.find((x) => x.name === c)?.pct.toFixed(1) ?? '–').join(' | ')} |`);
    out.push('', `| inclusive group | ${names.join(' | ')} |`, `| --- | ${names.map(() => '---:').join(' | ')} |`);
    const groups = new Set<string>();
    for (const v of Object.values(r.profile.variants)) for (const g of v.summary.inclusive) groups.add(g.name);
    for (const g of groups) out.push(`| ${g} | ${names.map((n) => r.profile!.variants[n].summary.inclusive.find((x) => x.name === g)?.pct.toFixed(1) ?? '–').join(' | ')} |`);
  }
  if (r.postgres) {
    const p = r.postgres;
    out.push('', `### Scale-out: ${p.replicas} registry replicas on one PostgreSQL, a gateway in front of each (loaded together)`, '');
    out.push('| measure | median | spread (min–max) | rounds |', '| --- | ---: | --- | ---: |');
    out.push(`| GET /schemas/ids/{id} (no response cache), req/s through both gateways | ${fmtInt(p.reads.summary.median)} | ${fmtInt(p.reads.summary.min)}–${fmtInt(p.reads.summary.max)} | ${p.reads.summary.n} |`);
    out.push(`| new versions of one subject registered through both, stored per second | ${fmtInt(p.registration.summary.median)} | ${fmtInt(p.registration.summary.min)}–${fmtInt(p.registration.summary.max)} | ${p.registration.summary.n} |`);
  }
  if (r.streams) out.push(...renderStreams(r.streams));
  if (r.rpc) out.push(...renderRpc(r.rpc));
  if (r.keyvalue) out.push(...renderKeyValue(r.keyvalue));
  return out.join('\n');
}

const fmt = (v: number) => (v >= 100 ? fmtInt(v) : v.toFixed(1));
