/**
 * Compact shapes of a run for the report's charts, small enough to keep in the results JSON:
 *
 * - latency distributions as fixed quantile grids (101 points, p = 0, 0.01, …, 1) of TTFT, TPOT
 *   and E2E over completed requests — the CDF charts plot them — never the per-request values;
 * - time series: every replica's waiting queue, running batch and KV-cache use as the engine had
 *   them and as the router last scraped them (sim/metrics/samples.ts), and completed / SLO-meeting
 *   requests per window (throughput and goodput over time).
 */
import { mean } from 'simple-statistics';
import type { PolicyRun, RequestRecord } from '../sim/metrics/types.js';
import type { SloConfig } from '../sim/scenario/types.js';
import { e2eMs, meetsSlo, round4, tpotMs, ttftMs } from '../sim/metrics/summary.js';
import { ttftOverTime, type TtftOverTime } from '../sim/metrics/timeSeries.js';
import { quantileGridOfSorted } from '../sim/metrics/latency.js';

/** Points of every quantile grid; point i is the quantile at p = i / (GRID_POINTS − 1). */
export const GRID_POINTS = 101;

/** Most windows a throughput series keeps; longer runs widen the window (doubling). */
export const MAX_WINDOWS = 2000;

/** Quantile grids in ms; null when the run completed no request with that latency. */
export interface LatencyDistributions {
  readonly ttft_ms: readonly number[] | null;
  readonly tpot_ms: readonly number[] | null;
  readonly e2e_ms: readonly number[] | null;
}

/** p of grid point i. */
export function gridP(i: number): number {
  return i / (GRID_POINTS - 1);
}

/** The 101-point quantile grid of `samples` (quantileSorted, type 7, at gridP(i)), rounded; null when empty. */
function quantileGrid(samples: readonly number[]): number[] | null {
  // A typed array sorts numerically without a comparator (as latency.ts latencyStats).
  return quantileGridOfSorted(Float64Array.from(samples).sort(), GRID_POINTS);
}

/** TTFT, TPOT and E2E grids over the completed requests of `records`. */
export function latencyDistributions(records: readonly RequestRecord[]): LatencyDistributions {
  const done = records.filter((r) => r.outcome === 'completed');
  const tpots: number[] = [];
  for (const r of done) {
    const t = tpotMs(r);
    if (t !== null) tpots.push(t);
  }
  return { ttft_ms: quantileGrid(done.map(ttftMs)), tpot_ms: quantileGrid(tpots), e2e_ms: quantileGrid(done.map(e2eMs)) };
}

/**
 * Combines several seeds' grids by averaging each quantile (Vincentisation: the quantile function
 * of the "typical" run); grids that are null are left out.
 */
export function averageDistributions(list: readonly LatencyDistributions[]): LatencyDistributions {
  const avg = (key: keyof LatencyDistributions): number[] | null => {
    const grids = list.map((d) => d[key]).filter((g): g is readonly number[] => g !== null);
    if (grids.length === 0) return null;
    if (grids.length === 1) return [...grids[0]!];
    return Array.from({ length: GRID_POINTS }, (_, i) => round4(mean(grids.map((g) => g[i]!))));
  };
  return { ttft_ms: avg('ttft_ms'), tpot_ms: avg('tpot_ms'), e2e_ms: avg('e2e_ms') };
}

export interface ReplicaTimeSeries {
  readonly name: string;
  /** Engine truth at each sample: requests waiting, requests running, KV blocks in use / total (0..1). */
  readonly waiting: readonly number[];
  readonly running: readonly number[];
  readonly kv_usage: readonly number[];
  /** The same gauges as the router last scraped them (stale by up to refresh_metrics_ms). */
  readonly scraped_waiting: readonly number[];
  readonly scraped_running: readonly number[];
  readonly scraped_kv_usage: readonly number[];
}

export interface TimeSeries {
  /** Sample i of every replica series is at i × sample_ms (ms from the start of the run). */
  readonly sample_ms: number;
  readonly replicas: readonly ReplicaTimeSeries[];
  /** Window k covers [k × window_ms, (k + 1) × window_ms) of simulated time. */
  readonly window_ms: number;
  /** Requests completed in each window / window length, req/s. */
  readonly throughput_rps: readonly number[];
  /** Completed requests meeting every set SLO in each window / window length, req/s. */
  readonly goodput_rps: readonly number[];
  /** Completed requests by arrival time: p50 / p99 TTFT per bin (sim/metrics/timeSeries.ts; bins start at window_ms). */
  readonly ttft_over_time?: TtftOverTime;
  /**
   * Issue 11, only for a run with a replica timeline (autoscaling / churn): requests arriving in each
   * window / window length, req/s — the offered load the replicas-over-time chart draws against.
   */
  readonly arrivals_rps?: readonly number[];
}

/** Each replica's sampled gauges, engine truth and scraped (no request records needed). */
export function replicaTimeSeries(run: Pick<PolicyRun, 'samples'>): ReplicaTimeSeries[] {
  return (run.samples?.replicas ?? []).map((r) => ({
    name: r.name,
    waiting: [...r.waiting],
    running: [...r.running],
    kv_usage: r.kvUsage.map(round4),
    scraped_waiting: [...r.scrapedWaiting],
    scraped_running: [...r.scrapedRunning],
    scraped_kv_usage: r.scrapedKvUsage.map(round4),
  }));
}

/** Builds the time series of one run; windows widen (doubling) past MAX_WINDOWS. */
export function timeSeries(run: PolicyRun, slo: SloConfig, windowMs: number): TimeSeries {
  const s = run.samples;
  const replicas = replicaTimeSeries(run);
  let lastUs = -1;
  for (const r of run.records) if (r.outcome === 'completed') lastUs = Math.max(lastUs, r.endUs);
  const scaling = run.replicaTimeline !== undefined;
  // With a replica timeline the windows also cover every arrival (the offered load series).
  if (scaling) for (const r of run.records) lastUs = Math.max(lastUs, r.arrivalUs);
  let windowUs = Math.max(1, Math.round(windowMs * 1000));
  while (lastUs >= 0 && Math.floor(lastUs / windowUs) + 1 > MAX_WINDOWS) windowUs *= 2;
  const windows = lastUs < 0 ? 0 : Math.floor(lastUs / windowUs) + 1;
  const done = new Array<number>(windows).fill(0);
  const good = new Array<number>(windows).fill(0);
  for (const r of run.records) {
    if (r.outcome !== 'completed') continue;
    const k = Math.floor(r.endUs / windowUs);
    done[k]!++;
    if (meetsSlo(r, slo)) good[k]!++;
  }
  const perS = 1e6 / windowUs;
  let arrivals: number[] | undefined;
  if (scaling) {
    arrivals = new Array<number>(windows).fill(0);
    for (const r of run.records) arrivals[Math.floor(r.arrivalUs / windowUs)]!++;
  }
  return {
    sample_ms: s ? s.intervalUs / 1000 : 0,
    replicas,
    window_ms: windowUs / 1000,
    throughput_rps: done.map((c) => round4(c * perS)),
    goodput_rps: good.map((c) => round4(c * perS)),
    ttft_over_time: ttftOverTime(run.records, windowMs),
    ...(arrivals !== undefined ? { arrivals_rps: arrivals.map((c) => round4(c * perS)) } : {}),
  };
}
