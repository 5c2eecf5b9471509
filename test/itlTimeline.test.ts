/**
 * The ITL timeline keeps only the 100 ms buckets some step wrote to, so its size follows the
 * number of steps, not the simulated time (a run with days of idle time between arrivals used to
 * allocate one map per 100 ms of the gap).
 */
import { describe, expect, it } from 'vitest';
import { ITL_BUCKET_US, ItlTimeline, excludedBuckets } from '../sim/metrics/itlTimeline.js';

describe('ItlTimeline', () => {
  it('holds two buckets for steps at 0 and 10¹² µs (not 10⁷ empty ones between)', () => {
    const t = new ItlTimeline(Infinity);
    t.start(0);
    t.at(0).set(5, 1);
    t.at(1e12).set(7, 2);
    expect(t.bucketCount).toBe(2);
    const { whole, timeline } = t.finish();
    // 10¹² / 10⁵ = 10⁷ is the second bucket's index.
    expect(timeline.keys).toEqual([0, 1e7]);
    expect([...whole]).toEqual([
      [5, 1],
      [7, 2],
    ]);
  });

  it('reuses the bucket of the previous step and keeps indices increasing even out of order', () => {
    const t = new ItlTimeline(Infinity);
    t.start(0);
    const a = t.at(250_000); // bucket 2
    expect(t.at(299_999)).toBe(a); // still bucket 2
    t.at(1_000_000); // bucket 10
    t.at(50_000); // bucket 0, earlier than the last one
    expect(t.at(250_001)).toBe(a);
    expect(t.finish().timeline.keys).toEqual([0, 2, 10]);
  });

  it('sends steps after the horizon to the tail, not to buckets', () => {
    // Span 1 s after a first arrival at 0.25 s: horizon ⌈1.25 s / 0.1 s⌉·0.1 s = 1.3 s.
    const t = new ItlTimeline(1_000_000);
    t.start(250_000);
    t.at(1_299_999).set(1, 1);
    t.at(1_300_000).set(2, 1);
    t.at(5e12).set(3, 1);
    expect(t.bucketCount).toBe(1);
    expect([...t.finish().whole].sort((x, y) => x[0] - y[0])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
  });

  it('excludes the same buckets as a dense timeline would (empty ones aside)', () => {
    const t = new ItlTimeline(Infinity);
    t.start(0);
    for (const [us, v] of [
      [0, 1],
      [150_000, 2],
      [950_000, 3],
      [2_000_000, 4],
    ] as const)
      t.at(us).set(v, 1);
    const { timeline } = t.finish();
    // Window [0.2 s, 1.0 s]: bucket 0 ends at 0.1 ≤ 0.2 and bucket 1 ends at 0.2 ≤ 0.2 → out;
    // bucket 9 [0.9, 1.0) stays; bucket 20 starts at 2.0 > 1.0 → out.
    const out = excludedBuckets(timeline, 200_000, 1_000_000).map((m) => [...m.keys()]);
    expect(out).toEqual([[1], [2], [4]]);
    expect(ITL_BUCKET_US).toBe(100_000);
  });
});
