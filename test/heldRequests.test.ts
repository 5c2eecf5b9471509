/**
 * Held requests (sim/metrics/stream/heldRequests.ts): the window fields of ended requests kept in
 * typed columns (int32 offsets while the values allow, every value read back as pushed), the P/D
 * ones made only when a held request needs them, each distinct group tuple kept once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeldRequests, type WindowFields } from '../sim/metrics/stream/heldRequests.js';
import { CompactColumn } from '../sim/metrics/stream/compactColumn.js';
import { newRequestRecord } from '../sim/metrics/records.js';
import type { RequestRecord } from '../sim/metrics/types.js';

const PD_FIELDS = ['prefillReplica', 'kvReadyUs', 'prefillQueueUs', 'prefillComputeUs', 'decodeQueueUs', 'kvTransferUs', 'kvTransferBytes'] as const;
const FIELDS = ['arrivalUs', 'endUs', 'firstTokenUs', 'lastTokenUs', 'enqueueUs', 'scheduledUs', 'inputTokens', 'outputTokens', 'cachedTokens', ...PD_FIELDS, 'outcome'] as const;

const PD_VALUES = [2, 250, 7, 40, 3, 12, 65536];

/** A completed request; `pd`: all P/D fields set (true), none (false), or those of a bit mask. */
function record(id: number, pd: boolean | number): RequestRecord {
  const r = newRequestRecord({ id, arrivalUs: id * 10, inputTokens: 100 + id, outputTokens: 5, adapter: null, priority: 0 }) as { -readonly [K in keyof RequestRecord]: RequestRecord[K] };
  Object.assign(r, { outcome: 'completed', endUs: id * 10 + 900, firstTokenUs: id * 10 + 300, lastTokenUs: id * 10 + 800, enqueueUs: id * 10 + 1, scheduledUs: id * 10 + 2, cachedTokens: id % 3 });
  const mask = pd === true ? 127 : pd === false ? 0 : pd;
  PD_FIELDS.forEach((f, k) => {
    if ((mask >> k) & 1) r[f] = PD_VALUES[k]!;
  });
  return r;
}

const fields = (r: WindowFields): Record<string, unknown> => Object.fromEntries(FIELDS.map((f) => [f, r[f]]));

function replayAll(h: HeldRequests): { fields: Record<string, unknown>; groups: number[] }[] {
  const out: { fields: Record<string, unknown>; groups: number[] }[] = [];
  h.replay(-Infinity, Infinity, (r, g, o) => out.push({ fields: fields(r), groups: [g[o]!, g[o + 1]!] }));
  return out;
}

describe('HeldRequests', () => {
  it('gives back every field of requests held before and after the first disaggregated one (its P/D columns made then)', () => {
    const h = new HeldRequests(2);
    const pushed = [record(1, false), record(2, false), record(3, true), record(4, false)];
    pushed.slice(0, 2).forEach((r, i) => h.push(r, [i, 10 + i]));
    expect(h.columnCount).toBe(9);
    pushed.slice(2).forEach((r, i) => h.push(r, [i + 2, 12 + i]));
    expect(h.columnCount).toBe(16);
    const out = replayAll(h);
    expect(out.map((o) => o.fields)).toEqual(pushed.map(fields));
    // The requests held before the P/D one read back the defaults of a request not disaggregated.
    expect(out[0]!.fields.prefillReplica).toBe(-1);
    expect(out[0]!.fields.kvTransferBytes).toBe(0);
    expect(out[2]!.fields.kvTransferBytes).toBe(65536);
    expect(out.map((o) => o.groups)).toEqual([[0, 10], [1, 11], [2, 12], [3, 13]]);
  });

  it('keeps every field through growth and drains, whatever mix of P/D requests (fast-check)', () => {
    // Mostly requests not disaggregated; now and then one with some P/D fields set (any of them).
    const pdArb = fc.oneof({ weight: 20, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 127 }) });
    fc.assert(
      fc.property(fc.array(pdArb, { minLength: 1, maxLength: 3000 }), fc.integer({ min: 0, max: 30000 }), (pds, cut) => {
        const h = new HeldRequests(2);
        const pushed = pds.map((pd, i) => record(i, pd));
        pushed.forEach((r, i) => h.push(r, [i, -i]));
        expect(h.columnCount).toBe(pds.some((m) => m !== 0) ? 16 : 9);
        const drained: Record<string, unknown>[] = [];
        h.drain(cut, (r) => drained.push(fields(r)));
        const kept = replayAll(h);
        expect(drained).toEqual(pushed.filter((r) => r.arrivalUs <= cut).map(fields));
        expect(kept.map((o) => o.fields)).toEqual(pushed.filter((r) => r.arrivalUs > cut).map(fields));
      }),
      { numRuns: 40 },
    );
  });
});

