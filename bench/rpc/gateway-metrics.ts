/**
 * What the gateway's /metrics says about a run, read before and after it:
 * - calls by gRPC code: a gRPC-Web failure is an HTTP 200 with the status in a trailer frame,
 *   which wrk counts as a success, so the gateway's own count of non-OK calls is what shows a
 *   failing arm. REST routes count their backend calls in prism_upstream_calls_total, gRPC-Web
 *   and Connect theirs in prism_rpc_calls_total; both carry a `code` label.
 * - garbage collection time by kind (prom-client's nodejs_gc_duration_seconds), which the CPU
 *   profile showed to differ between the arms.
 */

const CALL_COUNTERS = ['prism_upstream_calls_total', 'prism_rpc_calls_total'];
const GC_SUM = 'nodejs_gc_duration_seconds_sum';

export interface GatewayReading {
  /** `counter` → `code` → calls, summed over the counter's other labels. */
  readonly calls: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** GC kind (`minor`, `major`, `incremental`, `weakcb`) → seconds spent so far. */
  readonly gcSeconds: ReadonlyMap<string, number>;
}

/**
 * @throws Error when /metrics does not answer 200.
 */
export async function readGatewayMetrics(metricsUrl: string): Promise<GatewayReading> {
  const res = await fetch(metricsUrl);
  if (res.status !== 200) throw new Error(`${metricsUrl} answered ${res.status}`);
  const calls = new Map<string, Map<string, number>>(CALL_COUNTERS.map((c) => [c, new Map()]));
  const gcSeconds = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const brace = line.indexOf('{');
    if (brace <= 0) continue;
    const name = line.slice(0, brace);
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    const byCode = calls.get(name);
    if (byCode) {
      const code = line.match(/code="([^"]*)"/)?.[1] ?? '';
      byCode.set(code, (byCode.get(code) ?? 0) + value);
    } else if (name === GC_SUM) {
      const kind = line.match(/kind="([^"]*)"/)?.[1] ?? '';
      gcSeconds.set(kind, (gcSeconds.get(kind) ?? 0) + value);
    }
  }
  return { calls, gcSeconds };
}

/**
 * Calls counted between two readings: those of the counter that moved most (one request
 * counts in one of them), and the non-OK calls of either by code.
 */
export function callsBetween(before: GatewayReading, after: GatewayReading): { calls: number; failed: Map<string, number> } {
  let calls = 0;
  const failed = new Map<string, number>();
  for (const [counter, byCode] of after.calls) {
    let total = 0;
    for (const [code, n] of byCode) {
      const delta = n - (before.calls.get(counter)?.get(code) ?? 0);
      total += delta;
      if (code !== 'OK' && delta > 0) failed.set(code, (failed.get(code) ?? 0) + delta);
    }
    calls = Math.max(calls, total);
  }
  return { calls, failed };
}

/** Seconds of garbage collection between two readings: minor (scavenges) and the rest. */
export function gcBetween(before: GatewayReading, after: GatewayReading): { minor: number; other: number } {
  let minor = 0;
  let other = 0;
  for (const [kind, seconds] of after.gcSeconds) {
    const delta = seconds - (before.gcSeconds.get(kind) ?? 0);
    if (kind === 'minor') minor += delta;
    else other += delta;
  }
  return { minor, other };
}
