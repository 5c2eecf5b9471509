/**
 * The stages of a simulated run as inference-perf numbers them: one per stage of the arrival
 * profile's rate ladder (pauses such as inference-perf's `interval` are not stages; sim/metrics/
 * options.ts stageSpans), or a single stage 0 for a run without one. Each stage holds the
 * requests that arrived during it ([from_s, to_s), as summary.ts's `stages`), its load shape and
 * its ITL histogram: the whole run's for a one-stage run, the stage's own (PolicyRun.stageItl, by
 * the requests' arrival) for a ladder; null when the run does not carry it.
 */
import { stageSpans } from '../../sim/metrics/options.js';
import { stageIndexOf, type StageSpan } from '../../sim/metrics/breakdown.js';
import type { ItlCounts, PolicyRun, RequestRecord } from '../../sim/metrics/types.js';
import type { ScenarioConfig } from '../../sim/scenario/types.js';
import type { LoadShape } from './lifecycle.js';

export interface SimStage {
  readonly index: number;
  /** The ladder stage's span, or null for the single stage of a run without a ladder. */
  readonly span: StageSpan | null;
  readonly shape: LoadShape;
  readonly records: readonly RequestRecord[];
  /** Pooled token gaps (µs → tokens) of the stage's requests; null = not known. */
  readonly itl: ItlCounts | null;
}

/** Open loop at the scenario's offered rate, or a closed loop of `users` session clients. */
export function loadShape(scenario: ScenarioConfig): LoadShape {
  const src = scenario.workload.source;
  if (src?.kind === 'sessions' && src.mode === 'closed') return { kind: 'closed', concurrency: src.users };
  return { kind: 'open', rate: scenario.workload.arrival.rate };
}

/** How many stages a run of `scenario` has (the files can be named before the simulation). */
export function stageCount(scenario: ScenarioConfig): number {
  return Math.max(1, stageSpans(scenario).length);
}

/** The run's records (and ITL, when `itl` is given) split into its stages. */
export function simStages(scenario: ScenarioConfig, records: readonly RequestRecord[], itl?: Pick<PolicyRun, 'itl' | 'stageItl'>): SimStage[] {
  const spans = stageSpans(scenario);
  const shape = loadShape(scenario);
  if (spans.length === 0) return [{ index: 0, span: null, shape, records, itl: itl?.itl ?? null }];
  const buckets: RequestRecord[][] = spans.map(() => []);
  for (const r of records) {
    const i = stageIndexOf(spans, r.arrivalUs);
    if (i >= 0) buckets[i]!.push(r);
  }
  return spans.map((span, index) => ({ index, span, shape: shape.kind === 'open' ? { kind: 'open', rate: span.rate } : shape, records: buckets[index]!, itl: itl?.stageItl?.[index] ?? null }));
}
