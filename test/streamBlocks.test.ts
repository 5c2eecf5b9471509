/**
 * Streamed-summary building blocks (issue 15): LatencySketch's error bound against simple-statistics'
 * type-7 quantiles and its exact mean, DoublingBins against the end-of-run doubling rule, SketchBins
 * against ttftOverTime. Golden cases are derived by hand in the comments.
 */
import fc from 'fast-check';
import { mean, quantileSorted } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { EMPTY_LATENCY, round4 } from '../sim/metrics/latency.js';
import { DoublingBins } from '../sim/metrics/stream/doublingBins.js';
import { LatencySketch, RELATIVE_ACCURACY as A } from '../sim/metrics/stream/latencySketch.js';
import { SketchBins } from '../sim/metrics/stream/sketchBins.js';
import { ttftOverTime } from '../sim/metrics/timeSeries.js';
import type { RequestRecord } from '../sim/metrics/types.js';
import { completedRecord, ttftOverTimeExample } from './fixtures.js';

/** α plus the few ulps the log/pow mapping can overshoot by at bucket boundaries. */
const ALPHA = A + 1e-12;
/** Most round4 can move a value. */
const ROUND = 5e-5 + 1e-9;

function sketchOf(values: readonly number[]): LatencySketch {
  const s = new LatencySketch();
  for (const v of values) s.add(v);
  return s;
}

/** x_lo, x_hi: the order statistics at ⌊(n−1)p⌋ and ⌈(n−1)p⌉ of ascending `sorted`. */
function ranks(sorted: readonly number[], p: number): { lo: number; hi: number } {
  const idx = (sorted.length - 1) * p;
  return { lo: sorted[Math.floor(idx)]!, hi: sorted[Math.ceil(idx)]! };
}

/** Whether q obeys the bound of latencySketch.ts at p: within α·type7 of type 7, inside [x_lo(1−α), x_hi(1+α)] (slack: extra absolute tolerance, e.g. rounding). */
function withinBound(q: number, sorted: readonly number[], p: number, slack = 0): boolean {
  const { lo, hi } = ranks(sorted, p);
  const type7 = quantileSorted(sorted as number[], p);
  const between = q >= lo * (1 - ALPHA) - slack && q <= hi * (1 + ALPHA) + slack;
  const vsType7 = Math.abs(q - type7) <= ALPHA * type7 + slack + 1e-12 * hi;
  return between && vsType7;
}

/** Latencies in ms: zeros, ties on a few values, and log-uniform over 1e-3…1e6. */
const latency = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.constantFrom(0.001, 1, 2.5, 1000, 1e6) },
  { weight: 6, arbitrary: fc.double({ min: Math.log(1e-3), max: Math.log(1e6), noNaN: true }).map(Math.exp) },
);
/** fast-check's default size keeps arrays to ~10 elements: draw the length explicitly (1…3000, half of them ≤ 30). */
const sampleSet = fc
  .oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 31, max: 3000 }))
  .chain((n) => fc.array(latency, { minLength: n, maxLength: n }));
const probability = fc.oneof(fc.constantFrom(0.5, 0.9, 0.95, 0.99, 0.01, 1e-9, 1 - 1e-9), fc.double({ min: 0, max: 1, noNaN: true }));

