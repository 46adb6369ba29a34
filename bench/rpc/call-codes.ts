/**
 * The gateway's calls by gRPC code, read from its /metrics before and after a run: a gRPC-Web
 * failure is an HTTP 200 with the status in a trailer frame, which wrk counts as a success, so
 * the gateway's own count of non-OK calls is what shows a failing arm. REST routes count their
 * backend calls in prism_upstream_calls_total, gRPC-Web and Connect theirs in
 * prism_rpc_calls_total; both carry a `code` label.
 */

const COUNTERS = ['prism_upstream_calls_total', 'prism_rpc_calls_total'];

/** `counter` → `code` → calls, summed over the counter's other labels. */
export type CodeCounts = ReadonlyMap<string, ReadonlyMap<string, number>>;

/**
 * @throws Error when /metrics does not answer 200.
 */
export async function callCodes(metricsUrl: string): Promise<CodeCounts> {
  const res = await fetch(metricsUrl);
  if (res.status !== 200) throw new Error(`${metricsUrl} answered ${res.status}`);
  const counts = new Map<string, Map<string, number>>(COUNTERS.map((c) => [c, new Map()]));
  for (const line of (await res.text()).split('\n')) {
    const brace = line.indexOf('{');
    const byCode = brace > 0 ? counts.get(line.slice(0, brace)) : undefined;
    if (!byCode) continue;
    const code = line.match(/code="([^"]*)"/)?.[1] ?? '';
    byCode.set(code, (byCode.get(code) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return counts;
}

/**
 * Calls counted between two readings: those of the counter that moved most (one request
 * counts in one of them), and the non-OK calls of either by code.
 */
export function callsBetween(before: CodeCounts, after: CodeCounts): { calls: number; failed: Map<string, number> } {
  let calls = 0;
  const failed = new Map<string, number>();
  for (const [counter, byCode] of after) {
    let total = 0;
    for (const [code, n] of byCode) {
      const delta = n - (before.get(counter)?.get(code) ?? 0);
      total += delta;
      if (code !== 'OK' && delta > 0) failed.set(code, (failed.get(code) ?? 0) + delta);
    }
    calls = Math.max(calls, total);
  }
  return { calls, failed };
}
