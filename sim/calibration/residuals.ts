/**
 * Residual summaries of a fit (../shared/reference/calibration.md §4.2 step 4: "report residual
 * percentiles by regime"; §4.5 for per-request figures): signed relative errors
 * (fit − target)/target, summarised by percentiles of their absolute value (linear interpolation
 * at rank p/100·(N−1), as BLIS and numpy) plus the signed mean (bias).
 */

export interface ResidualSummary {
  readonly n: number;
  /** Percentiles of |relative error|, in percent. */
  readonly p50_pct: number;
  readonly p90_pct: number;
  readonly p99_pct: number;
  readonly max_pct: number;
  /** Mean signed relative error, percent (+ = the fit is slower than the target). */
  readonly bias_pct: number;
}

/** Percentile p (0..100) of ascending-sorted values, linear interpolation at rank p/100·(N−1). */
export function percentileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (rank - lo) * (sorted[hi]! - sorted[lo]!);
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

/** Summary of signed relative errors (fractions, e.g. 0.02 = +2 %). */
export function summariseRelErrors(rel: readonly number[]): ResidualSummary {
  const abs = rel.map(Math.abs).sort((a, b) => a - b);
  const mean = rel.length > 0 ? rel.reduce((s, v) => s + v, 0) / rel.length : NaN;
  return {
    n: rel.length,
    p50_pct: round(100 * percentileSorted(abs, 50)),
    p90_pct: round(100 * percentileSorted(abs, 90)),
    p99_pct: round(100 * percentileSorted(abs, 99)),
    max_pct: round(100 * (abs[abs.length - 1] ?? NaN)),
    bias_pct: round(100 * mean),
  };
}

/** Plain-text table of named summaries. */
export function renderResiduals(title: string, rows: readonly (readonly [string, ResidualSummary])[]): string {
  const head = `${title}\n  ${'set'.padEnd(14)} ${'n'.padStart(5)} ${'p50 %'.padStart(8)} ${'p90 %'.padStart(8)} ${'p99 %'.padStart(8)} ${'max %'.padStart(8)} ${'bias %'.padStart(8)}\n`;
  return head + rows.map(([name, s]) => `  ${name.padEnd(14)} ${String(s.n).padStart(5)} ${s.p50_pct.toFixed(2).padStart(8)} ${s.p90_pct.toFixed(2).padStart(8)} ${s.p99_pct.toFixed(2).padStart(8)} ${s.max_pct.toFixed(2).padStart(8)} ${s.bias_pct.toFixed(2).padStart(8)}\n`).join('');
}
