/**
 * Latency, throughput and goodput figures of a set of request records (the building blocks of
 * summary.ts, breakdown.ts and stages): TTFT, TPOT, E2E per record, quantile blocks, the exact ITL
 * histogram quantiles, SLO checks, durations. Conventions are summary.ts's.
 */
import { mean, quantileSorted } from 'simple-statistics';
import type { SloConfig } from '../scenario/types.js';
import type { ItlCounts, RequestRecord } from './types.js';

/** Mean and tail quantiles of a latency, in ms; every field null when there are no samples. */
export interface LatencyStats {
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

export interface ThroughputStats {
  /** (latest response completion of a completed request − earliest arrivalUs of any request) / 1e6; 0 when nothing completed. */
  readonly duration_s: number;
  /** Completed requests / duration_s (0 when duration_s is 0; same for the token rates). */
  readonly requests_per_s: number;
  /** Σ inputTokens of completed requests / duration_s. */
  readonly input_tokens_per_s: number;
  /** Σ outputTokens of completed requests / duration_s. */
  readonly output_tokens_per_s: number;
}

export interface GoodputStats {
  /** Completed requests meeting every set SLO / duration_s. */
  readonly requests_per_s: number;
  /** Completed requests meeting every set SLO / arrived requests (0 when nothing arrived). */
  readonly fraction: number;
}

/** A latency block with every field null (no samples). */
export const EMPTY_LATENCY: LatencyStats = { mean: null, p50: null, p90: null, p95: null, p99: null };

/** Builds a rounded latency block from a mean and a quantile function over the same samples. */
function latencyBlock(meanValue: number, quantile: (p: number) => number): LatencyStats {
  return {
    mean: round4(meanValue),
    p50: round4(quantile(0.5)),
    p90: round4(quantile(0.9)),
    p95: round4(quantile(0.95)),
    p99: round4(quantile(0.99)),
  };
}

/** Rejection reason used when a rejected record carries an empty reason. */
export const UNSPECIFIED_REASON = 'unspecified';

/** Rounds to 4 decimal places deterministically (and turns -0 into 0). */
export function round4(x: number): number {
  return Number(x.toFixed(4)) + 0;
}

/** Rounds, keeping null. */
export function round4OrNull(x: number | null): number | null {
  return x === null ? null : round4(x);
}

/** A count map as an object with its keys sorted (by code unit). */
export function sortedCounts(counts: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of [...counts.keys()].sort()) out[key] = counts.get(key) as number;
  return out;
}

/** a / b, or 0 when b is 0 (or the quotient is not finite). */
export function ratio(a: number, b: number): number {
  if (b === 0) return 0;
  const r = a / b;
  return Number.isFinite(r) ? r : 0;
}

/** Latency block over plain samples (any order), rounded; all null when empty. */
export function latencyStats(samples: readonly number[]): LatencyStats {
  // A typed array sorts numerically without a comparator callback (several times faster); mean
  // and quantileSorted only index it, so the figures are bit-identical to sorting a plain array.
  return latencyStatsOfSorted(Float64Array.from(samples).sort());
}

/** latencyStats of samples already sorted ascending (a streamed run's columns: latencyColumn.ts). */
export function latencyStatsOfSorted(sorted: Float64Array): LatencyStats {
  if (sorted.length === 0) return EMPTY_LATENCY;
  const s = sorted as unknown as number[];
  return latencyBlock(mean(s), (p) => quantileSorted(s, p));
}

/** Quantiles (type 7) at p = i / (points − 1), i = 0 … points − 1, rounded, of ascending samples; null when empty. */
export function quantileGridOfSorted(sorted: ArrayLike<number>, points: number): number[] | null {
  if (sorted.length === 0) return null;
  const s = sorted as unknown as number[];
  return Array.from({ length: points }, (_, i) => round4(quantileSorted(s, i / (points - 1))));
}

/**
 * A sorted sequence given as distinct ascending values with repeat counts, i.e. the "virtual"
 * expansion v0×c0, v1×c1, …, without materialising it.
 */
export interface WeightedSorted {
  readonly values: readonly number[];
  /** cumulative[i] = c0 + … + ci (positive counts only). */
  readonly cumulative: readonly number[];
  /** Total number of virtual elements. */
  readonly n: number;
}

/** Builds the virtual sorted sequence of a value → count map (zero/negative counts dropped). */
export function weightedSorted(counts: ReadonlyMap<number, number>): WeightedSorted {
  const entries = [...counts.entries()].filter(([, c]) => c > 0).sort((a, b) => a[0] - b[0]);
  const values: number[] = [];
  const cumulative: number[] = [];
  let n = 0;
  for (const [v, c] of entries) {
    n += c;
    values.push(v);
    cumulative.push(n);
  }
  return { values, cumulative, n };
}

/** Element `k` (0-based) of the virtual expanded sequence (binary search on the cumulative counts). */
function elementAt(ws: WeightedSorted, k: number): number {
  let lo = 0;
  let hi = ws.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ws.cumulative[mid] as number) > k) hi = mid;
    else lo = mid + 1;
  }
  return ws.values[lo] as number;
}

/**
 * Quantile of the virtual expanded sequence, reproducing simple-statistics `quantileSorted`
 * (v7.12, type 7) step for step so the result is bit-identical to running it on the expanded
 * array: idx = (n − 1)·p; p = 1 → last; p = 0 → first; non-integer idx → linear interpolation
 * between elements ⌊idx⌋ and ⌈idx⌉; integer idx → element idx.
 */
