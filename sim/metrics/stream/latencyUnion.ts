/**
 * The latencies of two disjoint sets of requests read as one distribution, without a column of
 * both (issue 15). A streamed run's completed requests are those of its measurement window (the
 * window's columns, subset.ts) and those outside it (the warm-up's and the cool-down's, kept apart
 * by streamSummary.ts), so the report's distributions over every completed request read the two
 * instead of a third column holding every value again (3 × 8 MB on 1M requests).
 *
 * - Up to `limit` values together (EXACT_VALUES, as one column of them all would keep exactly):
 *   the grid is quantileGridOfSorted of all values sorted, read at the ranks type 7 needs by a
 *   binary search over the two sorted columns (`kthOfTwo`), so it is the same numbers.
 * - Past it, where that one column would have moved to a sketch: a sketch of both (their sketches
 *   merged, their values added). A sketch's quantiles depend on its bucket counts and its exact
 *   ends only, not on the order values came in, so it is that column's sketch's grid.
 */
import { quantileGridOfSorted } from '../latency.js';
import type { LatencyColumn } from './latencyColumn.js';
import { EXACT_VALUES } from './latencyColumn.js';
import { LatencySketch } from './latencySketch.js';

/** What the report's distributions read of a set of latencies (a LatencyColumn, or a union of two). */
export interface LatencyDistribution {
  readonly count: number;
  /** Whether its grid is exact (no sketch was needed). */
  readonly exact: boolean;
  /** Quantiles at p = i / (points − 1), rounded, as profiles.ts quantileGrid; null when empty. */
  grid(points: number): number[] | null;
}

export class LatencyUnion implements LatencyDistribution {
  constructor(
    private readonly a: LatencyColumn,
    private readonly b: LatencyColumn,
    private readonly limit = EXACT_VALUES,
  ) {}

  get count(): number {
    return this.a.count + this.b.count;
  }

  get exact(): boolean {
    return this.count <= this.limit;
  }

  grid(points: number): number[] | null {
    if (!Number.isInteger(points) || points < 2) throw new RangeError(`grid needs an integer ≥ 2 points, got ${points}`);
    const n = this.count;
    if (n === 0) return null;
    if (n > this.limit) {
      const sketch = new LatencySketch();
      this.a.addInto(sketch);
      this.b.addInto(sketch);
      return sketch.grid(points);
    }
    const a = this.a.sortedExact();
    const b = this.b.sortedExact();
    // The grid reads `length` and a few indices (type 7): give it the merged order's, by rank.
    const merged = new Proxy([] as number[], {
      get: (target, key) => (key === 'length' ? n : typeof key === 'string' && /^\d+$/.test(key) ? kthOfTwo(a, b, Number(key)) : Reflect.get(target, key)),
    });
    return quantileGridOfSorted(merged, points);
  }
}

/**
 * The value at rank k (0-based) of the ascending merge of the sorted `a` and `b`: the first i of `a`
 * and k + 1 − i of `b` are the k + 1 smallest for the least i with b[k − i] ≤ a[i] (or nothing left
 * on one side), found by binary search; the value is the greater of the two last taken.
 */
export function kthOfTwo(a: ArrayLike<number>, b: ArrayLike<number>, k: number): number {
  const na = a.length;
  const nb = b.length;
  if (!(k >= 0 && k < na + nb)) throw new RangeError(`rank ${k} outside 0 … ${na + nb - 1}`);
  let lo = Math.max(0, k + 1 - nb);
  let hi = Math.min(k + 1, na);
  while (lo < hi) {
    const i = (lo + hi) >> 1;
    const j = k + 1 - i;
    if (j > 0 && i < na && b[j - 1]! > a[i]!) lo = i + 1;
    else hi = i;
  }
  const j = k + 1 - lo;
  if (lo === 0) return b[j - 1]!;
  if (j === 0) return a[lo - 1]!;
  return Math.max(a[lo - 1]!, b[j - 1]!);
}
