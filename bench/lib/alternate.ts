/**
 * Alternated runs: every round loads each system once, one after the other, with the order
 * rotated from round to round, so a slow spell on the machine (other work on the same two
 * cores) hits every system alike. Results keep their round index for paired ratios.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { BenchContext } from './context.js';
import { fmtInt, fmtUs, summarize, type Summary } from './stats.js';
import type { WrkResult } from './wrk.js';

export interface LoadTarget {
  readonly name: string;
  readonly url: string;
  readonly lua?: string;
  readonly connections?: number;
  readonly threads?: number;
  /** Process whose CPU time (user + system, all threads) is charged to this system's requests. */
  readonly pid?: number;
  /** CPUs wrk runs on (pinned layouts). */
  readonly cpus?: string;
}

export interface SystemRuns {
  readonly name: string;
  readonly runs: WrkResult[];
  readonly rps: Summary;
  readonly okRps: Summary;
  readonly p50: Summary;
  readonly p99: Summary;
  /** CPU time of the system's processes per completed request, µs (machine-load robust). */
  readonly cpuUsPerRequest: number[];
  readonly cpu: Summary;
}

/** After the command: ppid is field 4, utime 14, stime 15 (1-based in proc(5)). */
function readStat(pid: string): { ppid: number; ticks: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone meanwhile
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
}

/**
 * utime + stime in µs (clock ticks of 1/100 s on Linux) of a process and its live
 * descendants: `serve --workers N` answers from child processes.
 */
export function cpuTimeUs(pid: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(name);
    if (stat) stats.set(Number(name), stat);
  }
  let ticks = 0;
  const tree = new Set([pid]);
  // Parents have smaller pids only until pids wrap, so repeat until nothing is added.
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, stat] of stats) {
      if (!tree.has(p) && tree.has(stat.ppid)) {
        tree.add(p);
        grew = true;
      }
    }
  }
  for (const p of tree) ticks += stats.get(p)?.ticks ?? 0;
  return ticks * (1e6 / TICKS_PER_SECOND);
}

const TICKS_PER_SECOND = 100;

export async function warmUp(ctx: BenchContext, targets: readonly LoadTarget[]): Promise<void> {
  for (const t of targets) {
    await ctx.wrk(t.url, { seconds: ctx.options.warmup, lua: t.lua, connections: t.connections, threads: t.threads, cpus: t.cpus });
  }
}

export async function alternate(ctx: BenchContext, label: string, targets: readonly LoadTarget[], rounds: number): Promise<Map<string, SystemRuns>> {
  const runs = new Map<string, WrkResult[]>(targets.map((t) => [t.name, []]));
  const cpu = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length]);
    for (const t of order) {
      const cpuBefore = t.pid === undefined ? 0 : cpuTimeUs(t.pid);
      const r = await ctx.wrk(t.url, { lua: t.lua, connections: t.connections, threads: t.threads, cpus: t.cpus });
      const cpuUs = t.pid === undefined ? NaN : (cpuTimeUs(t.pid) - cpuBefore) / r.requests;
      runs.get(t.name)!.push(r);
      cpu.get(t.name)!.push(cpuUs);
      const cpuText = Number.isFinite(cpuUs) ? `  cpu ${Math.round(cpuUs).toString().padStart(4)} µs/req` : '';
      const problems = r.non2xx > 0 || r.socketErrors > 0 ? `  (non-2xx ${r.non2xx}, socket errors ${r.socketErrors})` : '';
      ctx.log(`  ${label} round ${round + 1}/${rounds}  ${t.name.padEnd(28)} ${fmtInt(r.rps).padStart(7)} req/s  p50 ${fmtUs(r.p50).padStart(9)}  p99 ${fmtUs(r.p99).padStart(9)}${cpuText}${problems}`);
    }
  }
  // Store runs in round order (not rotation order) so index i of every system is round i.
  return new Map(
    [...runs.entries()].map(([name, list]) => [
      name,
      { name, runs: list, rps: summarize(list.map((r) => r.rps)), okRps: summarize(list.map((r) => r.okRps)), p50: summarize(list.map((r) => r.p50)), p99: summarize(list.map((r) => r.p99)), cpuUsPerRequest: cpu.get(name)!, cpu: summarize(cpu.get(name)!) },
    ]),
  );
}