export function weightedQuantileSorted(ws: WeightedSorted, p: number): number {
  const n = ws.n;
  const idx = (n - 1) * p;
  if (n === 0) throw new Error('quantile requires at least one data point.');
  if (p < 0 || p > 1) throw new Error('quantiles must be between 0 and 1');
  if (p === 1) return ws.values[ws.values.length - 1] as number;
  if (p === 0) return ws.values[0] as number;
  if (idx % 1 !== 0) {
    const lower = Math.floor(idx);
    const upper = Math.ceil(idx);
    const fraction = idx - lower;
    const xl = elementAt(ws, lower);
    return xl + fraction * (elementAt(ws, upper) - xl);
  }
  return elementAt(ws, idx);
}

/**
 * ITL block from the µs → token-count histogram, less the histograms in `exclude` (parts of it:
 * the tokens outside a measurement window). Values are converted to ms before the quantile (so
 * quantiles equal `quantileSorted` on the expanded ms array); the mean is Σ(v·c)/Σc computed in µs
 * (exact for integer µs) and then divided by 1000.
 */
export function itlStats(itl: ItlCounts, exclude: readonly ItlCounts[] = []): LatencyStats {
  let totalUs = 0;
  const msCounts = new Map<number, number>();
  const add = (m: ItlCounts, sign: number): void => {
    for (const [us, c] of m) {
      if (c <= 0) continue;
      totalUs += sign * us * c;
      const ms = us / 1000;
      msCounts.set(ms, (msCounts.get(ms) ?? 0) + sign * c);
    }
  };
  add(itl, 1);
  for (const m of exclude) add(m, -1);
  const ws = weightedSorted(msCounts);
  if (ws.n === 0) return EMPTY_LATENCY;
  return latencyBlock(totalUs / ws.n / 1000, (p) => weightedQuantileSorted(ws, p));
}

/** TTFT of a record in ms. */
export function ttftMs(r: RequestRecord): number {
  return (r.firstTokenUs - r.arrivalUs) / 1000;
}

/** E2E latency of a record in ms: response complete (last token + completion overhead α1) − arrival. */
export function e2eMs(r: RequestRecord): number {
  return (r.endUs - r.arrivalUs) / 1000;
}

/** TPOT of a record in ms (between its first and last token, α1 excluded), or null when it has a single output token (no inter-token gap). */
export function tpotMs(r: RequestRecord): number | null {
  if (r.outputTokens <= 1) return null;
  return (r.lastTokenUs - r.firstTokenUs) / (r.outputTokens - 1) / 1000;
}

/**
 * Whether a completed request meets every SLO that is set: TTFT ≤ slo.ttft_ms and TPOT ≤
 * slo.tpot_ms (inclusive). A request without a TPOT (one output token) passes the TPOT SLO.
 */
export function meetsSlo(r: RequestRecord, slo: SloConfig): boolean {
  if (slo.ttft_ms !== null && ttftMs(r) > slo.ttft_ms) return false;
  if (slo.tpot_ms !== null) {
    const tpot = tpotMs(r);
    if (tpot !== null && tpot > slo.tpot_ms) return false;
  }
  return true;
}

/**
 * Run duration in seconds: latest response completion (endUs) of a completed request − earliest
 * arrivalUs of any request; 0 when nothing completed.
 */
export function durationSeconds(records: readonly RequestRecord[], completed: readonly RequestRecord[]): number {
  if (completed.length === 0) return 0;
  let firstArrival = Infinity;
  for (const r of records) firstArrival = Math.min(firstArrival, r.arrivalUs);
  let lastToken = -Infinity;
  for (const r of completed) lastToken = Math.max(lastToken, r.endUs);
  return durationFrom(firstArrival, lastToken, completed.length);
}

/** durationSeconds from its parts: the earliest arrival, the latest completion and how many completed. */
export function durationFrom(firstArrivalUs: number, lastEndUs: number, completed: number): number {
  if (completed === 0) return 0;
  return Math.max(0, (lastEndUs - firstArrivalUs) / 1e6);
}

/** Throughput of completed requests over `durationS` (unrounded); rates 0 when the duration is 0. */
export function throughputStats(completed: readonly RequestRecord[], durationS: number): ThroughputStats {
  let inTok = 0;
  let outTok = 0;
  for (const r of completed) {
    inTok += r.inputTokens;
    outTok += r.outputTokens;
  }
  return throughputFrom(completed.length, inTok, outTok, durationS);
}

/** throughputStats from its parts: completed requests and their prompt and output token sums. */
export function throughputFrom(completed: number, inputTokens: number, outputTokens: number, durationS: number): ThroughputStats {
  return {
    duration_s: round4(durationS),
    requests_per_s: round4(ratio(completed, durationS)),
    input_tokens_per_s: round4(ratio(inputTokens, durationS)),
    output_tokens_per_s: round4(ratio(outputTokens, durationS)),
  };
}

/** Goodput of `good` SLO-meeting completions among `measured` requests over `durationS`. */
export function goodputFrom(good: number, measured: number, durationS: number): GoodputStats {
  return { requests_per_s: round4(ratio(good, durationS)), fraction: round4(ratio(good, measured)) };
}
