/**
 * CPU layouts for the pinned scenarios (issue #22): the gateway under test on its own CPUs
 * (`taskset -c`), the backend and the load generator on the others, the same layout for every
 * system. Also the resident memory of a process tree, for the footprint scenario.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { BenchContext } from './context.js';
import { canConnect, startProcess, type Started } from './processes.js';

/** Ports of the pinned, scaling and footprint scenarios (outside the PORTS table's range). */
export const LAYOUT_PORTS = {
  backend: 18120,
  prism: 18121,
  goGateway: 18122,
  rawFastify: 18123,
  prismWorkers: 18124,
  startTime: 18125,
  prismAuth: 18126,
} as const;

/** Refuses to start when one of the ports is taken (a stray process would answer instead). */
export async function checkLayoutPortsFree(): Promise<void> {
  const busy = [];
  for (const [name, port] of Object.entries(LAYOUT_PORTS)) if (await canConnect('127.0.0.1', port)) busy.push(`${name} ${port}`);
  if (busy.length > 0) throw new Error(`ports in use (another benchmark running?): ${busy.join(', ')}`);
}

/** The CPUs this process may run on (its affinity mask), in order; children inherit it. */
export function allowedCpus(): number[] {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('Cpus_allowed_list:'));
    if (line) {
      const cpus: number[] = [];
      for (const part of line.split(':')[1].trim().split(',')) {
        const [a, b] = part.split('-').map(Number);
        for (let c = a; c <= (b ?? a); c++) cpus.push(c);
      }
      if (cpus.length > 0) return cpus;
    }
  } catch {
    // not Linux: fall through
  }
  return Array.from({ length: availableParallelism() }, (_, i) => i);
}

export interface CpuLayout {
  /** CPUs of the gateway under test. */
  readonly gateway: readonly number[];
  /** CPUs of the backend and of wrk. */
  readonly load: readonly number[];
}

/**
 * Gateway sizes for the scaling curve: powers of two up to half the CPUs, so the backend and
 * wrk keep at least as many CPUs as the largest gateway (2 CPUs → [1]; 16 → [1, 2, 4, 8]).
 */
export function scalingSteps(cpuCount: number): number[] {
  const steps: number[] = [];
  for (let n = 1; n <= Math.max(1, Math.floor(cpuCount / 2)); n *= 2) steps.push(n);
  return steps;
}

/**
 * The gateway on the first `n` CPUs, the backend and wrk on the CPUs above `reserve` (the
 * largest gateway of the scenario), so the load side is the same for every n.
 */
export function layout(cpus: readonly number[], n: number, reserve = n): CpuLayout {
  if (cpus.length < 2) throw new Error(`pinned layouts need at least 2 CPUs, this process may use ${cpus.length}`);
  if (reserve >= cpus.length || n > reserve) throw new Error(`cannot pin a ${n}-CPU gateway and keep CPUs for the load on ${cpus.length} CPUs`);
  return { gateway: cpus.slice(0, n), load: cpus.slice(reserve) };
}

export const cpuList = (cpus: readonly number[]) => cpus.join(',');

/** wrk threads and connections for a layout: a thread per two load CPUs, at least the defaults. */
export function loadShape(ctx: BenchContext, l: CpuLayout, largestGateway: number): { threads: number; connections: number } {
  return { threads: Math.max(ctx.options.threads, Math.floor(l.load.length / 2)), connections: Math.max(ctx.options.connections, 16 * largestGateway) };
}

/** `taskset -c CPUS node ARGS` from the repository root: the pid is node's (taskset execs). */
export function startPinnedNode(ctx: BenchContext, name: string, cpus: readonly number[], args: readonly string[], port: number, env: NodeJS.ProcessEnv = {}): Promise<Started> {
  return startProcess(name, 'taskset', ['-c', cpuList(cpus), process.execPath, ...args], {
    cwd: ctx.repoRoot,
    env: { NODE_ENV: 'production', PRISM_BENCH_ROOT: ctx.distRoot, ...env },
    waitFor: `127.0.0.1:${port}`,
    logDir: join(ctx.tmpDir, 'logs'),
  });
}

/** A Go peer program pinned to CPUS, with GOMAXPROCS set to their count (what Go would pick). */
export function startPinnedPeer(ctx: BenchContext, name: 'server' | 'gateway', cpus: readonly number[], args: readonly string[], port: number): Promise<Started> {
  return startProcess(`go-${name}-${cpuList(cpus).replaceAll(',', '_')}`, 'taskset', ['-c', cpuList(cpus), join(ctx.peerBin, name), ...args], {
    env: { GOMAXPROCS: String(cpus.length) },
    waitFor: `127.0.0.1:${port}`,
    logDir: join(ctx.tmpDir, 'logs'),
  });
}

/** VmRSS in KiB of a process and its live descendants (`serve --workers N` forks workers). */
export function treeRssKiB(pid: number): number {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, parent] of parents) {
      if (!tree.has(p) && tree.has(parent)) {
        tree.add(p);
        grew = true;
      }
    }
  }
  let kib = 0;
  for (const p of tree) {
    try {
      const line = readFileSync(`/proc/${p}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
      if (line) kib += Number(line.split(/\s+/)[1]);
    } catch {
      // gone meanwhile
    }
  }
  return kib;
}

/**
 * bench/echo/gateway.yaml with its target moved to the pinned backend's port, written to the
 * run's scratch folder with a copy of its frontend (proto named by absolute path: relative
 * proto paths resolve against the config's folder).
 */
export function echoConfigFor(ctx: BenchContext, backendPort: number): string {
  const dir = join(ctx.tmpDir, `echo-${backendPort}`);
  mkdirSync(dir, { recursive: true });
  const echo = join(ctx.benchDir, 'echo');
  const frontend = readFileSync(join(echo, 'frontend.yaml'), 'utf8').replace('../peer/echo.proto', join(ctx.benchDir, 'peer', 'echo.proto'));
  const gateway = readFileSync(join(echo, 'gateway.yaml'), 'utf8').replace(/target: 127\.0\.0\.1:\d+/, `target: 127.0.0.1:${backendPort}`);
  if (!gateway.includes(`127.0.0.1:${backendPort}`) || !frontend.includes(join(ctx.benchDir, 'peer'))) throw new Error('bench/echo/ changed shape: cannot point its config at the pinned backend');
  writeFileSync(join(dir, 'frontend.yaml'), frontend);
  writeFileSync(join(dir, 'gateway.yaml'), gateway);
  return join(dir, 'gateway.yaml');
}
