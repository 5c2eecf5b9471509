/**
 * The latency columns' radix sort (sim/metrics/stream/sortFloat64.ts): the same array as the
 * built-in typed-array sort, for every value IEEE can hold (−0, negatives, infinities, subnormals,
 * duplicates, NaN through the fallback).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortedCopy, sortInPlace } from '../sim/metrics/stream/sortFloat64.js';

const same = (a: Float64Array, b: Float64Array): boolean => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

describe('sortedCopy', () => {
  it('golden: −0 before +0, negatives first, infinities at the ends, the input untouched', () => {
    const v = new Float64Array([3, -0, 0, -1.5, Infinity, 2.5e-310, -Infinity, 3, 1e-3]);
    const s = sortedCopy(v, 9, 1);
    expect([...s].map((x) => (Object.is(x, -0) ? '-0' : String(x)))).toEqual(['-Infinity', '-1.5', '-0', '0', '2.5e-310', '0.001', '3', '3', 'Infinity']);
    expect(v[0]).toBe(3);
    // Only the first n values.
    expect([...sortedCopy(v, 4, 1)]).toEqual([-1.5, -0, 0, 3]);
  });

  it('equals the built-in sort on random columns, radix and fallback paths alike', () => {
    const value = fc.oneof(fc.double(), fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constantFrom(0, -0, 1, 1, 2.5), fc.integer({ min: 0, max: 5000 }).map((x) => x / 1000));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 300 }), fc.nat({ max: 300 }), fc.constantFrom(1, 2, 64, 1000), (xs, cut, from) => {
        const v = Float64Array.from(xs);
        const n = Math.min(cut, v.length);
        return same(sortedCopy(v, n, from), v.slice(0, n).sort());
      }),
      { numRuns: 2000 },
    );
  });

  it('equals the built-in sort above the default threshold (latency-like values, 70,000 of them)', () => {
    let x = 99;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const v = Float64Array.from({ length: 70_000 }, () => Math.round(Math.exp(next() * 9) * 1e4) / 1e4);
    expect(same(sortedCopy(v, v.length), v.slice().sort())).toBe(true);
  });
});

describe('sortInPlace', () => {
  it('golden: sorts the first n values where they are (view of n), the rest of the array untouched', () => {
    const v = new Float64Array([3, -0, 0, -1.5, 7, 7]);
    const s = sortInPlace(v, 4, 1);
    expect([...s].map((x) => (Object.is(x, -0) ? '-0' : String(x)))).toEqual(['-1.5', '-0', '0', '3']);
    expect(s.length).toBe(4);
    // Four passes end in the array itself here: the values are sorted in v.
    expect(s.buffer).toBe(v.buffer);
    expect([...v]).toEqual([-1.5, -0, 0, 3, 7, 7]);
  });

  it('equals the built-in sort of a copy, radix and fallback paths alike, with spare capacity behind the values', () => {
    const value = fc.oneof(fc.double(), fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constantFrom(0, -0, 1, 1, 2.5));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 300 }), fc.nat({ max: 300 }), fc.constantFrom(1, 2, 64, 1000), (xs, cut, from) => {
        const v = Float64Array.from(xs);
        const n = Math.min(cut, v.length);
        const expected = v.slice(0, n).sort();
        const tail = v.slice(n);
        const s = sortInPlace(v, n, from);
        // The values behind the first n are not the sort's (a column's spare capacity).
        return same(s, expected) && (s.buffer !== v.buffer || same(v.slice(n), tail));
      }),
      { numRuns: 2000 },
    );
  });
});
