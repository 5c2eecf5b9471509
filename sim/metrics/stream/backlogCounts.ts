/**
 * The arrival and served times a streamed run's steady-state test needs (steadyState.ts): exact, in
 * two growing compact columns (int32 µs offsets while the times are integers: 8 B a request,
 * compactColumn.ts), up to EXACT_TIMES requests; past that they move into
 * doubling time bins of at most 2^20 (doublingBins.ts), where the backlog at a sample time counts
 * the events of that time's own bin as before it (exact to one bin width, ≤ arrival span / 2^19).
 */
import { backlogOfSorted, sampleTimesUs, type BacklogSeries } from '../steadyState.js';
import { DoublingBins } from './doublingBins.js';
import { CompactColumn } from './compactColumn.js';
import { RECORDS_KEPT } from './recordsKept.js';

/** Requests whose times are kept exactly (a run of up to this many has the record path's exact verdict). */
export const EXACT_TIMES = RECORDS_KEPT;
const BINS = 1 << 20;

class TimeColumn {
  times: CompactColumn | null = new CompactColumn(1024);
  private capacity = 1024;
  n = 0;
  bins: DoublingBins | null = null;

  add(t: number): void {
    if (this.times !== null) {
      if (this.n === EXACT_TIMES) this.toBins();
      else {
        if (this.n === this.capacity) {
          this.capacity = Math.min(this.n * 2, EXACT_TIMES);
          this.times.grow(this.capacity, this.n);
        }
        this.times.set(this.n, t);
        this.n++;
        return;
      }
    }
    this.bins!.add(t);
  }

  private toBins(): void {
    const bins = new DoublingBins(1, BINS);
    for (let i = 0; i < this.n; i++) bins.add(this.times!.get(i));
    this.bins = bins;
    this.times = null;
  }
}

export class BacklogCounts {
  private readonly arrivals = new TimeColumn();
  private readonly served = new TimeColumn();

  arrive(tUs: number): void {
    this.arrivals.add(tUs);
  }

  /** A request stopped waiting at tUs (steadyState.ts servedUs; never served: do not call). */
  serve(tUs: number): void {
    this.served.add(tUs);
  }

  /** Whether both columns still hold exact times (the backlog series is the record path's). */
  get exact(): boolean {
    return this.arrivals.times !== null && this.served.times !== null;
  }

  /** The backlog sampled between two times, exact while both columns are. */
  series(fromUs: number, toUs: number): BacklogSeries {
    const a = this.arrivals;
    const s = this.served;
    if (a.times !== null && s.times !== null) {
      const arrivals = a.times.sortedInPlace(a.n);
      const served = s.times.sortedInPlace(s.n);
      return backlogOfSorted(arrivals.sorted, arrivals.origin, served.sorted, served.origin, fromUs, toUs);
    }
    const count = (c: TimeColumn, t: number): number => {
      if (c.bins !== null) return c.bins.countThrough(t);
      let k = 0;
      for (let i = 0; i < c.n; i++) if (c.times!.get(i) <= t) k++;
      return k;
    };
    const timesUs = sampleTimesUs(fromUs, toUs);
    const arrived = timesUs.map((t) => count(a, t));
    return { timesUs, arrived, backlog: timesUs.map((t, k) => arrived[k]! - count(s, t)) };
  }
}
