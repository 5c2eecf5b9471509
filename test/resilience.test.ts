/**
 * Gateway resilience primitives (sim/resilience; gateway.md §1.7, §3.1–3.3): golden numbers worked
 * by hand from Envoy's rules, and invariants as fast-check properties.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ActiveRetries,
  backoffRangeUs,
  backoffUs,
  CircuitBreaker,
  OutlierDetector,
  RateLimiter,
  RetryBudget,
  retryBudgetLimit,
  TokenBucket,
  DEFAULT_OUTLIER_DETECTION,
} from '../sim/resilience/index.js';

const MS = 1_000;
const S = 1_000_000;

describe('TokenBucket (Envoy local rate limit)', () => {
  it('golden: max 3, 1 token per 100 ms', () => {
    const b = new TokenBucket({ maxTokens: 3, tokensPerFill: 1, fillIntervalUs: 100 * MS });
    // Initial fill = max_tokens = 3: three takes at t = 0 succeed, the fourth fails.
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    // Next tick at 100 ms adds a token: 100 ms − 0 = 100 ms to wait; from 30 ms, 70 ms.
    expect(b.retryAfterUs(0)).toBe(100 * MS);
    expect(b.retryAfterUs(30 * MS)).toBe(70 * MS);
    // 99.999 ms: still before the first tick.
    expect(b.take(100 * MS - 1)).toBe(false);
    // At 250 ms the ticks at 100 and 200 ms have added 1 + 1 = 2 tokens.
    expect(b.tokens(250 * MS)).toBe(2);
    expect([b.take(250 * MS), b.take(250 * MS), b.take(250 * MS)]).toEqual([true, true, false]);
    // Empty at 250 ms: next tick at 300 ms ⇒ 50 ms.
    expect(b.retryAfterUs(250 * MS)).toBe(50 * MS);
    expect(b.retryAfterUs(300 * MS)).toBe(0);
  });

  it('refills in discrete ticks, capped at max_tokens, tokens_per_fill at a time', () => {
    const b = new TokenBucket({ maxTokens: 10, tokensPerFill: 4, fillIntervalUs: 1 * S });
    for (let i = 0; i < 10; i++) expect(b.take(0)).toBe(true);
    // Tick at 1 s: 0 + 4 = 4; at 2 s: 8; at 3 s: min(12, 10) = 10.
    expect(b.tokens(1 * S)).toBe(4);
    expect(b.tokens(2 * S + 999_999)).toBe(8);
    expect(b.tokens(3 * S)).toBe(10);
    // A long idle gap still caps at 10.
    expect(b.tokens(1e6 * S)).toBe(10);
  });

  it('rejects a fill interval under 50 ms and non-positive counts', () => {
    expect(() => new TokenBucket({ maxTokens: 1, tokensPerFill: 1, fillIntervalUs: 49_999 })).toThrow(/≥ 50000/);
    expect(() => new TokenBucket({ maxTokens: 0, tokensPerFill: 1, fillIntervalUs: 50_000 })).toThrow(/maxTokens/);
    expect(() => new TokenBucket({ maxTokens: 1, tokensPerFill: 0, fillIntervalUs: 50_000 })).toThrow(/tokensPerFill/);
  });

  it('property: grants ≤ maxTokens + tokensPerFill·⌊t / interval⌋ by time t, and retryAfter lands on a tick with a token', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 50_000, max: 2_000_000 }),
        fc.array(fc.integer({ min: 0, max: 3_000_000 }), { minLength: 1, maxLength: 200 }),
        (maxTokens, tokensPerFill, fillIntervalUs, gaps) => {
          const b = new TokenBucket({ maxTokens, tokensPerFill, fillIntervalUs });
          let t = 0;
          let granted = 0;
          for (const g of gaps) {
            t += g;
            if (b.take(t)) granted++;
            expect(granted).toBeLessThanOrEqual(maxTokens + tokensPerFill * Math.floor(t / fillIntervalUs));
            const wait = b.retryAfterUs(t);
            expect(wait).toBeGreaterThanOrEqual(0);
            if (wait > 0) {
              // Probing moves the bucket's clock, so the run's time moves with it (time never goes back).
              expect(wait).toBeLessThanOrEqual(fillIntervalUs);
              expect((t + wait) % fillIntervalUs).toBe(0);
              expect(b.tokens(t + wait - 1)).toBe(0);
              expect(b.tokens(t + wait)).toBeGreaterThan(0);
              t += wait;
            }
          }
        },
      ),
    );
  });
});

describe('RateLimiter (buckets per key)', () => {
  it('one bucket per key, created full on first use', () => {
    const rl = new RateLimiter({ maxTokens: 2, tokensPerFill: 1, fillIntervalUs: 1 * S });
    expect([rl.take('gold', 0), rl.take('gold', 0), rl.take('gold', 0)]).toEqual([true, true, false]);
    // Another tenant is untouched.
    expect(rl.tokens('silver', 0)).toBe(2);
    expect(rl.take('silver', 0)).toBe(true);
    expect(rl.size).toBe(2);
    expect(rl.retryAfterUs('gold', 400 * MS)).toBe(600 * MS);
    expect(rl.retryAfterUs('bronze', 0)).toBe(0);
  });
});

describe('backoffUs (Envoy jittered exponential back-off)', () => {
  it('golden for a fixed u sequence, base 25 ms, max 250 ms', () => {
    const u = [0.5, 0.5, 0.5, 0.9, 0.5, 0.5, 0.999];
    const got = u.map((x, i) => backoffUs(i + 1, x, 25 * MS, 250 * MS));
    expect(got).toEqual([
      12_500, //  retry 1: ⌊0.5 · (2¹ − 1) · 25 ms⌋ = 12.5 ms
      37_500, //  retry 2: ⌊0.5 · (2² − 1) · 25 ms⌋ = 0.5 · 75 ms = 37.5 ms
      87_500, //  retry 3: 0.5 · (2³ − 1) · 25 ms = 0.5 · 175 ms = 87.5 ms
      250_000, // retry 4: 0.9 · 375 ms = 337.5 ms, capped at 250 ms
      187_500, // retry 5: the range stopped growing at 375 ms (375 > 250): 0.5 · 375 = 187.5 ms
      187_500, // retry 6: same range
      250_000, // retry 7: 0.999 · 375 = 374.6 ms → 250 ms
    ]);
    // Defaults: base 25 ms, max 10 · base.
    expect(backoffUs(2, 0.5)).toBe(37_500);
    expect(backoffUs(3, 0)).toBe(0);
    // Without the stop, retry 40 would use (2^40 − 1) · 25 ms; Envoy's range stays at 375 ms.
    expect(backoffRangeUs(40, 25 * MS, 250 * MS)).toBe(375 * MS);
    // A larger max lets the range grow further: base 10 ms, max 1 s ⇒ 10, 30, 70, …, 1270 ms (2^7 − 1 = 127).
    expect([1, 2, 3, 7, 8, 9].map((n) => backoffRangeUs(n, 10 * MS, 1 * S))).toEqual([10_000, 30_000, 70_000, 1_270_000, 1_270_000, 1_270_000]);
  });

  it('property: 0 ≤ wait ≤ max and wait < (2^n − 1) · base', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 50 }), (n, u, base, k) => {
        const max = base * k;
        const w = backoffUs(n, u, base, max);
        expect(Number.isInteger(w)).toBe(true);
        expect(w).toBeGreaterThanOrEqual(0);
        expect(w).toBeLessThanOrEqual(max);
        expect(w).toBeLessThan((2 ** n - 1) * base);
      }),
    );
  });

  it('rejects a bad retry number or draw', () => {
    expect(() => backoffUs(0, 0.5)).toThrow(/≥ 1/);
    expect(() => backoffUs(1, 1)).toThrow(/\[0, 1\)/);
    expect(() => backoffUs(1, 0.5, 25, 10)).toThrow(/base ≤ max/);
  });
});

describe('RetryBudget (Envoy retry_budget)', () => {
  it('floor min_retry_concurrency, then budget_percent of active + pending', () => {
    // 20 % of 0, 10, 15: 0, 2, 3 ⇒ the floor 3 applies.
    expect([0, 10, 15].map((n) => retryBudgetLimit(n))).toEqual([3, 3, 3]);
    // 20 % of 20 = 4; of 24 = 4.8 → 4; of 100 = 20.
    expect([20, 24, 100].map((n) => retryBudgetLimit(n))).toEqual([4, 4, 20]);
    const b = new RetryBudget({ percent: 50, minConcurrency: 1 });
    // 50 % of 7 = 3.5 → 3: a 4th concurrent retry is refused.
    expect([b.canRetry(7, 2), b.canRetry(7, 3)]).toEqual([true, false]);
    expect(b.canRetry(0, 0)).toBe(true);
    expect(b.canRetry(0, 1)).toBe(false);
  });

  it('ActiveRetries counts retries in flight and the skipped ones', () => {
    const r = new ActiveRetries(new RetryBudget());
    // 10 requests active: limit max(3, 2) = 3.
    expect([r.tryStart(10), r.tryStart(10), r.tryStart(10), r.tryStart(10)]).toEqual([true, true, true, false]);
    expect([r.active, r.skipped]).toEqual([3, 1]);
    r.finish();
    expect(r.tryStart(10)).toBe(true);
    // With 25 requests active: 20 % = 5.
    expect([r.tryStart(25), r.tryStart(25), r.tryStart(25)]).toEqual([true, true, false]);
    expect(r.active).toBe(5);
    for (let i = 0; i < 5; i++) r.finish();
    expect(() => r.finish()).toThrow(/without a matching/);
  });
});

describe('OutlierDetector (consecutive 5xx)', () => {
  it('golden: ejected at 5 s for 30 s, back at the 40 s sweep; second ejection 60 s', () => {
    const od = new OutlierDetector(10);
    // 5xx at 1, 2, 3, 4 s: counts 1–4, no ejection; the 5th at 5 s ejects.
    expect([1, 2, 3, 4].map((t) => od.onResponse(0, t * S, true))).toEqual([false, false, false, false]);
    expect(od.onResponse(0, 5 * S, true)).toBe(true);
    expect(od.isEjected(0)).toBe(true);
    // Ejection = 30 s × 1 ⇒ until 35 s.
    expect(od.ejectedUntilUs(0)).toBe(35 * S);
    // Sweeps every 10 s from 0: 10, 20, 30 s are before 35 s; the 40 s sweep returns it.
    expect(od.nextSweepUs(5 * S)).toBe(10 * S);
    expect(od.nextSweepUs(30 * S)).toBe(40 * S);
    expect([10, 20, 30].map((t) => od.sweep(t * S))).toEqual([[], [], []]);
    expect(od.sweep(40 * S)).toEqual([0]);
    expect(od.isEjected(0)).toBe(false);
    // Five more at 41…45 s: second ejection, 30 s × 2 = 60 s ⇒ until 105 s ⇒ back at 110 s.
    expect([41, 42, 43, 44, 45].map((t) => od.onResponse(0, t * S, true))).toEqual([false, false, false, false, true]);
    expect(od.ejectedUntilUs(0)).toBe(105 * S);
    expect(od.sweep(100 * S)).toEqual([]);
    expect(od.sweep(110 * S)).toEqual([0]);
    expect(od.timesEjected(0)).toBe(2);
  });

  it('a success resets the count; the ejection time stops at max_ejection_time', () => {
    const od = new OutlierDetector(1, { ...DEFAULT_OUTLIER_DETECTION, maxEjectionTimeUs: 70 * S });
    for (let i = 0; i < 4; i++) od.onResponse(0, 0, true);
    od.onResponse(0, 0, false);
    for (let i = 0; i < 4; i++) expect(od.onResponse(0, 0, true)).toBe(false);
    expect(od.onResponse(0, 0, true)).toBe(true);
    // Ejections 1, 2, 3, 4 last min(30 s · k, 70 s): 30, 60, 70, 70 s.
    const durations: number[] = [];
    let t = 0;
    for (let k = 1; k <= 4; k++) {
      if (k > 1) for (let i = 0; i < 5; i++) od.onResponse(0, t, true);
      durations.push(od.ejectedUntilUs(0)! - t);
      t = od.nextSweepUs(od.ejectedUntilUs(0)! - 1);
      expect(od.sweep(t)).toEqual([0]);
    }
    expect(durations).toEqual([30 * S, 60 * S, 70 * S, 70 * S]);
  });

  it('answers while ejected are not counted, and the count restarts on return', () => {
    const od = new OutlierDetector(1);
    for (let i = 0; i < 5; i++) od.onResponse(0, 0, true);
    for (let i = 0; i < 10; i++) expect(od.onResponse(0, 1 * S, true)).toBe(false);
    expect(od.sweep(30 * S)).toEqual([0]);
    for (let i = 0; i < 4; i++) expect(od.onResponse(0, 31 * S, true)).toBe(false);
    expect(od.onResponse(0, 31 * S, true)).toBe(true);
  });

  it('max_ejection_percent: 100·(ejected + 1) ≤ percent · endpoints, but at least one', () => {
    const eject = (od: OutlierDetector, e: number) => {
      let r = false;
      for (let i = 0; i < 5; i++) r = od.onResponse(e, 0, true);
      return r;
    };
    // 10 endpoints, 10 %: the 1st ejection makes 10 % (allowed), a 2nd would make 20 %.
    const ten = new OutlierDetector(10);
    expect([eject(ten, 0), eject(ten, 1)]).toEqual([true, false]);
    expect([ten.ejectedCount, ten.capped]).toEqual([1, 1]);
    // The refused ejection restarted endpoint 1's count: 4 more 5xx do not eject it even after 0 returns.
    ten.sweep(30 * S);
    for (let i = 0; i < 4; i++) expect(ten.onResponse(1, 30 * S, true)).toBe(false);
    expect(ten.onResponse(1, 30 * S, true)).toBe(true);
    // 3 endpoints, 10 %: 1 host is always ejectable (33 % > 10 %), not a second.
    const three = new OutlierDetector(3);
    expect([eject(three, 0), eject(three, 1)]).toEqual([true, false]);
    // 20 endpoints: 2 ejectable (10 %), the 3rd would be 15 %.
    const twenty = new OutlierDetector(20);
    expect([0, 1, 2].map((e) => eject(twenty, e))).toEqual([true, true, false]);
    // 50 %, 4 endpoints: 2 allowed.
    const half = new OutlierDetector(4, { ...DEFAULT_OUTLIER_DETECTION, maxEjectionPercent: 50 });
    expect([0, 1, 2].map((e) => eject(half, e))).toEqual([true, true, false]);
  });

  it('property: ejected never exceeds max(1, ⌊percent · n / 100⌋) and every ejection ends at a sweep ≥ its end', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 100 }),
        fc.array(fc.tuple(fc.nat(11), fc.boolean(), fc.integer({ min: 0, max: 5 * S })), { maxLength: 300 }),
        (n, pct, events) => {
          const od = new OutlierDetector(n, { ...DEFAULT_OUTLIER_DETECTION, maxEjectionPercent: pct });
          const cap = Math.max(1, Math.floor((pct * n) / 100));
          let t = 0;
          for (const [e, bad, gap] of events) {
            const next = od.nextSweepUs(t);
            t += gap;
            if (t >= next) {
              const until = new Map<number, number>();
              for (let x = 0; x < n; x++) if (od.isEjected(x)) until.set(x, od.ejectedUntilUs(x)!);
              for (const x of od.sweep(next)) expect(until.get(x)!).toBeLessThanOrEqual(next);
              for (const x of until.keys()) if (od.isEjected(x)) expect(until.get(x)!).toBeGreaterThan(next);
            }
            od.onResponse(e % n, t, bad);
            expect(od.ejectedCount).toBeLessThanOrEqual(cap);
          }
        },
      ),
    );
  });
});

describe('CircuitBreaker', () => {
  it('overflows immediately at max_requests, and admits again after a release', () => {
    const cb = new CircuitBreaker({ maxRequests: 2, maxPendingRequests: 1 });
    expect([cb.tryAcquire(), cb.tryAcquire(), cb.tryAcquire()]).toEqual([true, true, false]);
    expect([cb.active, cb.overflows]).toEqual([2, 1]);
    cb.release();
    expect(cb.tryAcquire()).toBe(true);
    expect([cb.tryAcquirePending(), cb.tryAcquirePending()]).toEqual([true, false]);
    expect([cb.pending, cb.pendingOverflows]).toEqual([1, 1]);
    cb.releasePending();
    cb.release();
    cb.release();
    expect(() => cb.release()).toThrow(/without a matching/);
  });

  it('defaults to Envoy 1024 concurrent requests', () => {
    const cb = new CircuitBreaker();
    let ok = 0;
    for (let i = 0; i < 1100; i++) if (cb.tryAcquire()) ok++;
    expect([ok, cb.overflows]).toEqual([1024, 76]);
  });
});
