/**
 * Issue #22, target 8: footprint and start time.
 * - Resident memory (VmRSS of the process and its workers) of Prism `serve`, `serve --workers 2`
 *   and Go grpc-gateway on the echo route: idle after start, the peak while wrk loads it, and
 *   idle again after the load.
 * - Time from spawning `node dist/src/cli.js serve --config
 *   examples/confluent-schema-registry/gateway.yaml` (fresh data folder each time) to the first
 *   200 on `GET /`; and what `npm start` adds: its `prestart` build step (`npm run build`: tsc,
 *   then the schema browser's vite build), timed here into scratch folders so the run does not
 *   rewrite the checkout's dist/.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkLayoutPortsFree, echoConfigFor, LAYOUT_PORTS, treeRssKiB } from './lib/cpu-layout.js';
import { http, type BenchContext } from './lib/context.js';
import { run, sleep, startProcess, stopAll } from './lib/processes.js';
import { fmtInt, median, summarize, type Summary } from './lib/stats.js';

export interface MemoryRow {
  readonly name: string;
  /** KiB per round. */
  readonly idle: number[];
  readonly peakUnderLoad: number[];
  readonly afterLoad: number[];
  readonly loadRps: number[];
}

export interface FootprintResult {
  readonly memory: MemoryRow[];
  /** ms from spawn to the first 200 on GET /, per attempt. */
  readonly serveStartMs: number[];
  readonly serveStart: Summary;
  /** ms of `npm run build`'s two steps, timed once. */
  readonly buildMs: { tsc: number; vite: number } | { error: string };
}

const ECHO = '/v1/items/42';
const CONFLUENT_CONFIG = 'examples/confluent-schema-registry/gateway.yaml';

export async function runFootprint(ctx: BenchContext): Promise<FootprintResult> {
  await checkLayoutPortsFree();
  ctx.log('\n== footprint: resident memory on the echo route, start time of the Confluent example ==');
  const memory = await measureMemory(ctx);
  await stopAll();
  const serveStartMs: number[] = [];
  for (let i = 0; i < Math.max(3, ctx.options.rounds); i++) {
    const ms = await timeToFirst200(ctx, [ctx.dist('src/cli.js'), 'serve', '--config', CONFLUENT_CONFIG, '--port', String(LAYOUT_PORTS.startTime), '--data-dir', join(ctx.tmpDir, `start-data-${i}`), '--log-level', 'warn'], i);
    serveStartMs.push(ms);
    ctx.log(`  start ${i + 1}: ${Math.round(ms)} ms to the first 200 on GET /`);
  }
  const buildMs = await timeBuild(ctx);
  return { memory, serveStartMs, serveStart: summarize(serveStartMs), buildMs };
}

async function measureMemory(ctx: BenchContext): Promise<MemoryRow[]> {
  const level = ctx.options.logLevel;
  await ctx.peer('server', ['-addr', `127.0.0.1:${LAYOUT_PORTS.backend}`], LAYOUT_PORTS.backend);
  const config = echoConfigFor(ctx, LAYOUT_PORTS.backend);
  const serve = (port: number, data: string, extra: string[] = []) => [ctx.dist('src/cli.js'), 'serve', '--config', config, '--port', String(port), '--data-dir', join(ctx.tmpDir, data), '--log-level', level, ...extra];
  const systems = [
    { name: 'prism serve', started: await ctx.node('footprint-prism', serve(LAYOUT_PORTS.prism, 'footprint-data'), LAYOUT_PORTS.prism), port: LAYOUT_PORTS.prism },
    { name: 'prism serve --workers 2', started: await ctx.node('footprint-prism-workers', serve(LAYOUT_PORTS.prismWorkers, 'footprint-workers-data', ['--workers', '2']), LAYOUT_PORTS.prismWorkers), port: LAYOUT_PORTS.prismWorkers },
    { name: 'go grpc-gateway', started: await ctx.peer('gateway', ['-addr', `127.0.0.1:${LAYOUT_PORTS.goGateway}`, '-backend', `127.0.0.1:${LAYOUT_PORTS.backend}`], LAYOUT_PORTS.goGateway), port: LAYOUT_PORTS.goGateway },
  ];
  const rows = new Map<string, MemoryRow>(systems.map((s) => [s.name, { name: s.name, idle: [], peakUnderLoad: [], afterLoad: [], loadRps: [] }]));
  for (const s of systems) {
    const got = await http('GET', `http://127.0.0.1:${s.port}${ECHO}`);
    if (got.status !== 200) throw new Error(`${s.name} answered ${got.status} ${got.text}`);
  }
  // Workers of `--workers 2` settle after the listener opens; give every system the same pause.
  await sleep(1000);
  for (let round = 0; round < ctx.options.rounds; round++) {
    for (const s of systems) {
      const pid = s.started.child.pid!;
      const row = rows.get(s.name)!;
      row.idle.push(treeRssKiB(pid));
      let peak = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          peak = Math.max(peak, treeRssKiB(pid));
          await sleep(200);
        }
      })();
      const r = await ctx.wrk(`http://127.0.0.1:${s.port}${ECHO}`);
      sampling = false;
      await sampler;
      row.peakUnderLoad.push(peak);
      row.loadRps.push(r.okRps);
      await sleep(1000);
      row.afterLoad.push(treeRssKiB(pid));
      ctx.log(`  footprint round ${round + 1}/${ctx.options.rounds}  ${s.name.padEnd(24)} idle ${mib(row.idle.at(-1)!)}  under load ${mib(peak)} (${fmtInt(r.okRps)} req/s)  after ${mib(row.afterLoad.at(-1)!)}`);
    }
  }
  return [...rows.values()];
}

