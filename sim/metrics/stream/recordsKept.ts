import type { ScenarioConfig } from '../../scenario/types.js';

/**
 * Where the record path ends (issue 15): a run of more requests than this per policy keeps no
 * per-request records and is summarised as its requests end (streamSummary.ts). Up to it, every
 * figure, percentiles included, is computed exactly from the records.
 */
export const RECORDS_KEPT = 1_000_000;

/**
 * Requests one run of `sc` makes at `rate`: its `requests`, else its trace's `traceRows` when
 * known, else duration_s × rate (0 when neither is set: a trace replayed to its end).
 */
export function requestsPerRun(sc: Pick<ScenarioConfig, 'requests' | 'duration_s'>, rate: number, traceRows?: number): number {
  return sc.requests ?? traceRows ?? Math.round((sc.duration_s ?? 0) * rate);
}
