/**
 * Two latency columns read as one distribution (sim/metrics/stream/latencyUnion.ts): the value at a
 * rank of the merged order equals the merged array's; the grid equals that of one column holding
 * every value, exactly up to the limit and as its sketch past it; and a streamed run's `all` keeps no
 * column of its own in an exact run (the window's columns plus those left out of it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyColumn } from '../sim/metrics/stream/latencyColumn.js';
import { kthOfTwo, LatencyUnion } from '../sim/metrics/stream/latencyUnion.js';
import { StreamedSummary } from '../sim/metrics/stream/streamSummary.js';
import { newRequestRecord } from '../sim/metrics/records.js';
import type { PolicyRun, RequestRecord } from '../sim/metrics/types.js';

const column = (values: readonly number[], limit?: number): LatencyColumn => {
  const c = new LatencyColumn(null, limit);
  for (const v of values) c.add(v);
  return c;
};

/** Latencies with many ties (integers and halves up to 50) so ranks straddle equal values. */
const latencies = fc.array(fc.integer({ min: 0, max: 100 }).map((x) => x / 2), { maxLength: 60 });

describe('kthOfTwo', () => {
  it('golden: [1, 3] and [2, 4, 10] merge to 1, 2, 3, 4, 10', () => {
    const a = [1, 3];
    const b = [2, 4, 10];
    expect([0, 1, 2, 3, 4].map((k) => kthOfTwo(a, b, k))).toEqual([1, 2, 3, 4, 10]);
    expect(kthOfTwo([], [7], 0)).toBe(7);
    expect(() => kthOfTwo(a, b, 5)).toThrow(/rank 5 outside 0 … 4/);
  });

  it('equals the merged sorted array at every rank', () => {
    fc.assert(
      fc.property(latencies, latencies, (x, y) => {
        const a = [...x].sort((p, q) => p - q);
        const b = [...y].sort((p, q) => p - q);
        const merged = [...a, ...b].sort((p, q) => p - q);
        for (let k = 0; k < merged.length; k++) expect(kthOfTwo(a, b, k)).toBe(merged[k]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('LatencyUnion', () => {
  it('golden: the grid of [1, 3] and [2, 4] is type 7 over 1, 2, 3, 4 (p = 0.5 between ranks 1 and 2: 2.5)', () => {
    const u = new LatencyUnion(column([3, 1]), column([4, 2]));
    expect(u.count).toBe(4);
    expect(u.exact).toBe(true);
    expect(u.grid(3)).toEqual([1, 2.5, 4]);
    expect(new LatencyUnion(column([]), column([])).grid(3)).toBeNull();
  });

  it('its grid is that of one column of every value: exact up to the limit, that column’s sketch past it', () => {
    fc.assert(
      fc.property(latencies, latencies, fc.integer({ min: 2, max: 40 }), fc.integer({ min: 2, max: 11 }), (x, y, limit, points) => {
        const one = column([...x, ...y], limit);
        const u = new LatencyUnion(column(x, limit), column(y, limit), limit);
        expect(u.count).toBe(one.count);
        expect(u.exact).toBe(one.exact);
        expect(u.grid(points)).toEqual(one.grid(points));
      }),
      { numRuns: 300 },
    );
  });

  it('reads a column that shares its source’s values (a pool of a one-pool run)', () => {
    const whole = new LatencyColumn();
    const pool = new LatencyColumn(whole);
    for (const v of [5, 1, 3]) {
      whole.add(v);
      pool.add(v);
    }
    expect(pool.sharing).toBe(true);
    // 1, 2, 3, 5 at p = 0.25, 0.5, 0.75: ranks 0.75, 1.5, 2.25 → 1.75, 2.5, 3 + 0.25 · 2 = 3.5.
    expect(new LatencyUnion(pool, column([2])).grid(5)).toEqual([1, 1.75, 2.5, 3.5, 5]);
  });
});

describe('a streamed run’s latencies of every completed request', () => {
  type Mutable = { -readonly [K in keyof RequestRecord]: RequestRecord[K] };
  /** Request i arrives at i s, TTFT ttft ms, 10 output tokens 1 ms apart. */
  const done = (i: number, ttft: number): RequestRecord => {
    const r = newRequestRecord({ id: i, arrivalUs: i * 1e6, inputTokens: 10, outputTokens: 10, adapter: null, priority: 0 }) as Mutable;
    const first = r.arrivalUs + ttft * 1000;
    return Object.assign(r, { outcome: 'completed', reason: '', enqueueUs: r.arrivalUs, scheduledUs: r.arrivalUs, firstTokenUs: first, lastTokenUs: first + 9000, endUs: first + 9000 });
  };
  const run = (warmup: number | null) => {
    const s = new StreamedSummary({ ttft_ms: null, tpot_ms: null }, { warmup_s: warmup });
    // TTFTs 40, 10, 30, 20, 50 ms for arrivals at 0 … 4 s.
    [40, 10, 30, 20, 50].forEach((t, i) => {
      s.onRecord(done(i, t));
      s.onRequestEnd(i);
    });
    s.finish();
    return s;
  };
  const emptyRun: PolicyRun = { policy: 'p', policyType: 'round-robin', records: [], replicas: [], itl: new Map(), endUs: 5e6 };

  it('are the window’s and those left out of it: a 2 s warm-up measures 30, 20, 50; the grid is over all five', () => {
    const s = run(2);
    expect(() => s.all).toThrow(/only after summarize/);
    const sum = s.summarize(emptyRun);
    expect(sum.ttft_ms.mean).toBe(33.3333);
    // All five: 10, 20, 30, 40, 50 → quartiles at ranks 0 … 4.
    expect(s.all.ttft.grid(5)).toEqual([10, 20, 30, 40, 50]);
    expect(s.all.ttft.count).toBe(5);
    expect(s.all.tpot.grid(2)).toEqual([1, 1]);
    expect(s.exact).toBe(true);
  });

  it('keep nothing outside the window when every request is in it', () => {
    const s = run(0);
    s.summarize(emptyRun);
    const outside = (s as unknown as { outside: { ttft: LatencyColumn } }).outside;
    expect(outside.ttft.count).toBe(0);
    expect(s.all.ttft.grid(5)).toEqual([10, 20, 30, 40, 50]);
  });
});
