/**
 * Paired comparisons over seeds. Every policy of a scenario replays the identical request stream
 * for a given seed, so the difference between two policies (or between a baseline and a current
 * run) is paired by seed: the test is a one-sample t test on the per-seed differences,
 * t = mean / (s / √n) with the sample standard deviation s (confidence.ts meanInterval: simple-
 * statistics' mean and sampleStandardDeviation), and the two-sided p-value from Student's t with
 * n − 1 degrees of freedom (confidence.ts).
 *
 * simple-statistics' own `tTest` is not used: it divides by the population standard deviation
 * (√(Σd²/n) instead of √(Σd²/(n − 1))), which overstates t — for the differences [2, 4, 6] it gives
 * t = 4.24 (p = 0.051) instead of the textbook 3.46 (p = 0.074); test/confidence.test.ts pins this.
 */
import { round4 } from '../sim/metrics/summary.js';
import { CONFIDENCE, meanInterval, studentTTwoSidedP } from './confidence.js';

/** Significance level matching the 95 % intervals. */
export const ALPHA = 1 - CONFIDENCE;

export interface PairedTest {
  /** Pairs used (seeds where both sides have a value). */
  readonly n: number;
  /** Mean of the differences. */
  readonly meanDiff: number;
  /** 95 % confidence interval of the mean difference (null when n < 2). */
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
  /** Two-sided p-value of "mean difference = 0" (null when n < 2). */
  readonly p: number | null;
  /** One-sided p-value of "mean difference ≤ 0" against "> 0" (null when n < 2). */
  readonly pGreater: number | null;
}

/**
 * Paired t test on `diffs` (one difference per seed). With no spread the p-value is 1 when every
 * difference is 0 and 0 otherwise (a constant non-zero shift is as certain as it gets).
 */
export function pairedTest(diffs: readonly number[]): PairedTest {
  if (diffs.length === 0) throw new RangeError('pairedTest needs at least one difference');
  const { mean: m, std, half: h } = meanInterval(diffs);
  if (std === null || h === null) return { n: diffs.length, meanDiff: m, ciLow: null, ciHigh: null, p: null, pGreater: null };
  let p: number;
  let pGreater: number;
  if (h === 0) {
    p = m === 0 ? 1 : 0;
    pGreater = m > 0 ? 0 : 1;
  } else {
    const t = m / (std / Math.sqrt(diffs.length));
    p = studentTTwoSidedP(t, diffs.length - 1);
    pGreater = t >= 0 ? p / 2 : 1 - p / 2;
  }
  return { n: diffs.length, meanDiff: m, ciLow: m - h, ciHigh: m + h, p, pGreater };
}

/** A difference between two policies of one run on one figure, over the run's seeds. */
export interface PolicyComparison {
  readonly figure: string;
  /** `b − a`: the difference is b's figure minus a's, seed by seed. */
  readonly a: string;
  readonly b: string;
  readonly n: number;
  readonly mean_diff: number;
  readonly ci95_low: number | null;
  readonly ci95_high: number | null;
  readonly p_value: number | null;
  /** p < 0.05 (the 95 % interval of the difference excludes 0). */
  readonly significant: boolean;
}

/** Figures compared between every pair of policies. */
export const COMPARED_FIGURES = [
  'ttft_ms.p50',
  'ttft_ms.p99',
  'tpot_ms.p99',
  'e2e_ms.p99',
  'throughput.output_tokens_per_s',
  'goodput.requests_per_s',
] as const;

/**
 * Compares every pair of policies (in scenario order, a before b) on `figures`. `perSeed` maps a
 * policy name to its figure values, one map per seed in the same seed order for every policy.
 * Seeds where either side is null are left out of that pair.
 */
export function comparePolicies(
  policies: readonly string[],
  perSeed: ReadonlyMap<string, readonly ReadonlyMap<string, number | null>[]>,
  figures: readonly string[] = COMPARED_FIGURES,
): PolicyComparison[] {
  const out: PolicyComparison[] = [];
  for (let i = 0; i < policies.length; i++) {
    for (let j = i + 1; j < policies.length; j++) {
      const a = policies[i]!;
      const b = policies[j]!;
      const sa = perSeed.get(a) ?? [];
      const sb = perSeed.get(b) ?? [];
      for (const figure of figures) {
        const diffs: number[] = [];
        for (let k = 0; k < Math.min(sa.length, sb.length); k++) {
          const va = sa[k]!.get(figure);
          const vb = sb[k]!.get(figure);
          if (va == null || vb == null) continue;
          diffs.push(vb - va);
        }
        if (diffs.length < 2) continue;
        const t = pairedTest(diffs);
        out.push({
          figure,
          a,
          b,
          n: t.n,
          mean_diff: round4(t.meanDiff),
          ci95_low: t.ciLow === null ? null : round4(t.ciLow),
          ci95_high: t.ciHigh === null ? null : round4(t.ciHigh),
          p_value: t.p === null ? null : Number(t.p.toPrecision(4)),
          significant: t.p !== null && t.p < ALPHA,
        });
      }
    }
  }
  return out;
}
