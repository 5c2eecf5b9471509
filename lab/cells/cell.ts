/**
 * A cell: one independent simulation of an experiment — one scenario variant (a sweep point, a
 * capacity option), one policy, one seed, one offered rate — and what it returns. Cells are the
 * unit that runs in parallel on worker threads and that shards split between machines; their
 * results are plain JSON, so a result computed here, in a worker or on another machine is the same
 * value and the assembled document is byte-identical whichever way the cells ran.
 */
import type { PolicySummary } from '../../sim/metrics/summary.js';
import type { LatencyDistributions, TimeSeries } from '../../reports/profiles.js';

export interface Cell {
  /** Index of the scenario variant in the experiment's list (0 = the scenario as loaded). */
  readonly variant: number;
  /** Index of the policy in the variant's `policies`. */
  readonly policy: number;
  readonly seed: number;
  /** Offered rate, req/s (replaces `workload.arrival.rate`). */
  readonly rate: number;
  /** Keep the TTFT / TPOT / E2E quantile grids (and per pool). */
  readonly profiles: boolean;
  /** Keep the time series (the primary run of each policy). */
  readonly timeseries: boolean;
  /** Keep no request records: summarise as requests end (sim/metrics/stream/). */
  readonly streamed?: boolean;
  /**
   * With `streamed`: the run is larger than RECORDS_KEPT requests, so its latencies go to sketches
   * from the first request (StreamedSummary's exactValues 0) instead of filling exact columns first.
   */
  readonly sketched?: boolean;
}

export interface CellResult {
  readonly summary: PolicySummary;
  readonly distributions?: LatencyDistributions;
  /** Multi-pool runs with `profiles`: the grids per pool, keyed by pool name, in pool order. */
  readonly pool_distributions?: Readonly<Record<string, LatencyDistributions>>;
  readonly timeseries?: TimeSeries;
  /** Requests the run generated (for progress). */
  readonly requests: number;
  /** A streamed run too large for exact figures: percentiles from sketches, the backlog from bins. */
  readonly approximate?: true;
}

/** A stable text key of a cell (shards and merges match results by it). */
export function cellKey(c: Cell): string {
  return `v${c.variant}/p${c.policy}/s${c.seed}/r${c.rate}/${c.profiles ? 'd' : '-'}${c.timeseries ? 't' : '-'}`;
}
