/**
 * The gateway's upstream calls by gRPC code, read from its /metrics before and after a run:
 * a gRPC-Web failure is an HTTP 200 with the status in a trailer frame, which wrk counts as a
 * success, so the gateway's own count of non-OK upstream calls is what shows a failing arm.
 */

/** `code` → calls, summed over every `prism_upstream_calls_total` series. */
export type CodeCounts = ReadonlyMap<string, number>;

/**
 * @throws Error when /metrics does not answer 200.
 */
export async function upstreamCodes(metricsUrl: string): Promise<CodeCounts> {
  const res = await fetch(metricsUrl);
  if (res.status !== 200) throw new Error(`${metricsUrl} answered ${res.status}`);
  const counts = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (!line.startsWith('prism_upstream_calls_total{')) continue;
    const code = line.match(/code="([^"]*)"/)?.[1] ?? '';
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    counts.set(code, (counts.get(code) ?? 0) + value);
  }
  return counts;
}

/** Calls counted between two readings: all of them, and those whose code was not OK. */
export function callsBetween(before: CodeCounts, after: CodeCounts): { calls: number; failed: number } {
  let calls = 0;
  let failed = 0;
  for (const [code, n] of after) {
    const delta = n - (before.get(code) ?? 0);
    calls += delta;
    if (code !== 'OK') failed += delta;
  }
  return { calls, failed };
}
