/**
 * `npm run bench [-- options]`: starts each system, warms it up, loads it with wrk at fixed
 * connection counts, alternates the runs, prints medians, spread and ratios, and writes
 * bench/results/<timestamp>.json and the summary block of BENCHMARKS.md.
 *
 * Options:
 *   --duration S     seconds per measured run (default 5)
 *   --pairs N        rounds of the headline A/B comparisons (default 5, at least 1)
 *   --rounds N       rounds of secondary comparisons (default 3)
 *   --warmup S       seconds of warm-up load per system (default 2)
 *   --only LIST      scenarios, comma-separated: echo,confluent,latency,postgres,routes,profile,streams,rpc,keyvalue,graphql,
 *                    pinned,scaling,footprint (default all)
 *   --quick          --duration 3 --pairs 2 --rounds 1 --warmup 1
 *   --log-level L    the gateways' log level (default warn: errors only, like grpc-gateway)
 *   --no-build       reuse the last private build (bench/.cache/build) instead of compiling
 *   --no-write       do not write the results file or BENCHMARKS.md
 *
 * Needs: wrk (installed with apt-get when missing), the Go peer (built with
 * ../shared/peers/grpc-gateway/build.sh into bench/.cache/grpc-gateway when missing; or
 * PRISM_PEER_DIR / PRISM_SHARED_DIR). Only ever loads 127.0.0.1.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runConfluent } from './confluent.js';
import { runEcho } from './echo.js';
import { runGraphql } from './graphql.js';
import { runKeyValue } from './keyvalue.js';
import { runLatency } from './latency.js';
import { buildSnapshot, createContext, ensurePeer, PORTS, serveDefaultUpstream, type BenchOptions } from './lib/context.js';
import { canConnect, run, stopAll } from './lib/processes.js';
import { ensureWrk } from './lib/wrk.js';
import { renderFootprint, runFootprint } from './footprint.js';
import { renderPinned, runPinned } from './pinned.js';
import { runPostgres } from './postgres.js';
import { runProfile } from './profile.js';
import { currentLoad, machine, renderMarkdown, type RunResults } from './report.js';
import type { RouteScaleResult } from './route-scale.js';
import type { RouteScaleWildcardsResult } from './route-scale-wildcards.js';
import { runRpc } from './rpc.js';
import { renderScaling, runScaling } from './scaling.js';
import { runStreams } from './streams.js';

const SCENARIOS = ['echo', 'confluent', 'latency', 'postgres', 'routes', 'profile', 'streams', 'rpc', 'keyvalue', 'graphql', 'pinned', 'scaling', 'footprint'];
const benchDir = import.meta.dirname;

function parseOptions(argv: string[]): BenchOptions & { write: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      pairs: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'warn' },
      'no-build': { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const quick = values.quick;
  const num = (v: string | undefined, fallback: number, name: string) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
    return n;
  };
  const only = new Set((values.only ?? SCENARIOS.join(',')).split(',').map((s) => s.trim()).filter(Boolean));
  for (const s of only) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario '${s}' (know ${SCENARIOS.join(', ')})`);
  return {
    duration: num(values.duration, quick ? 3 : 5, 'duration'),
    pairs: Math.round(num(values.pairs, quick ? 2 : 5, 'pairs')),
    rounds: Math.round(num(values.rounds, quick ? 1 : 3, 'rounds')),
    warmup: num(values.warmup, quick ? 1 : 2, 'warmup'),
    connections: 64,
    threads: 2,
    only,
    build: !values['no-build'],
    logLevel: values['log-level']!,
    write: !values['no-write'],
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = new Date();
  const stamp = started.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
  const needsNet = [...options.only].some((s) => s !== 'routes');
  if (needsNet) {
    const busy = [];
    for (const [name, port] of Object.entries(PORTS)) if (await canConnect('127.0.0.1', port)) busy.push(`${name} ${port}`);
    if (busy.length > 0) throw new Error(`ports in use (another benchmark running?): ${busy.join(', ')}`);
    await ensureWrk();
  }
  // The Go peer serves the scenarios that compare with grpc-gateway; `graphql` compares Prism with itself.
  const peerBin = [...options.only].some((s) => s !== 'routes' && s !== 'graphql') ? await ensurePeer(benchDir) : '';
  const repoRoot = join(benchDir, '..');
  let distRoot = repoRoot;
  if (needsNet) {
    const snapshot = join(benchDir, '.cache', 'build');
    if (options.build || !existsSync(join(snapshot, 'dist', 'src', 'cli.js'))) {
      process.stdout.write('compiling src/ and patterns/ into bench/.cache/build/dist (tsc -p tsconfig.build.json)\n');
      distRoot = await buildSnapshot(repoRoot, benchDir);
    } else distRoot = snapshot;
  }
  const ctx = createContext(options, benchDir, stamp, peerBin, distRoot);
  const results: RunResults = {
    date: started.toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ' -- ' + process.argv.slice(2).join(' ') : ''}`,
    machine: machine(),
    options: { serveUpstream: needsNet ? serveDefaultUpstream(distRoot) : 'n/a', duration: options.duration, pairs: options.pairs, rounds: options.rounds, warmup: options.warmup, wrk: `-t${options.threads} -c${options.connections} --latency`, logLevel: options.logLevel, scenarios: [...options.only] },
    loadAverage: { start: currentLoad() },
  };
  ctx.log(`bench ${results.date}: ${results.machine.cores} × ${results.machine.cpu}, load ${results.loadAverage.start.join(' ')}; scratch in ${ctx.tmpDir}`);

  const stopOnSignal = () => {
    void stopAll().then(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    if (options.only.has('echo')) {
      results.echo = await runEcho(ctx);
      await stopAll();
    }
    if (options.only.has('latency')) {
      results.latency = await runLatency(ctx);
      await stopAll();
    }
    if (options.only.has('confluent')) {
      results.confluent = await runConfluent(ctx);
      await stopAll();
    }
    if (options.only.has('postgres')) {
      results.postgres = await runPostgres(ctx);
      await stopAll();
    }
    if (options.only.has('routes')) {
      ctx.log('\n== route table scale (in-process) ==');
      const out = await run(process.execPath, ['--expose-gc', '--import', 'tsx', join(benchDir, 'route-scale.ts')], { cwd: ctx.repoRoot });
      const line = out.split('\n').find((l) => l.startsWith('ROUTE_SCALE '));
      if (!line) throw new Error(`route-scale printed no result:\n${out}`);
      results.routeScale = JSON.parse(line.slice('ROUTE_SCALE '.length)) as RouteScaleResult;
      // HttpRule templates at scale (issue #17): kept in the results file, printed here.
      const wild = await run(process.execPath, ['--import', 'tsx', join(benchDir, 'route-scale-wildcards.ts')], { cwd: ctx.repoRoot });
      const wildLine = wild.split('\n').find((l) => l.startsWith('ROUTE_SCALE_WILDCARDS '));
      if (!wildLine) throw new Error(`route-scale-wildcards printed no result:\n${wild}`);
      Object.assign(results, { routeScaleWildcards: JSON.parse(wildLine.slice('ROUTE_SCALE_WILDCARDS '.length)) as RouteScaleWildcardsResult });
      ctx.log(wildLine);
    }
    if (options.only.has('profile')) {
      results.profile = await runProfile(ctx);
      await stopAll();
    }
    if (options.only.has('streams')) {
      results.streams = await runStreams(ctx);
      await stopAll();
    }
    if (options.only.has('rpc')) {
      results.rpc = await runRpc(ctx);
      await stopAll();
    }
    if (options.only.has('keyvalue')) {
      results.keyvalue = await runKeyValue(ctx);
      await stopAll();
    }
    if (options.only.has('graphql')) {
      // Kept in the results file; its table is printed by the scenario (renderGraphql).
      Object.assign(results, { graphql: await runGraphql(ctx) });
      await stopAll();
    }
    if (options.only.has('pinned')) {
      // Issue #22: kept in the results file; the scenario prints its own tables.
      const pinned = await runPinned(ctx);
      Object.assign(results, { pinned });
      ctx.log('\n' + renderPinned(pinned));
      await stopAll();
    }
    if (options.only.has('scaling')) {
      const scaling = await runScaling(ctx);
      Object.assign(results, { scaling });
      ctx.log('\n' + renderScaling(scaling));
      await stopAll();
    }
    if (options.only.has('footprint')) {
      const footprint = await runFootprint(ctx);
      Object.assign(results, { footprint });
      ctx.log('\n' + renderFootprint(footprint));
      await stopAll();
    }
  } finally {
    await stopAll();
  }
  results.loadAverage.end = currentLoad();

  const markdown = renderMarkdown(results);
  ctx.log('\n' + markdown);
  if (options.write) {
    mkdirSync(join(benchDir, 'results'), { recursive: true });
    const file = join(benchDir, 'results', `${stamp}.json`);
    writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
    // A partial run (--only) must not replace the full run's tables in BENCHMARKS.md.
    if (SCENARIOS.every((s) => options.only.has(s))) {
      updateBenchmarksMd(join(ctx.repoRoot, 'BENCHMARKS.md'), markdown, `bench/results/${stamp}.json`);
      ctx.log(`\nwrote ${file} and the results block of BENCHMARKS.md`);
    } else ctx.log(`\nwrote ${file} (a partial run: BENCHMARKS.md is left as it is)`);
  }
}

const BEGIN = '<!-- bench:results:begin (written by npm run bench) -->';
const END = '<!-- bench:results:end -->';

function updateBenchmarksMd(file: string, markdown: string, resultsFile: string): void {
  const block = `${BEGIN}\n\nResults file: \`${resultsFile}\`.\n\n${markdown}\n\n${END}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\n## Latest results\n\n';
  const begin = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  const next = begin !== -1 && end > begin ? current.slice(0, begin) + block + current.slice(end + END.length) : current.trimEnd() + '\n\n' + block + '\n';
  writeFileSync(file, next);
}

main().catch(async (err) => {
  await stopAll();
  process.stderr.write(`bench: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
