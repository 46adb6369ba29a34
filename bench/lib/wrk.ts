/**
 * wrk (Debian's package): installed when missing, run with a Lua `done` hook that prints the
 * summary as one JSON line, so nothing depends on parsing wrk's human-readable table.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './processes.js';

export interface WrkResult {
  /** Completed requests (any status). */
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  /** Requests answered 2xx/3xx per second. */
  readonly okRps: number;
  /** Responses outside 2xx/3xx. */
  readonly non2xx: number;
  readonly socketErrors: number;
  /** Latency in microseconds. */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly mean: number;
  readonly max: number;
}

export interface WrkOptions {
  readonly url: string;
  readonly threads: number;
  readonly connections: number;
  readonly seconds: number;
  /** Lua defining request()/init()/setup() (POST bodies, generated requests). */
  readonly lua?: string;
  readonly tmpDir: string;
  /** CPUs wrk is pinned to (`taskset -c`), for the pinned layouts; unpinned when absent. */
  readonly cpus?: string;
}

const REPORT = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('PRISM_BENCH {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"mean":%.1f,"max":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), latency.mean, latency.max))
end
`;

export async function ensureWrk(): Promise<string> {
  for (const candidate of ['/usr/bin/wrk', '/usr/local/bin/wrk']) if (existsSync(candidate)) return candidate;
  process.stderr.write('wrk is missing: installing the Debian package (apt-get install -y wrk)\n');
  await run('apt-get', ['update', '-qq']);
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'wrk'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
  if (!existsSync('/usr/bin/wrk')) throw new Error('apt-get did not install /usr/bin/wrk');
  return '/usr/bin/wrk';
}

let scriptCounter = 0;

export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(options.url)) throw new Error(`refusing to load ${options.url}: only 127.0.0.1 is allowed`);
  mkdirSync(options.tmpDir, { recursive: true });
  const script = join(options.tmpDir, `wrk-${process.pid}-${scriptCounter++}.lua`);
  writeFileSync(script, (options.lua ?? '') + REPORT);
  const args = [`-t${options.threads}`, `-c${options.connections}`, `-d${options.seconds}s`, '--latency', '-s', script, options.url];
  const out = options.cpus === undefined ? await run('wrk', args) : await run('taskset', ['-c', options.cpus, 'wrk', ...args]);
  const line = out.split('\n').find((l) => l.startsWith('PRISM_BENCH '));
  if (!line) throw new Error(`wrk printed no summary:\n${out}`);
  const r = JSON.parse(line.slice('PRISM_BENCH '.length)) as Record<string, number>;
  const seconds = r.duration_us / 1e6;
  return {
    requests: r.requests,
    seconds,
    rps: r.requests / seconds,
    okRps: (r.requests - r.status) / seconds,
    non2xx: r.status,
    socketErrors: r.connect + r.read + r.write + r.timeout,
    p50: r.p50,
    p90: r.p90,
    p99: r.p99,
    p999: r.p999,
    mean: r.mean,
    max: r.max,
  };
}

/** A Lua file from bench/lua/, for scenarios that POST. */
export function luaScript(benchDir: string, name: string, variables: Record<string, string> = {}): string {
  let text = readFileSync(join(benchDir, 'lua', name), 'utf8');
  for (const [k, v] of Object.entries(variables)) text = text.replaceAll(`@${k}@`, v);
  return text;
}
