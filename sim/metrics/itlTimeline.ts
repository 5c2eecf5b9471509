/**
 * The ITL histogram split by when the tokens were emitted, so a measurement window can leave out
 * the warm-up's (and, with a cool-down, the end's) tokens without per-token data. Steps write into
 * the map of their 100 ms bucket until `horizonUs` (the latest a warm-up can end), then into one
 * tail map; the whole run's histogram is the buckets folded into the tail at the end. Only buckets
 * some step wrote to are kept (keyed by bucket index), so memory follows the number of steps, not
 * the simulated time: idle gaps of days cost nothing. Per step this costs one division and a
 * comparison with the last bucket's index (steps end in time order).
 */
import type { ItlCounts } from './types.js';

/** Bucket width, µs. */
export const ITL_BUCKET_US = 100_000;

/** What a run keeps of the timeline: the buckets before the horizon (the tail is in the whole histogram). */
export interface ItlBuckets {
  readonly bucketUs: number;
  /** The indices of the non-empty buckets, increasing; index k covers [k·bucketUs, (k + 1)·bucketUs). */
  readonly keys: readonly number[];
  /** `buckets[i]` holds the gaps of tokens emitted in bucket `keys[i]`. */
  readonly buckets: readonly ItlCounts[];
}

export class ItlTimeline {
  private readonly keys: number[] = [];
  private readonly buckets: ItlCounts[] = [];
  private readonly tail: ItlCounts = new Map();
  private horizonUs = Infinity;

  /** `spanUs`: how long after the first arrival tokens are bucketed (Infinity = the whole run). */
  constructor(private readonly spanUs: number) {}

  /** The first arrival: bucket until first + span, rounded up to a bucket boundary. */
  start(firstArrivalUs: number): void {
    this.horizonUs = Number.isFinite(this.spanUs) ? Math.ceil((firstArrivalUs + this.spanUs) / ITL_BUCKET_US) * ITL_BUCKET_US : Infinity;
  }

  /** The map a step ending at `now` adds its token gaps to. */
  at(now: number): ItlCounts {
    if (now >= this.horizonUs) return this.tail;
    const k = Math.floor(now / ITL_BUCKET_US);
    const keys = this.keys;
    const n = keys.length;
    if (n > 0 && keys[n - 1] === k) return this.buckets[n - 1]!;
    if (n === 0 || keys[n - 1]! < k) {
      const m: ItlCounts = new Map();
      keys.push(k);
      this.buckets.push(m);
      return m;
    }
    return this.earlier(k);
  }

  /** Not reached while steps end in time order; kept so an earlier time still lands in its bucket. */
  private earlier(k: number): ItlCounts {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < k) lo = mid + 1;
      else hi = mid;
    }
    if (keys[lo] === k) return this.buckets[lo]!;
    const m: ItlCounts = new Map();
    keys.splice(lo, 0, k);
    this.buckets.splice(lo, 0, m);
    return m;
  }

  /** How many buckets are held (the non-empty ones before the horizon). */
  get bucketCount(): number {
    return this.keys.length;
  }

  /** End of run: the whole histogram (the tail, with every bucket folded in) and the buckets. */
  finish(): { whole: ItlCounts; timeline: ItlBuckets } {
    const whole = this.tail;
    for (const m of this.buckets) for (const [v, c] of m) whole.set(v, (whole.get(v) ?? 0) + c);
    return { whole, timeline: { bucketUs: ITL_BUCKET_US, keys: this.keys, buckets: this.buckets } };
  }
}

/** How long after the first arrival to bucket, from the report settings (see summary.ts). */
export function itlBucketSpanUs(warmupS: number | null | undefined, cooldownS: number | undefined, autoCapS: number): number {
  if ((cooldownS ?? 0) > 0) return Infinity;
  return Math.round((warmupS === null || warmupS === undefined ? autoCapS : warmupS) * 1e6);
}

/**
 * The buckets to leave out of a window [fromUs, toUs] (µs, by emission time): those that end at or
 * before fromUs and, when `toUs` is finite, those that start after it.
 */
export function excludedBuckets(t: ItlBuckets, fromUs: number, toUs: number): ItlCounts[] {
  const out: ItlCounts[] = [];
  t.buckets.forEach((m, i) => {
    const k = t.keys[i]!;
    if ((k + 1) * t.bucketUs <= fromUs || k * t.bucketUs > toUs) out.push(m);
  });
  return out;
}
