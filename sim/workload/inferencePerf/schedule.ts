/**
 * When inference-perf schedules a stage's requests (formats.md §1.3), as offsets in seconds from
 * the stage's timer origin (1 s into the stage):
 * - constant: n Exp gaps rescaled to fill exactly `duration` (n − 1 uniform order statistics plus
 *   one at the end): Poisson-like, not evenly spaced;
 * - poisson: each 1-s bucket draws k ~ Poisson(rate) and places k arrivals as constant does;
 *   the first n are used;
 * - concurrent: n over 1 s as constant does (the semaphore, not the schedule, sets the pace);
 * - sweep rates from a probe's saturation estimate.
 */
import { exponential, type Rng } from '../../core/rng.js';
import { poisson } from './distribution.js';
import type { RateStage, Stage, SweepPlan } from './types.js';

/** n arrivals filling [0, duration]: cumulative Exp(1) gaps scaled so the last is at `duration`. */
export function constantOffsets(n: number, duration: number, rng: Rng): number[] {
  const out: number[] = [];
  let s = 0;
  for (let i = 0; i < n; i++) out.push((s += exponential(rng, 1)));
  return out.map((x) => (x / s) * duration);
}

export function poissonOffsets(n: number, rate: number, rng: Rng): number[] {
  const out: number[] = [];
  for (let b = 0; out.length < n; b++) {
    const k = poisson(rng, rate);
    if (k === 0) continue;
    for (const x of constantOffsets(k, 1, rng)) if (out.length < n) out.push(b + x);
  }
  return out;
}

/** Offsets (s) of a request stage of load type `type`. */
export function stageOffsets(stage: Stage, type: string, rng: Rng): number[] {
  switch (stage.kind) {
    case 'rate':
      return type === 'poisson' ? poissonOffsets(stage.n, stage.rate, rng) : constantOffsets(stage.n, stage.duration_s, rng);
    case 'concurrent':
      return constantOffsets(stage.n, 1, rng);
    case 'trace':
      return stage.offsetsUs.map((u) => u / 1e6);
    case 'sessions':
      throw new RangeError('session stages have no request schedule');
  }
}

/** numpy.percentile (linear interpolation) of `xs` at `p` ∈ [0, 100]. */
export function percentile(xs: readonly number[], p: number): number {
  const a = [...xs].sort((x, y) => x - y);
  const h = ((a.length - 1) * p) / 100;
  const lo = Math.floor(h);
  return lo + 1 < a.length ? a[lo]! + (h - lo) * (a[lo + 1]! - a[lo]!) : a[lo]!;
}

/**
 * The saturation S of a probe: the in-flight count sampled every 0.5 s from the origin until
 * everything finished (or the timeout); every falling interval gives |Δ|/0.5 s; S = the
 * percentile of those (1 req/s when nothing fell).
 */
export function saturation(sendsUs: readonly number[], endsUs: readonly number[], originUs: number, sw: SweepPlan): number {
  const sends = [...sendsUs].sort((a, b) => a - b);
  const ends = [...endsUs].sort((a, b) => a - b);
  const last = Math.min(ends.length > 0 ? ends[ends.length - 1]! : originUs, originUs + sw.timeout_s * 1e6);
  let si = 0;
  let ei = 0;
  /** In flight at `t` (times non-decreasing across calls). */
  const count = (t: number): number => {
    while (si < sends.length && sends[si]! <= t) si++;
    while (ei < ends.length && ends[ei]! <= t) ei++;
    return si - ei;
  };
  const rates: number[] = [];
  let prev = count(originUs);
  for (let t = originUs + 5e5; t <= last + 5e5; t += 5e5) {
    const c = count(t);
    if (c < prev) rates.push((prev - c) / 0.5);
    prev = c;
  }
  return rates.length === 0 ? 1 : Math.max(1, percentile(rates, sw.saturation_percentile));
}

/** The sweep's rate stages for saturation S: linspace(1, S, k) or 1 + S − geomspace(S, 1, k), to 0.01. */
export function sweepStages(S: number, sw: SweepPlan): RateStage[] {
  const k = sw.num_stages;
  const rates = Array.from({ length: k }, (_, i) => {
    const f = k === 1 ? 1 : i / (k - 1);
    return sw.type === 'linear' ? 1 + (S - 1) * f : 1 + S - S * Math.pow(1 / S, f);
  });
  return rates.map((r) => {
    const rate = Math.max(0.01, Math.round(r * 100) / 100);
    return { kind: 'rate', rate, duration_s: sw.stage_duration_s, n: Math.floor(rate * sw.stage_duration_s) };
  });
}