describe('LatencySketch', () => {
  it('empty: count 0, mean null, EMPTY_LATENCY, null grid, quantile throws', () => {
    const s = new LatencySketch();
    expect(s.count).toBe(0);
    expect(s.mean).toBeNull();
    expect(s.stats()).toEqual(EMPTY_LATENCY);
    expect(s.grid(101)).toBeNull();
    expect(() => s.quantile(0.5)).toThrow(RangeError);
    expect(() => s.add(-1)).toThrow(RangeError);
    expect(() => s.add(Number.NaN)).toThrow(RangeError);
    expect(() => s.add(Infinity)).toThrow(RangeError);
  });

  it('a single value (or copies of it) is returned exactly at every p (clamped into [min, max])', () => {
    const s = sketchOf([7.25, 7.25, 7.25]);
    for (const p of [0, 0.01, 0.5, 0.99, 1]) expect(s.quantile(p)).toBe(7.25);
    expect(s.stats()).toEqual({ mean: 7.25, p50: 7.25, p90: 7.25, p95: 7.25, p99: 7.25 });
    expect(s.grid(3)).toEqual([7.25, 7.25, 7.25]);
  });

  it('[1, 2, 3, 4, 100]: exact ends; inside, type 7 between the buckets of ranks ⌊(n−1)p⌋ and ⌈(n−1)p⌉', () => {
    const s = sketchOf([100, 3, 1, 4, 2]);
    expect(s.count).toBe(5);
    expect(s.mean).toBe(22); // 110 / 5
    expect(s.quantile(0)).toBe(1);
    expect(s.quantile(1)).toBe(100);
    // p = 0.5: idx = 4·0.5 = 2 → x_lo = x_hi = 3 → within 3·(1 ± 0.005) = [2.985, 3.015].
    expect(s.quantile(0.5)).toBeGreaterThanOrEqual(2.985);
    expect(s.quantile(0.5)).toBeLessThanOrEqual(3.015);
    // p = 0.99: idx = 3.96 → rank 3 ≈ 4·(1 ± α) = [3.98, 4.02], rank 4 = the exact max 100;
    // 0.04·rank 3 + 0.96·100 ∈ [96.1592, 96.1608] around type 7's 4 + 0.96·96 = 96.16.
    expect(quantileSorted([1, 2, 3, 4, 100], 0.99)).toBeCloseTo(96.16, 10);
    expect(s.quantile(0.99)).toBeGreaterThanOrEqual(96.1592);
    expect(s.quantile(0.99)).toBeLessThanOrEqual(96.1608);
    // grid(3) = p 0, 0.5, 1.
    const g = s.grid(3)!;
    expect([g[0], g[2]]).toEqual([1, 100]);
    expect(Math.abs(g[1]! - 3)).toBeLessThanOrEqual(0.015);
  });

  it('mean uses the compensated sum: [1e16, 1, 1] → (1e16 + 2) / 3, not the naive 1e16 / 3', () => {
    // Naive: 1e16 + 1 rounds to 1e16 (ulp 2) twice → 1e16 / 3. Neumaier: the lost 1s go to the
    // correction (1, then 2) → 1e16 + 2, exactly representable; / 3 = 3333333333333334 exactly.
    const s = sketchOf([1e16, 1, 1]);
    expect(s.mean).toBe(3333333333333334);
    expect((1e16 + 1 + 1) / 3).not.toBe(3333333333333334);
    expect(s.mean).toBe(mean([1e16, 1, 1]));
  });

  it('values at bucket boundaries γ^k stay within α + 1e-12 (a few ulps beyond α are possible)', () => {
    const gamma = (1 + A) / (1 - A);
    for (let k = -1400; k <= 2800; k += 7) {
      const v = gamma ** k;
      if (v < 1e-3 || v > 1e6) continue;
      for (const x of [v, v * (1 + 1e-15), v * (1 - 1e-15)]) {
        const s = sketchOf([x / 2, x, x * 3]); // p = 0.5: idx 1, rank 1 (not an end) is x's bucket
        expect(Math.abs(s.quantile(0.5) - x)).toBeLessThanOrEqual(ALPHA * x);
      }
    }
  });

  it('property: quantile(p) within α·type7 of type 7 and inside [x_lo(1−α), x_hi(1+α)]; exact min/max at p = 0, 1', () => {
    fc.assert(
      fc.property(sampleSet, fc.array(probability, { minLength: 1, maxLength: 8 }), (values, ps) => {
        const s = sketchOf(values);
        const sorted = [...values].sort((a, b) => a - b);
        expect(s.count).toBe(values.length);
        expect(s.quantile(0)).toBe(sorted[0]);
        expect(s.quantile(1)).toBe(sorted[sorted.length - 1]);
        for (const p of ps) {
          const q = s.quantile(p);
          expect(q).toBeGreaterThanOrEqual(sorted[0]!);
          expect(q).toBeLessThanOrEqual(sorted[sorted.length - 1]!);
          expect(withinBound(q, sorted, p), `p=${p} q=${q} ${JSON.stringify(ranks(sorted, p))}`).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('property: mean equals simple-statistics mean in add order; stats and grid within the bound + rounding', () => {
    fc.assert(
      fc.property(sampleSet, (values) => {
        const s = sketchOf(values);
        expect(s.mean).toBe(mean(values));
        const sorted = [...values].sort((a, b) => a - b);
        const st = s.stats();
        expect(st.mean).toBe(round4(mean(values)));
        for (const [p, v] of [[0.5, st.p50], [0.9, st.p90], [0.95, st.p95], [0.99, st.p99]] as const) {
          expect(withinBound(v!, sorted, p, ROUND)).toBe(true);
        }
        const g = s.grid(101)!;
        expect(g).toHaveLength(101);
        expect(g[0]).toBe(round4(sorted[0]!));
        expect(g[100]).toBe(round4(sorted[sorted.length - 1]!));
        for (let i = 0; i < 101; i++) {
          expect(withinBound(g[i]!, sorted, i / 100, ROUND)).toBe(true);
          if (i > 0) expect(g[i]!).toBeGreaterThanOrEqual(g[i - 1]!);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('merge: {0.5, 0.6} + {0.3, 1, 1} — keys up to 0 (≈ 1 ms) kept (DDSketch’s own store merge drops them)', () => {
    const a = sketchOf([0.5, 0.6]);
    a.merge(sketchOf([0.3, 1, 1]));
    expect(a.count).toBe(5);
    // Sorted 0.3, 0.5, 0.6, 1, 1; p = 0.9: idx = 3.6 → x_lo = 1 → [0.995, 1.005], clamped ≤ max 1.
    expect(a.quantile(0.9)).toBeGreaterThanOrEqual(0.995);
    expect(a.quantile(0.9)).toBeLessThanOrEqual(1);
    expect(a.mean).toBeCloseTo(3.4 / 5, 12);
    const empty = new LatencySketch();
    empty.merge(new LatencySketch());
    expect(empty.count).toBe(0);
    empty.merge(a);
    expect(empty.stats()).toEqual(a.stats());
  });

  it('property: merging parts gives the same quantiles as one sketch of everything, and the same count, min, max', () => {
    fc.assert(
      fc.property(fc.array(fc.array(latency, { maxLength: 300, size: 'max' }), { minLength: 1, maxLength: 6 }), probability, (parts, p) => {
        const all = parts.flat();
        const merged = new LatencySketch();
        for (const part of parts) merged.merge(sketchOf(part));
        const one = sketchOf(all);
        expect(merged.count).toBe(all.length);
        if (all.length === 0) return;
        for (const q of [0, p, 0.5, 0.99, 1]) expect(merged.quantile(q)).toBe(one.quantile(q));
        expect(Math.abs(merged.mean! - mean(all))).toBeLessThanOrEqual(1e-12 * Math.max(1, mean(all)));
      }),
      { numRuns: 100 },
    );
  });
});

/** The end-of-run rule: widen until the last time fits, then count every event at floor(t / w). */
function naiveBins(events: readonly (readonly [number, number])[], binUs: number, maxBins: number): { w: number; counts: number[] } {
  if (events.length === 0) return { w: binUs, counts: [] };
  const last = Math.max(...events.map(([t]) => t));
  let w = binUs;
  while (Math.floor(last / w) + 1 > maxBins) w *= 2;
  const counts = new Array<number>(Math.floor(last / w) + 1).fill(0);
  for (const [t, n] of events) counts[Math.floor(t / w)]! += n;
  return { w, counts };
}

describe('DoublingBins', () => {
  it('DoublingBins(10, 4) with 0, 9, 10, 35, 41 → w = 20, counts [3, 1, 1]', () => {
    // 0, 9 → bin 0; 10 → bin 1; 35 → bin 3 (4 bins, fits): [2, 1, 0, 1] at w = 10.
    // 41 needs floor(41/10) + 1 = 5 > 4 bins → w = 20: [2+1, 0+1] = [3, 1]; 41 → bin 2: [3, 1, 1].
    const b = new DoublingBins(10, 4);
    for (const t of [0, 9, 10, 35]) b.add(t);
    expect([b.binUs, b.counts()]).toEqual([10, [2, 1, 0, 1]]);
    b.add(41);
    expect([b.binUs, b.counts()]).toEqual([20, [3, 1, 1]]);
    // countThrough: bins ≤ floor(t / 20). t = 15 → bin 0 → 3 (0, 9, 10: exact); t = 39 → 4;
    // t = 40 → bins 0..2 → 5, one more than the 4 events ≤ 40 (41 shares bin 2): the documented over-count.
    expect([b.countThrough(-1), b.countThrough(15), b.countThrough(39), b.countThrough(40), b.countThrough(1e9)]).toEqual([0, 3, 4, 5, 5]);
    // Reverse order: 41 first widens straight to w = 20 ([0, 0, 1]); the rest fill in → same result.
    const r = new DoublingBins(10, 4);
    for (const t of [41, 35, 10, 9, 0]) r.add(t);
    expect([r.binUs, r.counts()]).toEqual([20, [3, 1, 1]]);
  });

  it('a far time doubles several times at once; n = 0 only extends the range; empty is []', () => {
    // DoublingBins(1, 3), t = 100: bins needed 101, 51, 26, 13, 7, 4, 2 at w = 1, 2, …, 64 → w = 64, [0, 1].
    const b = new DoublingBins(1, 3);
    expect(b.counts()).toEqual([]);
    expect(b.countThrough(5)).toBe(0);
    b.add(100);
    b.add(5, 2);
    expect([b.binUs, b.counts(), b.countThrough(63)]).toEqual([64, [2, 1], 2]);
    const z = new DoublingBins(10, 4);
    z.add(35, 0);
    z.add(5);
    expect(z.counts()).toEqual([1, 0, 0, 0]);
    expect(() => z.add(-1)).toThrow(RangeError);
    expect(() => z.add(1, 1.5)).toThrow(RangeError);
    expect(() => new DoublingBins(0, 4)).toThrow(RangeError);
    expect(() => new DoublingBins(10, 0)).toThrow(RangeError);
  });

  const time = fc.oneof(fc.nat(2_000_000), fc.double({ min: 0, max: 1e9, noNaN: true }));
  const event = fc.tuple(time, fc.nat(3));

  it('property: equals the end-of-run rule whatever the add order; countThrough brackets the exact count', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 300, size: 'max' }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 300 }), time, (events, binUs, maxBins, q) => {
        const naive = naiveBins(events, binUs, maxBins);
        for (const order of [events, [...events].reverse(), [...events].sort((a, b) => a[0] - b[0])]) {
          const b = new DoublingBins(binUs, maxBins);
          for (const [t, n] of order) b.add(t, n);
          expect(b.binUs).toBe(naive.w);
          expect(b.counts()).toEqual(naive.counts);
        }
        const b = new DoublingBins(binUs, maxBins);
        for (const [t, n] of events) b.add(t, n);
        const w = naive.w;
        const exact = events.filter(([t]) => t <= q).reduce((s, [, n]) => s + n, 0);
        const sameBinAfter = events.filter(([t]) => t > q && Math.floor(t / w) === Math.floor(q / w)).reduce((s, [, n]) => s + n, 0);
        expect(b.countThrough(q)).toBe(exact + sameBinAfter);
      }),
      { numRuns: 300 },
    );
  });
});

describe('SketchBins', () => {
  const rec = completedRecord;
  // SketchBins takes completed requests only: the example without its rejected one.
  const records = ttftOverTimeExample().filter((r) => r.outcome === 'completed');
  const fill = (b: SketchBins, rs: readonly RequestRecord[]): SketchBins => {
    for (const r of rs) b.add(r.arrivalUs, (r.firstTokenUs - r.arrivalUs) / 1000);
    return b;
  };

  it('the ttftOverTime example: same bins and counts; single-value bins exact; p50/p99 interpolated as type 7', () => {
    // 1 s bins (reportReadable.test.ts): counts [2, 1, 0, 1]; bin 0 = [100, 300]: both ranks are the
    // exact min and max, so p50 = 100 + 0.5·200 = 200 and p99 = 100 + 0.99·200 = 298 exactly.
    const s = fill(new SketchBins(1_000_000, 200), records).series();
    expect(s.count).toEqual([2, 1, 0, 1]);
    expect([s.p50[1], s.p50[2], s.p50[3], s.p99[1], s.p99[2], s.p99[3]]).toEqual([50, null, 80, 50, null, 80]);
    expect([s.p50[0], s.p99[0]]).toEqual([200, 298]);
    // At most 2 bins: w doubles to 2 s; bin 0 = [50, 100, 300]: exact, p50 idx 1 → 100; p99 idx 1.98
    // → 100 + 0.98·200 = 296.
    const b2 = fill(new SketchBins(1_000_000, 2), records);
    const s2 = b2.series();
    expect([b2.binUs, s2.count, s2.p50, s2.p99, b2.exact]).toEqual([2_000_000, [3, 1], [100, 80], [296, 80], true]);
    // The same with sketches (limit 0 values kept exactly): p50 = rank 1 ≈ 100·(1 ± α); p99 = 0.02·rank 1
    // + 0.98·300 (exact max) ∈ [295.99, 296.01] around type 7's 296.
    const b3 = fill(new SketchBins(1_000_000, 2, 0), records);
    const s3 = b3.series();
    expect([b3.binUs, s3.count, s3.p50[1], s3.p99[1], b3.exact]).toEqual([2_000_000, [3, 1], 80, 80, false]);
    expect(Math.abs(s3.p50[0]! - 100)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(s3.p99[0]! - 296)).toBeLessThanOrEqual(0.01 + ROUND);
    expect(new SketchBins(1000, 5).series()).toEqual({ count: [], p50: [], p99: [] });
    expect(() => new SketchBins(1000, 5).add(0, -1)).toThrow(RangeError);
  });

  it('property: counts equal ttftOverTime’s; p50/p99 equal to them up to the limit, past it within the sketch bound of each bin’s type-7 values', () => {
    // Whole µs (the compact columns throughout) or, now and then, a time of half a µs (float64 from there).
    const point = fc.tuple(fc.nat(5_000_000), fc.nat(30_000_000), fc.boolean(), fc.constantFrom(0, 0, 0, 0, 0.5));
    fc.assert(
      fc.property(fc.array(point, { maxLength: 400, size: 'max' }), fc.integer({ min: 1, max: 200_000 }), fc.integer({ min: 1, max: 40 }), fc.constantFrom(0, 50, 1_000_000), (points, binUs, maxBins, limit) => {
        const rs = points.map(([arrival, ttftUs, done, half], id) =>
          rec({ id, arrivalUs: arrival + half, firstTokenUs: arrival + half + ttftUs, ...(done ? {} : { outcome: 'rejected' as const }) }),
        );
        const completed = rs.filter((r) => r.outcome === 'completed');
        const ref = ttftOverTime(rs, binUs / 1000, maxBins);
        const b = fill(new SketchBins(binUs, maxBins, limit), completed);
        const s = b.series();
        expect(b.binUs / 1000).toBe(ref.bin_ms);
        expect(s.count).toEqual(ref.count);
        expect(b.exact).toBe(completed.length <= limit);
        if (b.exact) expect([s.p50, s.p99]).toEqual([ref.p50_ms, ref.p99_ms]);
        for (let k = 0; k < s.count.length; k++) {
          const vals = completed.filter((r) => Math.floor(r.arrivalUs / b.binUs) === k).map((r) => (r.firstTokenUs - r.arrivalUs) / 1000);
          vals.sort((x, y) => x - y);
          if (vals.length === 0) {
            expect([s.p50[k], s.p99[k], ref.p50_ms[k], ref.p99_ms[k]]).toEqual([null, null, null, null]);
            continue;
          }
          for (const [p, mine, theirs] of [[0.5, s.p50[k]!, ref.p50_ms[k]!], [0.99, s.p99[k]!, ref.p99_ms[k]!]] as const) {
            expect(theirs).toBe(round4(quantileSorted(vals, p)));
            expect(withinBound(mine, vals, p, ROUND)).toBe(true);
            expect(Math.abs(mine - theirs)).toBeLessThanOrEqual(ALPHA * theirs + 2 * ROUND);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
