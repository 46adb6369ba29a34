/**
 * Where the gateway's time goes under the echo load: each Prism variant runs with
 * `node --cpu-prof`, takes the same wrk load as scenario 1, stops gracefully (the profile is
 * written at exit) and the profile is summarised by component and by function.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PORTS, type BenchContext } from './lib/context.js';
import { formatProfile, summarizeProfile, type ProfileSummary } from './lib/cpu-profile.js';
import { fmtInt } from './lib/stats.js';
import { startEchoBackend, url } from './echo.js';

export interface ProfileResult {
  readonly variants: Record<string, { rps: number; summary: ProfileSummary }>;
}

export async function runProfile(ctx: BenchContext): Promise<ProfileResult> {
  ctx.log('\n== CPU profile of the gateway under the echo load (node --cpu-prof) ==');
  await startEchoBackend(ctx);
  const config = join(ctx.benchDir, 'echo', 'gateway.yaml');
  const level = ctx.options.logLevel;
  const variants: ProfileResult['variants'] = {};
  const plans: [string, string[], number][] = [
    ['prism (grpc-js upstream)', ['--import', 'tsx', 'bench/systems/prism-variant.ts', config, 'grpc-js', String(PORTS.prismEchoGrpcJsVariant), level], PORTS.prismEchoGrpcJsVariant],
    ['prism (http2 upstream)', ['--import', 'tsx', 'bench/systems/prism-variant.ts', config, 'http2', String(PORTS.prismEchoHttp2), level], PORTS.prismEchoHttp2],
  ];
  for (const [name, args, port] of plans) {
    const dir = join(ctx.tmpDir, 'profiles', port === PORTS.prismEchoGrpcJsVariant ? 'grpc-js' : 'http2');
    mkdirSync(dir, { recursive: true });
    const proc = await ctx.node(`profile-${port}`, args, port, {}, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    await ctx.wrk(url(port), { seconds: ctx.options.warmup });
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const r = await ctx.wrk(url(port));
    const toUs = Number(process.hrtime.bigint() / 1000n);
    await proc.stop();
    // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread (tsx's
    // loader runs on a worker thread that writes its own profile).
    const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && f.split('.')[4] === '0').map((f) => join(dir, f)).pop();
    if (!file) throw new Error(`no main-thread .cpuprofile written in ${dir}`);
    // Only the samples of the measured load: start-up and warm-up are not request work.
    const summary = summarizeProfile(file, 25, { fromUs, toUs });
    variants[name] = { rps: r.okRps, summary };
    ctx.log(`  ${name}: ${fmtInt(r.okRps)} req/s while profiled\n` + formatProfile(summary, 12).replace(/^/gm, '    '));
  }
  return { variants };
}
