/**
 * Arms of one gateway measured in rotated rounds (the keyvalue and graphql scenarios): each
 * arm warmed once, then every round runs each arm once with the order rotated from round to
 * round, so a slow spell on the shared machine costs every arm alike. Each arm keeps its
 * rate and latency quantiles per round; the table states them against one baseline arm.
 */
import type { BenchContext } from './context.js';
import { fmtInt, fmtPct, fmtUs, summarize, type Summary } from './stats.js';
import type { WrkResult } from './wrk.js';

/** One run of an arm: successful calls per second and latency quantiles (µs). */
export interface ArmRun {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
}

export interface ArmResult {
  readonly name: string;
  /** Successful calls per second, one per round. */
  readonly rps: number[];
  readonly summary: Summary;
  readonly p50: number[];
  readonly p99: number[];
}

/**
 * The wrk run of arm `name` as an ArmRun.
 * @throws when more than `maxFailedShare` of its requests failed: its rate would not be a
 *   rate of answered calls.
 */
export function armRunOf(name: string, r: WrkResult, maxFailedShare: number): ArmRun {
  if (r.non2xx + r.socketErrors > r.requests * maxFailedShare) throw new Error(`${name}: ${r.non2xx} non-2xx and ${r.socketErrors} socket errors in ${r.requests} requests`);
  return { rps: r.okRps, p50: r.p50, p99: r.p99 };
}

/**
 * Warms each arm for `ctx.options.warmup` seconds, then runs `ctx.options.pairs` rotated
 * rounds of `ctx.options.duration` seconds per arm, logging each run under `scenario`.
 */
export async function runRotatedArms(
  ctx: BenchContext,
  scenario: string,
  names: readonly string[],
  measure: (name: string, seconds: number) => Promise<ArmRun>,
): Promise<Record<string, ArmResult>> {
  for (const name of names) await measure(name, ctx.options.warmup);
  const runs = new Map(names.map((n) => [n, [] as ArmRun[]]));
  const width = Math.max(...names.map((n) => n.length));
  const rounds = ctx.options.pairs;
  for (let round = 0; round < rounds; round++) {
    for (const name of names.map((_, i) => names[(i + round) % names.length])) {
      const m = await measure(name, ctx.options.duration);
      runs.get(name)!.push(m);
      ctx.log(`  ${scenario} round ${round + 1}/${rounds}  ${name.padEnd(width)} ${fmtInt(m.rps).padStart(7)} req/s  p50 ${fmtUs(m.p50).padStart(9)}  p99 ${fmtUs(m.p99).padStart(9)}`);
    }
  }
  const result: Record<string, ArmResult> = {};
  for (const name of names) {
    const list = runs.get(name)!;
    result[name] = { name, rps: list.map((m) => m.rps), summary: summarize(list.map((m) => m.rps)), p50: list.map((m) => m.p50), p99: list.map((m) => m.p99) };
  }
  return result;
}

/** The markdown table of the arms: medians over the rounds, and each arm's rate over `baseline`'s. */
export function renderArmTable(result: Record<string, ArmResult>, baseline: string): string[] {
  const base = result[baseline]?.summary.median ?? NaN;
  const mid = (xs: number[]) => summarize(xs).median;
  const out = [`| arm | req/s (median) | spread | p50 | p99 | vs ${baseline} |`, '|---|---:|---:|---:|---:|---:|'];
  for (const arm of Object.values(result)) {
    out.push(`| ${arm.name} | ${fmtInt(arm.summary.median)} | ${fmtPct(arm.summary.spreadPct)} | ${fmtUs(mid(arm.p50))} | ${fmtUs(mid(arm.p99))} | ${(arm.summary.median / base).toFixed(2)}× |`);
  }
  return out;
}
