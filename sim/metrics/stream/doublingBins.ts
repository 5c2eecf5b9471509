/**
 * Event counts by time in bins of doubling width, built one event at a time for streamed summaries
 * (runs past 1,000,000 requests per policy): bin k covers [k·w, (k + 1)·w) µs; w starts at binUs
 * and doubles — merging bin pairs (2k, 2k + 1) into bin k — whenever floor(maxT / w) + 1 would
 * exceed maxBins, maxT being the largest time added so far.
 *
 * The result equals the end-of-run rule of sim/metrics/timeSeries.ts (ttftOverTime) and
 * reports/profiles.ts (timeSeries windows) — `while (floor(lastT / w) + 1 > maxBins) w *= 2`, then
 * count every event at floor(t / w) — whatever the order of the adds: the condition only grows
 * with maxT, so the incremental doublings are a prefix of the final loop's, and
 * floor(t / 2w) = floor(floor(t / w) / 2) (division by a power of two is exact in floating point).
 * Memory: at most maxBins numbers.
 */

/** Number of bins of width `w` that times 0…maxT need. */
export function binsFor(maxT: number, w: number): number {
  return Math.floor(maxT / w) + 1;
}

/** Throws unless binUs is a positive finite number and maxBins a positive integer. */
export function checkBinShape(binUs: number, maxBins: number): void {
  if (!(binUs > 0) || !Number.isFinite(binUs)) throw new RangeError(`bin width must be a positive number of µs, got ${binUs}`);
  if (!Number.isInteger(maxBins) || maxBins < 1) throw new RangeError(`maxBins must be a positive integer, got ${maxBins}`);
}

/** Throws unless t is a finite time ≥ 0. */
export function checkTime(tUs: number): void {
  if (!Number.isFinite(tUs) || tUs < 0) throw new RangeError(`time must be a finite number of µs ≥ 0, got ${tUs}`);
}

export class DoublingBins {
  private w: number;
  private readonly maxBins: number;
  private maxT = -1;
  /**
   * Counts of bins 0…len−1 in a typed array (capacity grows ×4 up to maxBins; slots past len are
   * 0): a streamed run's 2^20-bin backlog columns cost 8 MB each off the V8 heap, where a JS array
   * grown by pushes put three times that through the old generation at once (issue 15).
   */
  private bins = new Float64Array(16);
  private len = 0;

  constructor(binUs: number, maxBins: number) {
    checkBinShape(binUs, maxBins);
    this.w = binUs;
    this.maxBins = maxBins;
  }

  /**
   * Counts `n` events (a non-negative integer) at time tUs (finite, ≥ 0). n = 0 only extends the
   * time range (bins up to tUs exist, widening if needed), e.g. to make two series share windows.
   */
  add(tUs: number, n = 1): void {
    checkTime(tUs);
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`event count must be a non-negative integer, got ${n}`);
    if (tUs > this.maxT) {
      this.maxT = tUs;
      while (binsFor(tUs, this.w) > this.maxBins) this.double();
      const need = binsFor(tUs, this.w);
      if (need > this.bins.length) {
        const grown = new Float64Array(Math.min(this.maxBins, Math.max(need, this.bins.length * 4)));
        grown.set(this.bins.subarray(0, this.len));
        this.bins = grown;
      }
      if (need > this.len) this.len = need;
    }
    this.bins[Math.floor(tUs / this.w)]! += n;
  }

  /** Current bin width in µs. */
  get binUs(): number {
    return this.w;
  }

  /** Events per bin, length floor(maxT / binUs) + 1 ([] when nothing was added). A copy. */
  counts(): number[] {
    return Array.from(this.bins.subarray(0, this.len));
  }

  /**
   * Events in bins with index ≤ floor(tUs / binUs) (0 for tUs < 0), O(bins). It counts whole bins,
   * so it over-counts the exact "events at times ≤ tUs" by at most the events of tUs's own bin that
   * lie after tUs; it never under-counts.
   */
  countThrough(tUs: number): number {
    if (tUs < 0 || this.len === 0) return 0;
    const last = Math.min(Math.floor(tUs / this.w), this.len - 1);
    let total = 0;
    for (let k = 0; k <= last; k++) total += this.bins[k]!;
    return total;
  }

  /** Doubles the width: new bin k = old bins 2k + 2k + 1. */
  private double(): void {
    const b = this.bins;
    const len = this.len;
    const half = Math.ceil(len / 2);
    for (let k = 0; k < half; k++) b[k] = b[2 * k]! + (2 * k + 1 < len ? b[2 * k + 1]! : 0);
    b.fill(0, half, len);
    this.len = half;
    this.w *= 2;
  }
}
