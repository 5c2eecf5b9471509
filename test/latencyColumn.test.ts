/**
 * Latency columns (sim/metrics/stream/latencyColumn.ts): exact figures equal to latency.ts
 * latencyStats and profiles.ts's grid on the same values; a subset shares its source's values while
 * they are its prefix and copies them when it first misses one; past the limit, sketches within
 * latencySketch.ts's bound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantileSorted } from 'simple-statistics';
import { LatencyColumn } from '../sim/metrics/stream/latencyColumn.js';
import { RELATIVE_ACCURACY } from '../sim/metrics/stream/latencySketch.js';
import { latencyStats, round4 } from '../sim/metrics/latency.js';

const grid = (values: number[], points: number): number[] | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Array.from({ length: points }, (_, i) => round4(quantileSorted(sorted, i / (points - 1))));
};

describe('LatencyColumn', () => {
  it('golden: the whole run 3, 1, 2 and a subset of 3 and 2 (it misses the 1: copies [3], then keeps its own)', () => {
    const whole = new LatencyColumn();
    const part = new LatencyColumn(whole);
    whole.add(3);
    part.add(3);
    expect(part.sharing).toBe(true);
    whole.add(1);
    whole.add(2);
    part.add(2);
    expect(part.sharing).toBe(false);
    // Subset {3, 2}: mean 2.5; type 7 p50 = 2 + 0.5·1 = 2.5, p90 = 2 + 0.9·1 = 2.9, p99 = 2.99.
    expect(part.stats()).toEqual({ mean: 2.5, p50: 2.5, p90: 2.9, p95: 2.95, p99: 2.99 });
    // Whole {1, 2, 3}: mean 2, p50 = 2, p90: idx 1.8 → 2 + 0.8 = 2.8.
    expect(whole.stats()).toMatchObject({ mean: 2, p50: 2, p90: 2.8 });
    expect([whole.count, part.count, whole.exact, part.exact]).toEqual([3, 2, true, true]);
  });

  it('a column whose figures were read sorted its values in place (no copy kept) and takes no more values', () => {
    const whole = new LatencyColumn();
    const all = new LatencyColumn(whole);
    for (const v of [5, 1, 4, 2, 3]) {
      whole.add(v);
      all.add(v);
    }
    // Every sharer has the column's count: sorted where they are, shared by the sharer.
    expect(whole.stats()).toEqual(latencyStats([5, 1, 4, 2, 3]));
    expect(all.grid(5)).toEqual([1, 2, 3, 4, 5]);
    expect(() => whole.add(6)).toThrow(/added after its figures were read/);
    expect(() => all.add(6)).toThrow(/added after its figures were read/);
    // A sharer with fewer values keeps the source's order readable: the source sorts a copy and may grow.
    const src = new LatencyColumn();
    const part = new LatencyColumn(src);
    src.add(9);
    part.add(9);
    src.add(8);
    src.add(7);
    expect(part.sharing).toBe(true);
    expect(src.stats()).toMatchObject({ mean: 8, p50: 8 });
    expect(part.stats()).toMatchObject({ mean: 9 });
    src.add(1);
    expect(src.stats()).toMatchObject({ mean: 6.25, p50: 7.5 });
  });

  it('a subset given every value shares them to the end; one that stops early stands for the prefix', () => {
    const whole = new LatencyColumn();
    const all = new LatencyColumn(whole);
    const early = new LatencyColumn(whole);
    for (let i = 0; i < 5000; i++) {
      const v = (i * 7919) % 1000;
      whole.add(v);
      all.add(v);
      if (i < 1234) early.add(v);
    }
    expect([all.sharing, early.sharing]).toEqual([true, true]);
    expect(all.stats()).toEqual(whole.stats());
    const prefix = Array.from({ length: 1234 }, (_, i) => (i * 7919) % 1000);
    expect(early.stats()).toEqual(latencyStats(prefix));
    expect(early.grid(101)).toEqual(grid(prefix, 101));
  });

  it('equals the record path on any values and subsets; past the limit a sketch within α (property)', () => {
    const limit = 40;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1e5, noNaN: true }), fc.boolean(), fc.boolean(), fc.boolean()), { maxLength: 90 }),
        fc.integer({ min: 0, max: 89 }),
        // Whole µs (the int32 storage throughout) or any doubles (float64 from the first that is not).
        fc.boolean(),
        (drawn, cut, micros) => {
          const rows = micros ? drawn.map(([v, a, b, c]) => [Math.round(v * 1000) / 1000, a, b, c] as const) : drawn;
          const whole = new LatencyColumn(null, limit);
          // Subsets: by flag 1, by flag 2, and "every value until row `cut`, then flag 3".
          const subs = [new LatencyColumn(whole, limit), new LatencyColumn(whole, limit), new LatencyColumn(whole, limit)];
          const values: number[][] = [[], [], [], []];
          rows.forEach(([v, a, b, c], i) => {
            whole.add(v);
            values[0]!.push(v);
            const inSub = [a, b, i < cut || c];
            subs.forEach((s, k) => {
              if (inSub[k]) {
                s.add(v);
                values[k + 1]!.push(v);
              }
            });
          });
          [whole, ...subs].forEach((col, k) => {
            const vs = values[k]!;
            expect(col.count).toBe(vs.length);
            if (k === 0) expect(col.exact).toBe(vs.length <= limit);
            // A column is exact only at most `limit` values; sharing ones follow the whole run's column.
            if (vs.length > limit) expect(col.exact).toBe(false);
            if (col.exact) {
              expect(col.stats()).toEqual(latencyStats(vs));
              expect(col.grid(11)).toEqual(grid(vs, 11));
              return;
            }
            const want = latencyStats(vs);
            const got = col.stats();
            for (const q of ['p50', 'p90', 'p95', 'p99'] as const) expect(Math.abs(got[q]! - want[q]!)).toBeLessThanOrEqual(RELATIVE_ACCURACY * want[q]! + 1e-4);
            expect(Math.abs(got.mean! - want.mean!)).toBeLessThanOrEqual(1e-9 * want.mean! + 1e-4);
          });
          if (micros && whole.exact) expect(whole.compactValues).toBe(true);
          // Sharing: a subset given every value so far never copied them.
          if (rows.length > 0 && rows.every((r, i) => i < cut || r[3])) expect(subs[2]!.sharing || !whole.exact).toBe(true);
        },
      ),
      { numRuns: 400, seed: 15 },
    );
  });

  it('golden: whole µs in 4 B a value; the first value that is not moves the column to float64, keeping every figure', () => {
    const col = new LatencyColumn(null, 10);
    for (const v of [12.345, 0.001, 7]) col.add(v);
    expect(col.compactValues).toBe(true);
    // Sorted 0.001, 7, 12.345: median 7, mean 19.346 / 3.
    expect(col.stats().p50).toBe(7);
    const other = new LatencyColumn(null, 10);
    for (const v of [12.345, 0.001, 7, 0.0005]) other.add(v);
    expect(other.compactValues).toBe(false);
    // Sorted 0.0005, 0.001, 7, 12.345: type-7 median halfway between 0.001 and 7.
    expect(other.stats().p50).toBe(round4((0.001 + 7) / 2));
    expect(other.grid(2)).toEqual([round4(0.0005), 12.345]);
  });
});
