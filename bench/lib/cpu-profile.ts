/**
 * Summarises a V8 `.cpuprofile` (node --cpu-prof): self time per function and per component
 * (a package under node_modules, a node: internal module, a project file, GC, idle), plus the
 * inclusive time of a few component groups, so "where the time goes" is a short table.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

/** The repository root (bench/lib/ is two folders down). */
const REPO_ROOT = resolve(import.meta.dirname, '../..');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileRow {
  readonly name: string;
  readonly pct: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly seconds: number;
  /** Share of samples not idle. */
  readonly busyPct: number;
  /** Self time by component, percent of busy time. */
  readonly components: readonly ProfileRow[];
  /** Self time by function, percent of busy time. */
  readonly functions: readonly ProfileRow[];
  /** Inclusive time (any frame on the stack from the component), percent of busy time. */
  readonly inclusive: readonly ProfileRow[];
}

/** The component a frame belongs to: `fastify`, `@grpc/grpc-js`, `node:http2`, `src/mapping`... */
export function componentOf(url: string, functionName: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return '(gc)';
    if (functionName === '(idle)' || functionName === '(program)' || functionName === '(root)') return functionName;
    return '(native)';
  }
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) {
    const name = url.slice(5);
    if (name.startsWith('internal/http2') || name === 'http2') return 'node:http2';
    if (name.startsWith('internal/streams') || name === 'stream') return 'node:streams';
    if (name.startsWith('_http') || name === 'http' || name.startsWith('internal/http')) return 'node:http';
    if (name === 'net' || name.startsWith('internal/stream_base') || name.startsWith('internal/net')) return 'node:net';
    if (name.startsWith('internal/process') || name.startsWith('internal/timers') || name === 'timers' || name === 'events' || name.startsWith('internal/event_target') || name.startsWith('internal/abort')) return 'node:events/timers/abort';
    return `node:${name.split('/').slice(0, 2).join('/')}`;
  }
  const dist = url.match(/\/(?:dist\/)?(src|patterns)\/([^/]+)\//);
  if (dist) return `${dist[1]}/${dist[2]}`;
  return url.replace(/^file:\/\//, '').split('/').slice(-2).join('/');
}

const GROUPS: [string, (component: string) => boolean][] = [
  ['fastify + find-my-way + pino (HTTP server)', (c) => ['fastify', 'find-my-way', 'pino', 'avvio', 'light-my-request', 'fast-json-stringify', 'fast-querystring', 'node:http', 'node:net'].includes(c)],
  ['@grpc/grpc-js (gRPC client)', (c) => c === '@grpc/grpc-js'],
  ['node:http2', (c) => c === 'node:http2'],
  ['protobufjs', (c) => c === 'protobufjs' || c.startsWith('@protobufjs')],
  ['src/ (gateway core, mapping, routing, upstream)', (c) => c.startsWith('src/')],
];

/**
 * @param window only samples taken in this span count (µs of CLOCK_MONOTONIC, the clock V8's
 *   profile timestamps and `process.hrtime` share), e.g. the measured load without start-up.
 */
export function summarizeProfile(file: string, top = 20, window?: { fromUs: number; toUs: number }): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  if (window && profile.samples && profile.timeDeltas) {
    const samples: number[] = [];
    let t = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      t += profile.timeDeltas[i];
      if (t >= window.fromUs && t <= window.toUs) samples.push(profile.samples[i]);
    }
    if (samples.length > 0) {
      profile.samples = samples;
      profile.startTime = Math.max(profile.startTime, window.fromUs);
      profile.endTime = Math.min(profile.endTime, window.toUs);
    }
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Self samples per node: from samples[] when present (hitCount is 0 in some node versions).
  const self = new Map<number, number>();
  if (profile.samples && profile.samples.length > 0) for (const id of profile.samples) self.set(id, (self.get(id) ?? 0) + 1);
  else for (const n of profile.nodes) self.set(n.id, n.hitCount ?? 0);

  let total = 0;
  let idle = 0;
  const comp = new Map<string, number>();
  const fn = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, count] of self) {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    total += count;
    const c = componentOf(url, functionName);
    if (c === '(idle)') {
      idle += count;
      continue;
    }
    comp.set(c, (comp.get(c) ?? 0) + count);
    const path = url.replace(/^file:\/\//, '');
    const short = !url ? '' : path.includes('/node_modules/') ? path.replace(/.*\/node_modules\//, '') : path.replace(/.*\/(dist\/)?(src|patterns|bench)\//, '$2/');
    const key = `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
    fn.set(key, (fn.get(key) ?? 0) + count);
    // Inclusive: each group counted once per sample if any frame on the stack belongs to it.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      const cc = componentOf(f.url, f.functionName);
      for (const [group, test] of GROUPS) if (test(cc)) seen.add(group);
    }
    for (const g of seen) incl.set(g, (incl.get(g) ?? 0) + count);
  }
  const busy = total - idle;
  const rows = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, count]) => ({ name, pct: (count / busy) * 100 }));
  return {
    // Relative to the repository, so committed results name no machine's folders.
    file: relative(REPO_ROOT, file),
    seconds: (profile.endTime - profile.startTime) / 1e6,
    busyPct: total > 0 ? (busy / total) * 100 : 0,
    components: rows(comp),
    functions: rows(fn),
    inclusive: rows(incl),
  };
}

export function formatProfile(s: ProfileSummary, top = 15): string {
  const lines = [`profile ${s.file}: ${s.seconds.toFixed(1)} s, busy ${s.busyPct.toFixed(0)}% of samples`, '', 'self time by component (% of busy):'];
  for (const r of s.components.slice(0, top)) lines.push(`  ${r.pct.toFixed(1).padStart(5)}%  ${r.name}`);
  lines.push('', 'inclusive time by group (% of busy; stacks can count in several groups):');
  for (const r of s.inclusive) lines.push(`  ${r.pct.toFixed(1).padStart(5)}%  ${r.name}`);
  lines.push('', 'self time by function (% of busy):');
  for (const r of s.functions.slice(0, top)) lines.push(`  ${r.pct.toFixed(1).padStart(5)}%  ${r.name}`);
  return lines.join('\n');
}
