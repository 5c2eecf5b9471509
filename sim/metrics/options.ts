/** The summary options a scenario implies: its measurement window, load stages and tenant names. */
import { gpuPrices } from '../autoscale/cost.js';
import type { ScenarioConfig } from '../scenario/types.js';
import type { StageSpan } from './breakdown.js';
import type { SummaryOptions } from './summary.js';

/**
 * Stages of the arrival profile as [from_s, to_s) spans with their offered rate. With a sweep the
 * workload's `rate` was changed and every stage scales by rate / the stages' time-weighted mean,
 * as the arrival process does (workload/arrivals.ts createRateFunction). Pauses (rate 0, e.g.
 * inference-perf's `interval` between stages) are not stages of their own.
 */
export function stageSpans(scenario: ScenarioConfig): StageSpan[] {
  const arrival = scenario.workload.arrival;
  const stages = arrival.profile?.stages ?? [];
  if (stages.length === 0) return [];
  const total = stages.reduce((s, x) => s + x.duration_s, 0);
  const mean = stages.reduce((s, x) => s + x.rate * x.duration_s, 0) / total;
  const k = arrival.rate !== mean ? arrival.rate / mean : 1;
  const out: StageSpan[] = [];
  let t = 0;
  for (const s of stages) {
    if (s.rate > 0) out.push({ from_s: t, to_s: t + s.duration_s, rate: s.rate * k });
    t += s.duration_s;
  }
  return out;
}

export function summaryOptionsFor(scenario: ScenarioConfig): SummaryOptions {
  const report = scenario.report;
  const src = scenario.workload.source;
  const stages = stageSpans(scenario);
  return {
    // A scenario without a report block (built in code) gets the loader's defaults.
    warmup_s: report?.warmup_s === undefined ? null : report.warmup_s,
    cooldown_s: report?.cooldown_s ?? 0,
    ...(stages.length > 0 ? { stages } : {}),
    ...(src?.kind === 'tenants' ? { tenantNames: src.tenants.map((t) => t.name) } : {}),
    // $/GPU-hour for the cost of runs whose replicas change (used only with a replica timeline).
    gpuPrices: gpuPrices(scenario.gpu_prices ?? {}),
  };
}
