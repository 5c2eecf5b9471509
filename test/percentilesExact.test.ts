/**
 * Issue 15: percentiles stay exact for runs of at least 1M requests per policy — latencyStats sorts
 * a typed array (no sketch, no sampling). Samples 0, 1, …, 999 999 in a scrambled order: type-7
 * quantile p is the value at index (n − 1)·p = 999 999·p, interpolated linearly.
 */
import { describe, expect, it } from 'vitest';
import { latencyStats } from '../sim/metrics/latency.js';

describe('latencyStats at 1M samples', () => {
  it('gives the exact mean and type-7 quantiles', () => {
    const n = 1_000_000;
    const samples = new Array<number>(n);
    // i ↦ (i · 7919) mod n is a permutation of 0 … n − 1 (7919 is prime and does not divide 10⁶).
    for (let i = 0; i < n; i++) samples[i] = (i * 7919) % n;
    const s = latencyStats(samples);
    expect(s.mean).toBe(499999.5);
    expect(s.p50).toBe(499999.5); // index 499 999.5
    expect(s.p90).toBe(899999.1); // index 899 999.1
    expect(s.p95).toBe(949999.05); // index 949 999.05
    expect(s.p99).toBe(989999.01); // index 989 999.01
  });
});
