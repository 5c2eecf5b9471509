/**
 * Latency distributions by time in doubling bins, built one event at a time for streamed summaries:
 * the bins of doublingBins.ts (bin k covers [k·w, (k + 1)·w) µs; w starts at binUs and doubles,
 * merging bin pairs, whenever floor(maxT / w) + 1 would exceed maxBins), each with its exact event
 * count. The streamed counterpart of sim/metrics/timeSeries.ts ttftOverTime: same bins and counts.
 * - Up to `limit` events (EXACT_VALUES: 1,000,000) every (time, value) is kept (compactColumn.ts:
 *   8 B each while times are whole µs and values whole µs apart, up to 16 B) and `series` sorts each
 *   bin's values as ttftOverTime does: p50 / p99 bit-identical to it.
 * - Past that each bin holds a LatencySketch of its values (the events so far replayed into them;
 *   two sketches merge on doubling): p50 / p99 within latencySketch.ts's bound of the type-7 values
 *   (plus 5e-5 of rounding). Memory: at most maxBins sketches (empty bins hold none).
 */
import { round4 } from '../latency.js';
import { binnedP50P99 } from '../timeSeries.js';
import { binsFor, checkBinShape, checkTime } from './doublingBins.js';
import { LatencySketch } from './latencySketch.js';
import { EXACT_VALUES } from './latencyColumn.js';
import { CompactColumn, doubledCapacity, MS_SCALE } from './compactColumn.js';

/** Per-bin count and rounded p50 / p99 (null for an empty bin); ttftOverTime's shape. */
export interface SketchSeries {
  count: number[];
  p50: (number | null)[];
  p99: (number | null)[];
}

export class SketchBins {
  private w: number;
  private readonly maxBins: number;
  private maxT = -1;
  private readonly counts: number[] = [];
  private readonly sketches: (LatencySketch | null)[] = [];
  /** While exact (null after): every event's time and value, in order. */
  private times: CompactColumn | null = new CompactColumn(0);
  private values = new CompactColumn(0, MS_SCALE);
  private n = 0;

  constructor(
    binUs: number,
    maxBins: number,
    private readonly limit = EXACT_VALUES,
  ) {
    checkBinShape(binUs, maxBins);
    this.w = binUs;
    this.maxBins = maxBins;
  }

  /** Whether `series` is exact (at most `limit` events). */
  get exact(): boolean {
    return this.times !== null;
  }

  /** Adds a value `ms` (finite, ≥ 0) at time tUs (finite, ≥ 0). */
  add(tUs: number, ms: number): void {
    checkTime(tUs);
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency must be a finite number ≥ 0, got ${ms}`);
    if (tUs > this.maxT) {
      this.maxT = tUs;
      while (binsFor(tUs, this.w) > this.maxBins) this.double();
      const need = binsFor(tUs, this.w);
      while (this.counts.length < need) {
        this.counts.push(0);
        this.sketches.push(null);
      }
    }
    const k = Math.floor(tUs / this.w);
    this.counts[k]!++;
    if (this.times !== null) {
      if (this.n < this.limit) {
        if (this.n === this.times.capacity) this.grow();
        this.times.set(this.n, tUs);
        this.values.set(this.n++, ms);
        return;
      }
      this.toSketches();
    }
    let sketch = this.sketches[k];
    if (!sketch) {
      sketch = new LatencySketch();
      this.sketches[k] = sketch;
    }
    sketch.add(ms);
  }

  /** Current bin width in µs. */
  get binUs(): number {
    return this.w;
  }

  private grow(): void {
    const size = doubledCapacity(this.n, this.limit);
    this.times!.grow(size, this.n);
    this.values.grow(size, this.n);
  }

  /** Past `limit`: each bin's values so far into its sketch. */
  private toSketches(): void {
    for (let i = 0; i < this.n; i++) {
      const k = Math.floor(this.times!.get(i) / this.w);
      (this.sketches[k] ??= new LatencySketch()).add(this.values.get(i));
    }
    this.times = null;
    this.values = new CompactColumn(0, MS_SCALE);
  }

  /** Count, p50 and p99 per bin (length floor(maxT / binUs) + 1; empty arrays when nothing was added). */
  series(): SketchSeries {
    if (this.times !== null) return this.exactSeries();
    const p50: (number | null)[] = [];
    const p99: (number | null)[] = [];
    for (const s of this.sketches) {
      p50.push(s ? round4(s.quantile(0.5)) : null);
      p99.push(s ? round4(s.quantile(0.99)) : null);
    }
    return { count: [...this.counts], p50, p99 };
  }

  /** As timeSeries.ts ttftOverTime, through the same binnedP50P99. */
  private exactSeries(): SketchSeries {
    const times = this.times!;
    const { p50, p99 } = binnedP50P99(this.counts, this.n, (place) => {
      for (let i = 0; i < this.n; i++) place(Math.floor(times.get(i) / this.w), this.values.get(i));
    });
    return { count: [...this.counts], p50, p99 };
  }

  /** Doubles the width: new bin k = old bins 2k + 2k + 1 (counts added, sketches merged). */
  private double(): void {
    const half = Math.ceil(this.counts.length / 2);
    for (let k = 0; k < half; k++) {
      this.counts[k] = this.counts[2 * k]! + (this.counts[2 * k + 1] ?? 0);
      const a = this.sketches[2 * k] ?? null;
      const b = this.sketches[2 * k + 1] ?? null;
      if (a && b) a.merge(b);
      this.sketches[k] = a ?? b;
    }
    this.counts.length = half;
    this.sketches.length = half;
    this.w *= 2;
  }
}
