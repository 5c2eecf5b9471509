/**
 * Descriptive statistics of a set of samples in the two shapes the community formats write
 * (../shared/reference/formats.md): inference-perf's `Summary` (§3: mean, min, max, then `p{p:g}`
 * per percentile with 50 written as `median`, numpy linear interpolation, null when empty) and
 * the Benchmark Report's `Statistics` (§4: units, mean, stddev, min, p0p1 … p99p9, max).
 * Quantiles are type 7 (numpy's default `linear`): simple-statistics' quantileSorted, or its
 * histogram twin weightedQuantileSorted for the pooled inter-token latencies.
 */
import { quantileSorted } from 'simple-statistics';
import { weightedQuantileSorted, weightedSorted } from '../../sim/metrics/latency.js';

/** inference-perf's default `report.request_lifecycle.percentiles`. */
export const PERCENTILES = [0.1, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9] as const;

export interface SampleStats {
  readonly n: number;
  readonly mean: number;
  /** Population standard deviation (numpy's default ddof = 0). */
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /** One value per PERCENTILES entry. */
  readonly pct: readonly number[];
}

/** Statistics of plain samples (any order); null when there are none. */
export function sampleStats(values: readonly number[]): SampleStats | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort() as unknown as number[];
  let sum = 0;
  for (const v of sorted) sum += v;
  const mean = sum / sorted.length;
  let sq = 0;
  for (const v of sorted) sq += (v - mean) * (v - mean);
  return {
    n: sorted.length,
    mean,
    std: Math.sqrt(sq / sorted.length),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    pct: PERCENTILES.map((p) => quantileSorted(sorted, p / 100)),
  };
}

/** Statistics of a value → count histogram, each value multiplied by `scale` (µs → s: 1e-6). */
export function histogramStats(counts: ReadonlyMap<number, number>, scale: number): SampleStats | null {
  const scaled = new Map<number, number>();
  for (const [v, c] of counts) if (c > 0) scaled.set(v * scale, (scaled.get(v * scale) ?? 0) + c);
  const ws = weightedSorted(scaled);
  if (ws.n === 0) return null;
  let sum = 0;
  for (const [v, c] of scaled) sum += v * c;
  const mean = sum / ws.n;
  let sq = 0;
  for (const [v, c] of scaled) sq += c * (v - mean) * (v - mean);
  return {
    n: ws.n,
    mean,
    std: Math.sqrt(sq / ws.n),
    min: ws.values[0]!,
    max: ws.values[ws.values.length - 1]!,
    pct: PERCENTILES.map((p) => weightedQuantileSorted(ws, p / 100)),
  };
}

/** Python's `f"p{p:g}"` for the percentiles used here, 50 → `median`. */
function summaryKey(p: number): string {
  return p === 50 ? 'median' : `p${String(p)}`;
}

/** inference-perf's Summary object, or null when there are no samples. */
export function ipSummary(s: SampleStats | null): Record<string, number> | null {
  if (s === null) return null;
  const out: Record<string, number> = { mean: s.mean, min: s.min, max: s.max };
  PERCENTILES.forEach((p, i) => (out[summaryKey(p)] = s.pct[i]!));
  return out;
}

/** The Benchmark Report's percentile names (p0.1 → p0p1, p99.9 → p99p9). */
function statisticsKey(p: number): string {
  return `p${String(p).replace('.', 'p')}`;
}

/** A Benchmark Report Statistics object in `units`, or undefined (omitted) when there are no samples. */
export function reportStatistics(s: SampleStats | null, units: string): Record<string, string | number> | undefined {
  if (s === null) return undefined;
  const out: Record<string, string | number> = { units, mean: s.mean, stddev: s.std, min: s.min };
  PERCENTILES.forEach((p, i) => (out[statisticsKey(p)] = s.pct[i]!));
  out.max = s.max;
  return out;
}