describe('CompactColumn', () => {
  it('golden: times in µs stay int32 offsets from the first; a fraction moves it to float64 with every value kept', () => {
    const c = new CompactColumn(4);
    [5_000_000, 5_000_300, 4_999_000].forEach((v, i) => c.set(i, v));
    expect(c.compact).toBe(true);
    expect([0, 1, 2].map((i) => c.get(i))).toEqual([5_000_000, 5_000_300, 4_999_000]);
    c.set(3, 2.5);
    expect(c.compact).toBe(false);
    expect([0, 1, 2, 3].map((i) => c.get(i))).toEqual([5_000_000, 5_000_300, 4_999_000, 2.5]);
  });

  it('reads back every value as pushed (Object.is), through growth and moves, whatever the values (fast-check)', () => {
    const value = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: -5_000_000, max: 5_000_000 }) },
      { weight: 1, arbitrary: fc.constantFrom(2 ** 31, -(2 ** 31) - 7, 2 ** 53 - 1, -0, 0.5, NaN, Infinity, -Infinity, 1e300) },
      { weight: 1, arbitrary: fc.double() },
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 8 }), (values, start) => {
        const model: number[] = [];
        let capacity = start;
        const c = new CompactColumn(capacity);
        values.forEach((v, i) => {
          if (i === capacity) c.grow((capacity *= 2), i);
          c.set(i, v);
          model.push(v);
        });
        // Compact (drain-like): every other row moved down.
        let kept = 0;
        for (let i = 1; i < model.length; i += 2) c.move(kept++, i);
        const survivors = model.filter((_, i) => i % 2 === 1);
        survivors.forEach((v, i) => expect(Object.is(c.get(i), v)).toBe(true));
        const allSmallInts = values.every((v) => Number.isInteger(v) && !Object.is(v, -0) && Math.abs(v - values[0]!) < 2 ** 31);
        if (allSmallInts) expect(c.compact).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('CompactColumn of scale 1000 (latencies in ms)', () => {
  it('golden: whole µs stay int32; 0.0005 ms moves it to float64; sorted as float64 either way', () => {
    const c = new CompactColumn(4, 1000);
    [12.345, 0.001, 2_000_000.5].forEach((v, i) => c.set(i, v));
    expect(c.compact).toBe(true);
    expect([0, 1, 2].map((i) => c.get(i))).toEqual([12.345, 0.001, 2_000_000.5]);
    expect([...c.toFloat64(3)]).toEqual([12.345, 0.001, 2_000_000.5]);
    c.set(3, 0.0005);
    expect(c.compact).toBe(false);
    expect([...c.sortedFloat64(4)]).toEqual([0.0005, 0.001, 12.345, 2_000_000.5]);
  });

  it('reads back every value (Object.is), copies and sorts as float64 would (fast-check)', () => {
    const value = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 0, max: 2_000_000_000 }).map((k) => k / 1000) },
      { weight: 1, arbitrary: fc.constantFrom(-0, 0.0005, 1e-7, 2 ** 31, 3e6, 1e300) },
      { weight: 1, arbitrary: fc.double({ min: 0, max: 1e7, noNaN: true }) },
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 120 }), fc.integer({ min: 1, max: 8 }), (values, start) => {
        let capacity = start;
        const c = new CompactColumn(capacity, 1000);
        values.forEach((v, i) => {
          if (i === capacity) c.grow((capacity *= 2), i);
          c.set(i, v);
        });
        values.forEach((v, i) => expect(Object.is(c.get(i), v)).toBe(true));
        const copy = c.copy(values.length, values.length + 3);
        expect(copy.compact).toBe(c.compact);
        values.forEach((v, i) => expect(Object.is(copy.get(i), v)).toBe(true));
        const micros = values.every((v) => !Object.is(v, -0) && Math.abs(Math.round(v * 1000) - Math.round(values[0]! * 1000)) < 2 ** 31 && Math.round(v * 1000) / 1000 === v);
        expect(c.compact).toBe(micros);
        expect([...c.sortedFloat64(values.length)]).toEqual([...Float64Array.from(values).sort()]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('HeldRequests memory', () => {
  it('keeps integer fields as int32 offsets and each distinct group tuple once', () => {
    const h = new HeldRequests(3);
    for (let i = 0; i < 3000; i++) h.push(record(i, false), [i % 2, 7, i % 3]);
    expect(h.compactColumns).toBe(9);
    expect(h.tupleCount).toBe(6);
    const out: number[][] = [];
    h.replay(-Infinity, Infinity, (_r, g, o) => out.push([g[o]!, g[o + 1]!, g[o + 2]!]));
    expect(out.slice(0, 7)).toEqual([[0, 7, 0], [1, 7, 1], [0, 7, 2], [1, 7, 0], [0, 7, 1], [1, 7, 2], [0, 7, 0]]);
  });

  it('gives back each request its own group tuple, runs of equal tuples and tuples differing in one place included (fast-check)', () => {
    // Tuples drawn from a small alphabet repeat in runs (as consecutive requests of one class do) and
    // differ from the previous one in any single place: a repeat is found without its key.
    const tuple = fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: -1, max: 1 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(tuple, fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 200 }), (runs) => {
        const h = new HeldRequests(3);
        const pushed: number[][] = [];
        for (const [t, n] of runs) for (let k = 0; k < n; k++) pushed.push([...t]);
        pushed.forEach((g, i) => h.push(record(i, false), g));
        expect(h.tupleCount).toBe(new Set(pushed.map((g) => g.join(','))).size);
        const out: number[][] = [];
        h.replay(-Infinity, Infinity, (_r, g, o) => out.push([g[o]!, g[o + 1]!, g[o + 2]!]));
        expect(out).toEqual(pushed);
      }),
      { numRuns: 100 },
    );
  });
});
