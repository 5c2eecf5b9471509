/**
 * Means and 95 % confidence intervals over repetitions (seeds), with Student's t distribution.
 *
 * simple-statistics provides the sample statistics (mean, sample standard deviation, the t
 * statistic) but no t distribution, so its CDF is derived here from the regularised incomplete
 * beta function (Numerical Recipes §6.4, continued fraction by the modified Lentz method):
 *
 *   P(|T| > t) = I_x(ν/2, 1/2) with x = ν / (ν + t²)        (ν degrees of freedom)
 *
 * and the critical value t(1 − α/2, ν) is found by bisection on that tail probability. Both are
 * checked against the published table values in test/confidence.test.ts.
 */
import { gammaln, mean, sampleStandardDeviation } from 'simple-statistics';
import { round4 } from '../sim/metrics/summary.js';

/** Confidence level of every interval routesim reports. */
export const CONFIDENCE = 0.95;

/** Continued fraction for the incomplete beta function (NR betacf), modified Lentz. */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const TINY = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 500; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta function I_x(a, b), a, b > 0, 0 ≤ x ≤ 1. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(gammaln(a + b) - gammaln(a) - gammaln(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Two-sided tail probability P(|T| ≥ |t|) of Student's t with `df` degrees of freedom. */
export function studentTTwoSidedP(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`);
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** Critical value t such that P(|T| ≥ t) = 1 − confidence (e.g. t(0.975, 4) = 2.776 for 95 %). */
export function studentTCritical(df: number, confidence = CONFIDENCE): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const alpha = 1 - confidence;
  let lo = 0;
  let hi = 1;
  while (studentTTwoSidedP(hi, df) > alpha) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTTwoSidedP(mid, df) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Mean and confidence interval of one figure over repetitions (rounded to 4 decimals). */
export interface FigureStats {
  /** Repetitions with a value (a null figure, e.g. a latency with no samples, is left out). */
  readonly n: number;
  readonly mean: number | null;
  /** Sample standard deviation (n − 1); null when n < 2. */
  readonly std: number | null;
  /** mean ∓ t(0.975, n − 1) · std / √n; null when n < 2. */
  readonly ci95_low: number | null;
  readonly ci95_high: number | null;
}

/** Unrounded mean and interval half-width of `values` (half-width null when fewer than 2). */
export function meanInterval(values: readonly number[], confidence = CONFIDENCE): { mean: number; std: number | null; half: number | null } {
  if (values.length === 0) throw new RangeError('meanInterval needs at least one value');
  const m = mean(values as number[]);
  if (values.length < 2) return { mean: m, std: null, half: null };
  const sd = sampleStandardDeviation(values as number[]);
  return { mean: m, std: sd, half: (studentTCritical(values.length - 1, confidence) * sd) / Math.sqrt(values.length) };
}

/** Mean, sample standard deviation and 95 % CI of the non-null `values`. */
export function figureStats(values: readonly (number | null)[]): FigureStats {
  const xs = values.filter((v): v is number => v !== null);
  if (xs.length === 0) return { n: 0, mean: null, std: null, ci95_low: null, ci95_high: null };
  const { mean: m, std, half } = meanInterval(xs);
  return {
    n: xs.length,
    mean: round4(m),
    std: std === null ? null : round4(std),
    ci95_low: half === null ? null : round4(m - half),
    ci95_high: half === null ? null : round4(m + half),
  };
}
