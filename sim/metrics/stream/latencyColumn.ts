/**
 * One latency distribution of a streamed summary (streamSummary.ts): exact while its group holds at
 * most EXACT_VALUES values, a sketch beyond (issue 15: percentiles exact for runs up to 1,000,000
 * requests a policy, in typed arrays instead of request records; bounded memory past that).
 *
 * - Exact: the values in a compactColumn.ts column of scale 1000 (doubling): 4 B each while every
 *   value is a whole number of µs (TTFT, E2E and queue times, the simulator's clock being integer
 *   µs), 8 B from the first that is not (TPOT). `stats` and `grid` sort them, as float64, and read
 *   them exactly as latency.ts `latencyStats` and profiles.ts `quantileGrid` read the record path's
 *   samples (simple-statistics `mean` and `quantileSorted` over the sorted values), so the figures
 *   are bit-identical to the record path's.
 * - Shared: a column made with a `source` (a class, pool or route subset of the whole run) stores
 *   nothing while its values are the source's first ones — it was given each of the source's values
 *   right after the source, which is what happens while every request of the run is in the subset
 *   (one priority, one tenant, one pool…). Its first value that the source got without it makes it
 *   copy that prefix and keep its own from then on. A run whose subsets are all the whole run
 *   therefore keeps each latency once.
 * - Past EXACT_VALUES values a root column (one without a source) moves to a LatencySketch (its
 *   values replayed in order: latencySketch.ts's bound, and the same mean as adding them one by one),
 *   and so do the columns still sharing its values; a column with its own values moves when it
 *   passes EXACT_VALUES itself. `exact` says which happened.
 */
import { latencyStatsOfSorted, quantileGridOfSorted, type LatencyStats } from '../latency.js';
import { RECORDS_KEPT } from './recordsKept.js';
import { LatencySketch } from './latencySketch.js';
import { sortInPlace } from './sortFloat64.js';
import { CompactColumn, doubledCapacity, MS_SCALE } from './compactColumn.js';

/** Values a column keeps exactly (the record path's limit). */
export const EXACT_VALUES = RECORDS_KEPT;

export class LatencyColumn {
  private values = new CompactColumn(0, MS_SCALE);
  private n = 0;
  private sketch: LatencySketch | null = null;
  /** Columns whose first values are this one's (made with it as their source and not yet apart). */
  private readonly sharers: LatencyColumn[] = [];
  /** Its values sorted (when `sortedN` is its count): one sort per column, shared with a source of the same count. */
  private sorted: Float64Array | null = null;
  private sortedN = -1;
  /**
   * Whether its values were sorted where they are (sortedValues): a root column whose sharers all
   * have its count, read once the run has ended, keeps no unsorted copy (≈ 50 MB less at the end of
   * a 1M-request run, issue 15). It takes no value after that.
   */
  private sortedInPlace = false;

  /**
   * @param source a column whose values this one's are a subsequence of, in the same order, each
   *   added here after it was added there (a subset's column given the whole run's).
   * @param limit values kept exactly (tests use small ones).
   */
  constructor(
    private source: LatencyColumn | null = null,
    private readonly limit = EXACT_VALUES,
  ) {
    source?.sharers.push(this);
  }

  get count(): number {
    return this.sketch?.count ?? this.n;
  }

  /** Whether it stores nothing of its own: its values are still its source's first ones. */
  get sharing(): boolean {
    return this.source !== null;
  }

  /** Whether its own values are still 4 B each (whole µs: compactColumn.ts). */
  get compactValues(): boolean {
    return this.values.compact;
  }

  /** Whether every figure is exact (no sketch was needed). */
  get exact(): boolean {
    return this.sketch === null;
  }

  /** Adds one latency (ms, finite, ≥ 0). */
  add(ms: number): void {
    if (this.sketch !== null) {
      this.sketch.add(ms);
      return;
    }
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency must be a finite number ≥ 0, got ${ms}`);
    const src = this.source;
    if (this.sortedInPlace || src?.sortedInPlace === true) throw new Error('latency column: a value added after its figures were read');
    if (src !== null) {
      // Still the source's prefix if the source's next-to-last value was our last: its last is this one.
      if (src.n === this.n + 1 && src.values.get(this.n) === ms) {
        this.n++;
        return;
      }
      this.ownValues();
    }
    if (this.n === this.limit) {
      this.toSketch();
      this.sketch!.add(ms);
      return;
    }
    if (this.n === this.values.capacity) this.values.grow(doubledCapacity(this.n, this.limit), this.n);
    this.values.set(this.n++, ms);
  }

  /** Copies the source's prefix this column stands for and stops sharing it. */
  private ownValues(): void {
    const src = this.source!;
    this.values = src.values.copy(this.n, doubledCapacity(this.n, this.limit));
    this.detach();
  }

  private detach(): void {
    const src = this.source!;
    src.sharers.splice(src.sharers.indexOf(this), 1);
    this.source = null;
  }

  /** Moves to a sketch (values replayed in order), with every column still sharing them. */
  private toSketch(): void {
    for (const s of [...this.sharers]) s.sketchOf(this.values);
    this.sketchOf(this.values);
    this.values = new CompactColumn(0, MS_SCALE);
    this.sorted = null;
  }

  private sketchOf(values: CompactColumn): void {
    if (this.source !== null) this.detach();
    const sk = new LatencySketch();
    for (let i = 0; i < this.n; i++) sk.add(values.get(i));
    this.sketch = sk;
  }

  /**
   * Its values, sorted: sorted once and kept (a summary reads a subset's figures more than once); a
   * column sharing all of its source's values takes the source's sorted copy.
   */
  private sortedValues(): Float64Array {
    if (this.sortedN !== this.n) {
      const src = this.source;
      if (src !== null && src.n === this.n) this.sorted = src.sortedValues();
      // A prefix of the source's values, or values a sharer still reads in their order: a sorted copy.
      else if (src !== null || this.sharers.some((c) => c.n !== this.n)) this.sorted = sortInPlace((src ?? this).values.toFloat64(this.n), this.n);
      else {
        this.sorted = this.values.sortedFloat64(this.n);
        this.values = new CompactColumn(0, MS_SCALE);
        this.sortedInPlace = true;
      }
      this.sortedN = this.n;
    }
    return this.sorted!;
  }

  /** Its values sorted ascending (exactly `count` of them), while it is exact (latencyUnion.ts reads two at once). */
  sortedExact(): Float64Array {
    if (this.sketch !== null) throw new Error('latency column: sorted values of a sketch');
    return this.sortedValues().subarray(0, this.n);
  }

  /** Adds what it holds to `sketch`: its sketch merged, or its values (latencyUnion.ts, past the exact limit). */
  addInto(sketch: LatencySketch): void {
    if (this.sketch !== null) sketch.merge(this.sketch);
    else for (const v of this.sortedExact()) sketch.add(v);
  }

  /** { mean, p50, p90, p95, p99 } rounded to 4 decimals, as latency.ts latencyStats; EMPTY_LATENCY when empty. */
  stats(): LatencyStats {
    return this.sketch !== null ? this.sketch.stats() : latencyStatsOfSorted(this.sortedValues());
  }

  /** Quantiles at p = i / (points − 1), rounded, as profiles.ts quantileGrid; null when empty. */
  grid(points: number): number[] | null {
    if (this.sketch !== null) return this.sketch.grid(points);
    if (!Number.isInteger(points) || points < 2) throw new RangeError(`grid needs an integer ≥ 2 points, got ${points}`);
    return quantileGridOfSorted(this.sortedValues(), points);
  }
}
