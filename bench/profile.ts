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
    ['prism (grpc-js upstream)', ['dist/src/cli.js', 'serve', '--config', config, '--port', String(PORTS.prismEcho), '--log-level', level], PORTS.prismEcho],
    ['prism (http2 upstream)', ['--import', 'tsx', 'bench/systems/prism-variant.ts', config, 'http2', String(PORTS.prismEchoHttp2), level], PORTS.prismEchoHttp2],
  ];
  for (const [name, args, port] of plans) {
    const dir = join(ctx.tmpDir, 'profiles', port === PORTS.prismEcho ? 'grpc-js' : 'http2');
    mkdirSync(dir, { recursive: true });
    const proc = await ctx.node(`profile-${port}`, args, port, {}, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    // Warm up before the sampled window matters less than with wrk alone: start-up is a small
    // share of a profile this long, and it shows as module loading, not request work.
    await ctx.wrk(url(port), { seconds: ctx.options.warmup });
    const r = await ctx.wrk(url(port));
    await proc.stop();
    const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f)).sort().pop();
    if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
    const summary = summarizeProfile(file, 25);
    variants[name] = { rps: r.okRps, summary };
    ctx.log(`  ${name}: ${fmtInt(r.okRps)} req/s while profiled\n` + formatProfile(summary, 12).replace(/^/gm, '    '));
  }
  return { variants };
}
