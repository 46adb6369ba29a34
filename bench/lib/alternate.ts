/**
 * Alternated runs: every round loads each system once, one after the other, with the order
 * rotated from round to round, so a slow spell on the machine (other work on the same two
 * cores) hits every system alike. Results keep their round index for paired ratios.
 */
import type { BenchContext } from './context.js';
import { fmtInt, fmtUs, summarize, type Summary } from './stats.js';
import type { WrkResult } from './wrk.js';

export interface LoadTarget {
  readonly name: string;
  readonly url: string;
  readonly lua?: string;
  readonly connections?: number;
  readonly threads?: number;
}

export interface SystemRuns {
  readonly name: string;
  readonly runs: WrkResult[];
  readonly rps: Summary;
  readonly okRps: Summary;
  readonly p50: Summary;
  readonly p99: Summary;
}

export async function warmUp(ctx: BenchContext, targets: readonly LoadTarget[]): Promise<void> {
  for (const t of targets) {
    await ctx.wrk(t.url, { seconds: ctx.options.warmup, lua: t.lua, connections: t.connections, threads: t.threads });
  }
}

export async function alternate(ctx: BenchContext, label: string, targets: readonly LoadTarget[], rounds: number): Promise<Map<string, SystemRuns>> {
  const runs = new Map<string, WrkResult[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length]);
    for (const t of order) {
      const r = await ctx.wrk(t.url, { lua: t.lua, connections: t.connections, threads: t.threads });
      runs.get(t.name)!.push(r);
      const problems = r.non2xx > 0 || r.socketErrors > 0 ? `  (non-2xx ${r.non2xx}, socket errors ${r.socketErrors})` : '';
      ctx.log(`  ${label} round ${round + 1}/${rounds}  ${t.name.padEnd(28)} ${fmtInt(r.rps).padStart(7)} req/s  p50 ${fmtUs(r.p50).padStart(9)}  p99 ${fmtUs(r.p99).padStart(9)}${problems}`);
    }
  }
  // Store runs in round order (not rotation order) so index i of every system is round i.
  return new Map(
    [...runs.entries()].map(([name, list]) => [
      name,
      { name, runs: list, rps: summarize(list.map((r) => r.rps)), okRps: summarize(list.map((r) => r.okRps)), p50: summarize(list.map((r) => r.p50)), p99: summarize(list.map((r) => r.p99)) },
    ]),
  );
}
