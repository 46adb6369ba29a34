/** Medians and spread of repeated runs; ratios from paired (same-round) runs. */

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** (max - min) / median, in percent. */
  readonly spreadPct: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function summarize(values: readonly number[]): Summary {
  const m = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { n: values.length, median: m, min, max, spreadPct: values.length > 0 && m !== 0 ? ((max - min) / m) * 100 : NaN };
}

export interface PairedRatio {
  /** median(a) / median(b). */
  readonly ofMedians: number;
  /** Median and range of a[i] / b[i], the runs of one round (adjacent in time). */
  readonly pairedMedian: number;
  readonly pairedMin: number;
  readonly pairedMax: number;
}

export function pairedRatio(a: readonly number[], b: readonly number[]): PairedRatio {
  const n = Math.min(a.length, b.length);
  const per = Array.from({ length: n }, (_, i) => a[i] / b[i]);
  return { ofMedians: median(a) / median(b), pairedMedian: median(per), pairedMin: Math.min(...per), pairedMax: Math.max(...per) };
}

export const fmtInt = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');
export const fmtUs = (us: number) => (!Number.isFinite(us) ? '–' : us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${Math.round(us)} µs`);
export const fmtRatio = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '–');
export const fmtPct = (p: number) => (Number.isFinite(p) ? `±${(p / 2).toFixed(0)}%` : '–');
