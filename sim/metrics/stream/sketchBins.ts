/**
 * Latency distributions by time in doubling bins, built one event at a time for streamed summaries:
 * the bins of doublingBins.ts (bin k covers [k·w, (k + 1)·w) µs; w starts at binUs and doubles,
 * merging bin pairs, whenever floor(maxT / w) + 1 would exceed maxBins), each holding the exact
 * event count and a LatencySketch of the values (the two sketches merge on doubling). The streamed
 * counterpart of sim/metrics/timeSeries.ts ttftOverTime: same bins and counts; p50 / p99 within
 * latencySketch.ts's bound of the type-7 values (plus 5e-5 of rounding). Memory: at most maxBins
 * sketches (empty bins hold none).
 */
import { round4 } from '../latency.js';
import { binsFor, checkBinShape, checkTime } from './doublingBins.js';
import { LatencySketch } from './latencySketch.js';

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

  constructor(binUs: number, maxBins: number) {
    checkBinShape(binUs, maxBins);
    this.w = binUs;
    this.maxBins = maxBins;
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

  /** Count, p50 and p99 per bin (length floor(maxT / binUs) + 1; empty arrays when nothing was added). */
  series(): SketchSeries {
    const p50: (number | null)[] = [];
    const p99: (number | null)[] = [];
    for (const s of this.sketches) {
      p50.push(s ? round4(s.quantile(0.5)) : null);
      p99.push(s ? round4(s.quantile(0.99)) : null);
    }
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
