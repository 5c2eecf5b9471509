/**
 * Metric accessors shared by the load scorers, filters and detectors. An endpoint whose metrics are
 * `null` has never been scraped; production always has a Metrics struct (zero-valued until the first
 * successful scrape), so it reads as zeros here: 0 waiting, 0 running, 0 KV usage, no adapters,
 * max_lora 0. Only the utilization detector treats missing metrics specially (as stale).
 */
import type { SchedEndpoint } from '../../framework/types.js';

const NO_MODELS: readonly string[] = [];

// Written as `m == null ? 0 : m.field`, not `m?.field ?? 0`: `??` tests the field's value for
// undefined, which keeps it tagged, so an optimised caller boxed every fractional KV usage it read in
// a fresh heap number (≈ 1 KB a request on 64 endpoints, 13 % of a GAIE run's allocation; issue 15).
export const waiting = (e: SchedEndpoint): number => {
  const m = e.metrics;
  return m == null ? 0 : m.waitingQueueSize;
};
export const running = (e: SchedEndpoint): number => {
  const m = e.metrics;
  return m == null ? 0 : m.runningRequestsSize;
};
export const kvUsage = (e: SchedEndpoint): number => {
  const m = e.metrics;
  return m == null ? 0 : m.kvCacheUsagePercent;
};
export const activeModels = (e: SchedEndpoint): readonly string[] => e.metrics?.activeModels ?? NO_MODELS;
export const waitingModels = (e: SchedEndpoint): readonly string[] => e.metrics?.waitingModels ?? NO_MODELS;
export const maxActiveModels = (e: SchedEndpoint): number => e.metrics?.maxActiveModels ?? 0;

/**
 * Min–max normalisation over the current candidates, as GAIE's queue and running-requests scorers
 * do it: `(max − v) / (max − min)`, and 1.0 for everyone when all values are equal (or there is one
 * candidate). The lowest value scores exactly 1, the highest exactly 0.
 */
export function minMaxInverted(endpoints: readonly SchedEndpoint[], value: (e: SchedEndpoint) => number): Map<string, number> {
  const n = endpoints.length;
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) scores[i] = value(endpoints[i]!);
  minMaxInvertedInPlace(scores, n);
  const out = new Map<string, number>();
  for (let i = 0; i < n; i++) out.set(endpoints[i]!.name, scores[i]!);
  return out;
}

/**
 * `minMaxInverted` in place for Scorer.scoreInto: `out[0..n)` holds each candidate's value on entry
 * and its score on return.
 */
export function minMaxInvertedInPlace(out: Float64Array, n: number): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = out[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  for (let i = 0; i < n; i++) out[i] = range === 0 ? 1 : (max - out[i]!) / range;
}
