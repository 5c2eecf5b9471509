/**
 * TTFT over time: completed requests binned by arrival time, with the p50 and p99 TTFT of each bin,
 * for the report's "TTFT over time" chart (how the latency a request met changed as load built up
 * or drained). Bounded output: at most `maxBins` bins — the bin starts at `binMs` and doubles until
 * the run's arrivals fit. O(requests) bucketing (a counting sort by bin) plus a sort inside each
 * bin; runs once per policy run after the simulation, never in its loop.
 *
 * Quantiles are type 7 (simple-statistics' quantileSorted, like the summary), rounded to 4
 * decimals. A bin with no completed request has null quantiles and count 0.
 */
import { quantileSorted } from 'simple-statistics';
import { round4 } from './summary.js';
import type { RequestRecord } from './types.js';

/** Most bins a series keeps. */
export const MAX_TTFT_BINS = 200;

export interface TtftOverTime {
  /** Bin k holds the completed requests that arrived in [k × bin_ms, (k + 1) × bin_ms). */
  readonly bin_ms: number;
  /** Completed requests per bin. */
  readonly count: readonly number[];
  /** TTFT median per bin, ms (null: no completed request arrived in the bin). */
  readonly p50_ms: readonly (number | null)[];
  /** TTFT 99th percentile per bin, ms. */
  readonly p99_ms: readonly (number | null)[];
}

/**
 * The series of `records` (completed ones only) with bins of `binMs` (≥ 1 ms, integer µs), widened
 * by doubling until at most `maxBins` are needed.
 */
export function ttftOverTime(records: readonly RequestRecord[], binMs: number, maxBins = MAX_TTFT_BINS): TtftOverTime {
  if (!(binMs > 0) || !Number.isFinite(binMs)) throw new RangeError(`bin must be a positive number of ms, got ${binMs}`);
  if (!Number.isInteger(maxBins) || maxBins < 1) throw new RangeError(`maxBins must be a positive integer, got ${maxBins}`);
  let lastArrival = -1;
  let n = 0;
  for (const r of records) {
    if (r.outcome !== 'completed') continue;
    n++;
    if (r.arrivalUs > lastArrival) lastArrival = r.arrivalUs;
  }
  let binUs = Math.max(1, Math.round(binMs * 1000));
  while (lastArrival >= 0 && Math.floor(lastArrival / binUs) + 1 > maxBins) binUs *= 2;
  const bins = lastArrival < 0 ? 0 : Math.floor(lastArrival / binUs) + 1;
  const count = new Array<number>(bins).fill(0);
  for (const r of records) if (r.outcome === 'completed') count[Math.floor(r.arrivalUs / binUs)]!++;
  const { p50, p99 } = binnedP50P99(count, n, (place) => {
    for (const r of records) if (r.outcome === 'completed') place(Math.floor(r.arrivalUs / binUs), (r.firstTokenUs - r.arrivalUs) / 1000);
  });
  return { bin_ms: binUs / 1000, count, p50_ms: p50, p99_ms: p99 };
}

/**
 * p50 and p99 (type 7, rounded; null for an empty bin) of values grouped in bins: `count[k]` values
 * fall in bin k, `n` in all, and `fill` hands each one to `place(bin, value)`. A counting sort by
 * bin, then each bin's slice sorted (shared by ttftOverTime and a streamed run's exact TTFT over
 * time, stream/sketchBins.ts).
 */
export function binnedP50P99(count: readonly number[], n: number, fill: (place: (bin: number, value: number) => void) => void): { p50: (number | null)[]; p99: (number | null)[] } {
  const bins = count.length;
  const start = new Float64Array(bins + 1);
  for (let k = 0; k < bins; k++) start[k + 1] = start[k]! + count[k]!;
  const cursor = start.slice(0, bins);
  const byBin = new Float64Array(n);
  fill((bin, value) => {
    byBin[cursor[bin]!++] = value;
  });
  const p50: (number | null)[] = [];
  const p99: (number | null)[] = [];
  for (let k = 0; k < bins; k++) {
    if (count[k] === 0) {
      p50.push(null);
      p99.push(null);
      continue;
    }
    // Typed-array sort: numeric order without a comparator; quantileSorted only indexes it.
    const slice = byBin.subarray(start[k]!, start[k + 1]!).sort() as unknown as number[];
    p50.push(round4(quantileSorted(slice, 0.5)));
    p99.push(round4(quantileSorted(slice, 0.99)));
  }
  return { p50, p99 };
}
