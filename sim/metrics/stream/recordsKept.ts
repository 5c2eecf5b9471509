import type { ScenarioConfig } from '../../scenario/types.js';

/**
 * Where the record path ends (issue 15): a run of more requests than this per policy keeps no
 * per-request records and is summarised as its requests end (streamSummary.ts). Up to it an output
 * that needs records (a Benchmark Report, inference-perf reports, a TraceV2) can have them, and
 * every figure, percentiles included, is exact, from records or from the streamed summary's columns.
 */
export const RECORDS_KEPT = 1_000_000;

/**
 * `routesim run` summarises runs of more requests than this as they go, without records, unless an
 * output needs records: the same figures bit for bit up to RECORDS_KEPT (streamSummary.ts), in
 * ≈ 60 B of typed arrays a request instead of ≈ 300 B of record objects.
 */
export const STREAMED_FROM = 100_000;

/**
 * Requests one run of `sc` makes at `rate`: its `requests`, else its trace's `traceRows` when
 * known, else duration_s × rate (0 when neither is set: a trace replayed to its end).
 */
export function requestsPerRun(sc: Pick<ScenarioConfig, 'requests' | 'duration_s'>, rate: number, traceRows?: number): number {
  return sc.requests ?? traceRows ?? Math.round((sc.duration_s ?? 0) * rate);
}