/** Spawns node ARGS and polls GET / every 10 ms until it answers 200. */
async function timeToFirst200(ctx: BenchContext, args: string[], attempt: number): Promise<number> {
  const logDir = join(ctx.tmpDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const began = performance.now();
  const child = spawn(process.execPath, args, { cwd: ctx.repoRoot, env: { ...process.env, NODE_ENV: 'production' }, stdio: 'ignore' });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  try {
    for (;;) {
      if (exited) throw new Error(`serve --config ${CONFLUENT_CONFIG} exited before answering (attempt ${attempt + 1})`);
      if (performance.now() - began > 60_000) throw new Error(`serve --config ${CONFLUENT_CONFIG} did not answer 200 on GET / within 60 s`);
      try {
        const res = await fetch(`http://127.0.0.1:${LAYOUT_PORTS.startTime}/`);
        await res.arrayBuffer();
        if (res.status === 200) return performance.now() - began;
      } catch {
        // not listening yet
      }
      await sleep(10);
    }
  } finally {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    }
  }
}

/** `npm run build`'s steps, each into a scratch folder (the checkout's dist/ is left alone). */
async function timeBuild(ctx: BenchContext): Promise<FootprintResult['buildMs']> {
  const out = join(ctx.tmpDir, 'npm-start-build');
  try {
    let t = performance.now();
    await run(process.execPath, [join(ctx.repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', join(out, 'dist')], { cwd: ctx.repoRoot }).catch((err: Error) => {
      // tsc emits on type errors (someone's work in progress); the time still counts.
      ctx.log(`  (tsc reported errors: ${err.message.split('\n')[1] ?? ''})`);
    });
    const tsc = performance.now() - t;
    t = performance.now();
    await run(process.execPath, [join(ctx.repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'ui/vite.config.ts', '--logLevel', 'warn'], { cwd: ctx.repoRoot, env: { PRISM_UI_OUT_DIR: join(out, 'dist', 'ui') } });
    const vite = performance.now() - t;
    ctx.log(`  npm run build steps: tsc ${Math.round(tsc)} ms, vite ${Math.round(vite)} ms`);
    return { tsc, vite };
  } catch (err) {
    ctx.log(`  the build step could not be timed: ${(err as Error).message.split('\n')[0]}`);
    return { error: (err as Error).message.split('\n')[0] };
  }
}

const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;

/** The scenario's tables (printed by the run; kept in the results file as `footprint`). */
export function renderFootprint(r: FootprintResult): string {
  const out = ['### Footprint (echo route; resident memory of the process and its workers, median of rounds)', ''];
  out.push('| system | idle after start | peak under wrk -c64 | idle after the load | req/s during the load |', '| --- | ---: | ---: | ---: | ---: |');
  for (const m of r.memory) out.push(`| ${m.name} | ${mib(median(m.idle))} | ${mib(median(m.peakUnderLoad))} | ${mib(median(m.afterLoad))} | ${fmtInt(median(m.loadRps))} |`);
  const s = r.serveStart;
  out.push('', '| start time | median | min–max | goal | verdict |', '| --- | ---: | --- | --- | --- |');
  out.push(`| spawn of \`node dist/src/cli.js serve --config ${CONFLUENT_CONFIG}\` (fresh data folder) → first 200 on \`GET /\` | ${fmtInt(s.median)} ms | ${fmtInt(s.min)}–${fmtInt(s.max)} ms | ≤ 1,000 ms | ${s.median <= 1000 ? 'met' : 'not met'} |`);
  if ('error' in r.buildMs) out.push(`| \`npm start\` (build step included) | not measured: ${r.buildMs.error} | | | |`);
  else {
    const total = r.buildMs.tsc + r.buildMs.vite + s.median;
    out.push(`| \`npm start\`: its \`npm run build\` (tsc ${fmtInt(r.buildMs.tsc)} ms + vite ${fmtInt(r.buildMs.vite)} ms) + the start above | ${fmtInt(total)} ms | | stated | |`);
  }
  return out.join('\n');
}
