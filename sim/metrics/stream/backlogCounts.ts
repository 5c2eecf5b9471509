/**
 * The arrival and served times a streamed run's steady-state test needs (steadyState.ts): exact, in
 * two growing Float64Arrays (16 B a request), up to EXACT_TIMES requests; past that they move into
 * doubling time bins of at most 2^20 (doublingBins.ts), where the backlog at a sample time counts
 * the events of that time's own bin as before it (exact to one bin width, ≤ arrival span / 2^19).
 */
import { backlogOfTimes, sampleTimesUs, type BacklogSeries } from '../steadyState.js';
import { DoublingBins } from './doublingBins.js';
import { RECORDS_KEPT } from './recordsKept.js';

/** Requests whose times are kept exactly (a run of up to this many has the record path's exact verdict). */
export const EXACT_TIMES = RECORDS_KEPT;
const BINS = 1 << 20;

class TimeColumn {
  times: Float64Array | null = new Float64Array(1024);
  n = 0;
  bins: DoublingBins | null = null;

  add(t: number): void {
    if (this.times !== null) {
      if (this.n === EXACT_TIMES) this.toBins();
      else {
        if (this.n === this.times.length) {
          const grown = new Float64Array(Math.min(this.n * 2, EXACT_TIMES));
          grown.set(this.times);
          this.times = grown;
        }
        this.times[this.n++] = t;
        return;
      }
    }
    this.bins!.add(t);
  }

  private toBins(): void {
    const bins = new DoublingBins(1, BINS);
    for (let i = 0; i < this.n; i++) bins.add(this.times![i]!);
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
    if (a.times !== null && s.times !== null) return backlogOfTimes(a.times.subarray(0, a.n), s.times.subarray(0, s.n), fromUs, toUs);
    const count = (c: TimeColumn, t: number): number => {
      if (c.bins !== null) return c.bins.countThrough(t);
      let k = 0;
      for (let i = 0; i < c.n; i++) if (c.times![i]! <= t) k++;
      return k;
    };
    const timesUs = sampleTimesUs(fromUs, toUs);
    const arrived = timesUs.map((t) => count(a, t));
    return { timesUs, arrived, backlog: timesUs.map((t, k) => arrived[k]! - count(s, t)) };
  }
}
