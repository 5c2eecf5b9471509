/**
 * Judges one capacity probe (an offered rate, or a fleet size, over several seeds) against the
 * SLOs: per set SLO figure the mean over seeds and a ONE-SIDED 95 % Student-t bound in the SLO's
 * direction (mean + t·s/√n for latencies, mean − t·s/√n for goodput; one seed: the value itself),
 * and pass = every seed reached steady state AND every bound is within its limit
 * (../shared/reference/gateway.md §7.5: a point counts only at steady state).
 */
import { mean, sampleStandardDeviation } from 'simple-statistics';
import type { PolicySummary } from '../../sim/metrics/summary.js';
import { round4 } from '../../sim/metrics/summary.js';
import { studentTCritical } from '../../reports/confidence.js';
import type { CapacitySlo, Probe, ProbeFigure } from './types.js';

/** Confidence of the one-sided bound. */
export const CAPACITY_CONFIDENCE = 0.95;

/** The rule in words (the document's `rule`). */
export const CAPACITY_RULE =
  'a probe passes when every seed reached steady state and, for each set SLO, the one-sided 95 % Student-t bound over seeds (mean + t·s/√n for TTFT/TPOT p99, mean − t·s/√n for goodput; one seed: its value) is within the limit';

type FigureKey = 'ttft_p99_ms' | 'tpot_p99_ms' | 'goodput_pct';

/** Where the probe stands: the rate, the replica count (for --min-replicas) and its seeds' summaries. */
export interface ProbeInput {
  readonly rate: number;
  readonly replicas?: number;
  readonly seeds: readonly number[];
  readonly summaries: readonly PolicySummary[];
}

/** One-sided bound: t(confidence, n − 1)·s/√n added (upper) or subtracted (lower). */
export function oneSidedBound(values: readonly number[], upper: boolean, confidence = CAPACITY_CONFIDENCE): number {
  const m = mean([...values]);
  if (values.length < 2) return m;
  // studentTCritical is two-sided: the one-sided (1 − α) quantile is the two-sided (1 − 2α) one.
  const t = studentTCritical(values.length - 1, 1 - 2 * (1 - confidence));
  const half = (t * sampleStandardDeviation([...values])) / Math.sqrt(values.length);
  return upper ? m + half : m - half;
}

function figureValue(s: PolicySummary, key: FigureKey): number | null {
  if (key === 'ttft_p99_ms') return s.ttft_ms.p99;
  if (key === 'tpot_p99_ms') return s.tpot_ms.p99;
  return s.goodput.fraction * 100;
}

/** Thousands separators, up to one decimal: 2310.44 → "2,310.4". */
export function fmt(x: number): string {
  const r = Math.round(x * 10) / 10;
  return r.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

const LABEL: Record<FigureKey, string> = { ttft_p99_ms: 'ttft p99', tpot_p99_ms: 'tpot p99', goodput_pct: 'goodput' };
const UNIT: Record<FigureKey, string> = { ttft_p99_ms: ' ms', tpot_p99_ms: ' ms', goodput_pct: ' %' };

function judgeFigure(input: ProbeInput, key: FigureKey, limit: number): { fig: ProbeFigure; why: string | null } {
  const upper = key !== 'goodput_pct';
  const raw = input.summaries.map((s) => figureValue(s, key));
  // A seed with no completed request has no latency: it cannot meet a latency SLO.
  if (raw.some((v) => v === null)) {
    const missing = raw.filter((v) => v === null).length;
    return { fig: { mean: null, bound: null, limit, ok: false }, why: `${LABEL[key]}: ${missing} of ${raw.length} seeds completed nothing` };
  }
  const values = raw as number[];
  const m = mean(values);
  const bound = oneSidedBound(values, upper);
  const ok = upper ? bound <= limit : bound >= limit;
  const fig: ProbeFigure = { mean: round4(m), bound: round4(bound), limit, ok };
  return { fig, why: ok ? null : `${LABEL[key]} bound ${fmt(bound)}${UNIT[key]} ${upper ? '>' : '<'} ${fmt(limit)}` };
}

/** The verdict of one probe. */
export function judgeProbe(input: ProbeInput, slo: CapacitySlo): Probe {
  const n = input.summaries.length;
  if (n === 0) throw new Error('a probe needs at least one seed');
  const steady = input.summaries.filter((s) => s.steady_state.reached).length;
  const reasons: string[] = [];
  if (steady < n) reasons.push(`${n - steady} of ${n} seeds not steady`);
  const figures: Record<FigureKey, ProbeFigure | undefined> = { ttft_p99_ms: undefined, tpot_p99_ms: undefined, goodput_pct: undefined };
  for (const key of ['ttft_p99_ms', 'tpot_p99_ms', 'goodput_pct'] as const) {
    const limit = slo[key];
    if (limit === null) continue;
    const { fig, why } = judgeFigure(input, key, limit);
    figures[key] = fig;
    if (why !== null) reasons.push(why);
  }
  return {
    rate: input.rate,
    ...(input.replicas !== undefined ? { replicas: input.replicas } : {}),
    seeds: input.seeds,
    steady,
    figures,
    output_tokens_per_s: round4(mean(input.summaries.map((s) => s.throughput.output_tokens_per_s))),
    input_tokens_per_s: round4(mean(input.summaries.map((s) => s.throughput.input_tokens_per_s))),
    pass: reasons.length === 0,
    why: reasons.join('; '),
  };
}
