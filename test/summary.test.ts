import fc from 'fast-check';
import { quantileSorted } from 'simple-statistics';
import { completedRecord, replicaStats } from './fixtures.js';
import { describe, expect, it } from 'vitest';
import {
  itlStats,
  latencyStats,
  meetsSlo,
  requestShareCv,
  round4,
  summarize,
  weightedQuantileSorted,
  weightedSorted,
} from '../sim/metrics/summary.js';
import type { PolicyRun, RequestRecord } from '../sim/metrics/types.js';
import type { SloConfig } from '../sim/scenario/types.js';

const done = completedRecord;

/** A record rejected at arrival. */
function rejected(id: number, arrivalUs: number, reason: string): RequestRecord {
  return done({
    id,
    arrivalUs,
    dispatchUs: -1,
    replica: -1,
    enqueueUs: -1,
    scheduledUs: -1,
    firstTokenUs: -1,
    lastTokenUs: -1,
    outcome: 'rejected',
    reason,
  });
}

const replica = replicaStats;

const NO_SLO: SloConfig = { ttft_ms: null, tpot_ms: null };

/*
 * Golden run. Completed requests (µs):
 *   r0 arrival 0,       enqueue 1000,   scheduled 3000,   first 100_000, last 1_100_000, out 11, in 100, cached 32
 *      → TTFT 100 ms, E2E 1100 ms, TPOT 1_000_000/10 µs = 100 ms, queue 2 ms
 *   r1 arrival 50_000,  enqueue 51_000, scheduled 55_000, first 250_000, last 250_000,   out 1,  in 200, cached 0
 *      → TTFT 200 ms, E2E 200 ms, no TPOT (one output token), queue 4 ms
 *   r2 arrival 100_000, enqueue 101_000, scheduled 109_000, first 500_000, last 2_100_000, out 5, in 300, cached 64
 *      → TTFT 400 ms, E2E 2000 ms, TPOT 1_600_000/4 µs = 400 ms, queue 8 ms
 * Rejected: r3 prompt-too-long, r4 kv-capacity, r5 prompt-too-long.
 */
function goldenRun(): PolicyRun {
  return {
    policy: 'rr',
    policyType: 'round-robin',
    records: [
      done({ id: 0, arrivalUs: 0, enqueueUs: 1000, scheduledUs: 3000, firstTokenUs: 100_000, lastTokenUs: 1_100_000, outputTokens: 11, inputTokens: 100, cachedTokens: 32 }),
      done({ id: 1, arrivalUs: 50_000, enqueueUs: 51_000, scheduledUs: 55_000, firstTokenUs: 250_000, lastTokenUs: 250_000, outputTokens: 1, inputTokens: 200, cachedTokens: 0, replica: 1 }),
      done({ id: 2, arrivalUs: 100_000, enqueueUs: 101_000, scheduledUs: 109_000, firstTokenUs: 500_000, lastTokenUs: 2_100_000, outputTokens: 5, inputTokens: 300, cachedTokens: 64 }),
      rejected(3, 150_000, 'prompt-too-long'),
      rejected(4, 200_000, 'kv-capacity'),
      rejected(5, 250_000, 'prompt-too-long'),
    ],
    replicas: [
      replica({ name: 'r-0', requests: 2, completed: 2, inputTokens: 400, outputTokens: 16, prefixQueryTokens: 400, prefixHitTokens: 96, preemptions: 1, loraLoads: 2, busyUs: 1_050_000 }),
      replica({ name: 'r-1', requests: 1, completed: 1, inputTokens: 200, outputTokens: 1, prefixQueryTokens: 200, prefixHitTokens: 0, busyUs: 210_000, numGpuBlocks: 500 }),
      replica({ name: 'r-2', requests: 1, preemptions: 2, loraLoads: 1 }),
    ],
    // ITL µs → tokens: 5 ms ×2, 10 ms ×3, 20 ms ×1.
    itl: new Map([
      [10_000, 3],
      [20_000, 1],
      [5_000, 2],
    ]),
    endUs: 2_100_000,
  };
}

describe('summarize: golden run', () => {
  const s = summarize(goldenRun(), NO_SLO);

  it('counts arrivals, completions and rejections by reason (keys sorted)', () => {
    expect(s.arrived).toBe(6);
    expect(s.completed).toBe(3);
    expect(s.rejected).toBe(3);
    expect(s.rejected_by_reason).toEqual({ 'kv-capacity': 1, 'prompt-too-long': 2 });
    expect(Object.keys(s.rejected_by_reason)).toEqual(['kv-capacity', 'prompt-too-long']);
  });

  it('TTFT over completed requests', () => {
    // [100, 200, 400]: mean 700/3 = 233.3333; type-7 index (n−1)p = 2p:
    // p50 idx 1 → 200; p90 idx 1.8 → 200 + 0.8·200 = 360; p95 1.9 → 380; p99 1.98 → 396.
    expect(s.ttft_ms).toEqual({ mean: 233.3333, p50: 200, p90: 360, p95: 380, p99: 396 });
  });

  it('TPOT excludes the single-token request', () => {
    // [100, 400]: mean 250; idx = p: p50 → 100 + 0.5·300 = 250; p90 → 370; p95 → 385; p99 → 397.
    expect(s.tpot_ms).toEqual({ mean: 250, p50: 250, p90: 370, p95: 385, p99: 397 });
  });

  it('E2E and queue time', () => {
    // E2E sorted [200, 1100, 2000]: mean 1100; p50 1100; p90 1100 + 0.8·900 = 1820; p95 1910; p99 1982.
    expect(s.e2e_ms).toEqual({ mean: 1100, p50: 1100, p90: 1820, p95: 1910, p99: 1982 });
    // Queue [2, 4, 8]: mean 14/3 = 4.6667; p50 4; p90 4 + 0.8·4 = 7.2; p95 7.6; p99 7.92.
    expect(s.queue_ms).toEqual({ mean: 4.6667, p50: 4, p90: 7.2, p95: 7.6, p99: 7.92 });
  });

  it('ITL from the weighted histogram', () => {
    // Expanded ms [5, 5, 10, 10, 10, 20], n = 6: mean 60/6 = 10; idx = 5p:
    // p50 2.5 → 10; p90 4.5 → 10 + 0.5·10 = 15; p95 4.75 → 17.5; p99 4.95 → 19.5.
    expect(s.itl_ms).toEqual({ mean: 10, p50: 10, p90: 15, p95: 17.5, p99: 19.5 });
  });

  it('throughput over the completed requests', () => {
    // duration = (2_100_000 − 0) µs = 2.1 s; 3/2.1 = 1.428571; 600/2.1 = 285.714286; 17/2.1 = 8.095238.
    expect(s.throughput).toEqual({
      duration_s: 2.1,
      requests_per_s: 1.4286,
      input_tokens_per_s: 285.7143,
      output_tokens_per_s: 8.0952,
    });
  });

  it('goodput equals throughput without SLOs; fraction = completed/arrived', () => {
    expect(s.goodput).toEqual({ requests_per_s: 1.4286, fraction: 0.5 });
  });

  it('cache, preemption and LoRA totals', () => {
    // Σ hits / Σ queries = 96 / 600 = 0.16; preemptions 1+0+2; LoRA loads 2+0+1; cached (32+0+64)/3 = 32.
    expect(s.prefix_cache_hit_rate).toBe(0.16);
    expect(s.preemptions).toBe(3);
    expect(s.lora_loads).toBe(3);
    expect(s.mean_cached_tokens).toBe(32);
  });

  it('per-replica figures and balance', () => {
    // Shares 2/4, 1/4, 1/4; hit rates 96/400 = 0.24, 0/200 = 0, 0 (no queries);
    // busy 1.05 s / 2.1 s = 0.5, 0.21/2.1 = 0.1, 0.
    expect(s.replicas).toEqual([
      { name: 'r-0', requests: 2, share: 0.5, completed: 2, input_tokens: 400, output_tokens: 16, prefix_cache_hit_rate: 0.24, preemptions: 1, lora_loads: 2, busy_fraction: 0.5, num_gpu_blocks: 1000 },
      { name: 'r-1', requests: 1, share: 0.25, completed: 1, input_tokens: 200, output_tokens: 1, prefix_cache_hit_rate: 0, preemptions: 0, lora_loads: 0, busy_fraction: 0.1, num_gpu_blocks: 500 },
      { name: 'r-2', requests: 1, share: 0.25, completed: 0, input_tokens: 0, output_tokens: 0, prefix_cache_hit_rate: 0, preemptions: 2, lora_loads: 1, busy_fraction: 0, num_gpu_blocks: 1000 },
    ]);
    // Counts 2, 1, 1: mean 4/3, population variance ((2/3)² + 2·(1/3)²)/3 = 2/9, std 0.4714 → CV 0.3536.
    expect(s.balance).toEqual({ request_share_cv: 0.3536 });
  });

  it('is JSON-stable: no NaN/Infinity, identical on recomputation', () => {
    const json = JSON.stringify(s);
    expect(json).not.toMatch(/NaN|Infinity/);
    expect(JSON.stringify(summarize(goldenRun(), NO_SLO))).toBe(json);
  });
});

describe('summarize: goodput with SLOs', () => {
  it('TTFT SLO only', () => {
    // TTFT ≤ 250 ms: r0 (100), r1 (200) pass, r2 (400) fails → 2 / 2.1 s = 0.952381; 2/6 arrived = 0.3333.
    const s = summarize(goldenRun(), { ttft_ms: 250, tpot_ms: null });
    expect(s.goodput).toEqual({ requests_per_s: 0.9524, fraction: 0.3333 });
  });

  it('TPOT SLO only: a single-token request passes', () => {
    // TPOT ≤ 150 ms: r0 (100) pass, r1 (no TPOT) pass, r2 (400) fails → 2 good.
    const s = summarize(goldenRun(), { ttft_ms: null, tpot_ms: 150 });
    expect(s.goodput).toEqual({ requests_per_s: 0.9524, fraction: 0.3333 });
  });

  it('both SLOs must hold', () => {
    // TTFT ≤ 150 and TPOT ≤ 150: only r0 → 1 / 2.1 = 0.47619; 1/6 = 0.1667.
    const s = summarize(goldenRun(), { ttft_ms: 150, tpot_ms: 150 });
    expect(s.goodput).toEqual({ requests_per_s: 0.4762, fraction: 0.1667 });
  });

  it('SLO bounds are inclusive', () => {
    const r = done({ id: 0, arrivalUs: 0, firstTokenUs: 200_000, lastTokenUs: 300_000, outputTokens: 11 });
    expect(meetsSlo(r, { ttft_ms: 200, tpot_ms: 10 })).toBe(true);
    expect(meetsSlo(r, { ttft_ms: 199.999, tpot_ms: null })).toBe(false);
    expect(meetsSlo(r, { ttft_ms: null, tpot_ms: 9.999 })).toBe(false);
  });
});

describe('summarize: degenerate runs', () => {
  it('empty run: null latencies, zero rates, no NaN', () => {
    const s = summarize({ policy: 'x', policyType: 'random', records: [], replicas: [], itl: new Map(), endUs: 0 }, NO_SLO);
    const empty = { mean: null, p50: null, p90: null, p95: null, p99: null };
    expect(s.arrived).toBe(0);
    expect(s.rejected_by_reason).toEqual({});
    for (const block of [s.ttft_ms, s.tpot_ms, s.itl_ms, s.e2e_ms, s.queue_ms]) expect(block).toEqual(empty);
    expect(s.throughput).toEqual({ duration_s: 0, requests_per_s: 0, input_tokens_per_s: 0, output_tokens_per_s: 0 });
    expect(s.goodput).toEqual({ requests_per_s: 0, fraction: 0 });
    expect(s.mean_cached_tokens).toBeNull();
    expect(s.prefix_cache_hit_rate).toBe(0);
    expect(s.balance.request_share_cv).toBe(0);
    expect(JSON.stringify(s)).not.toMatch(/NaN|Infinity/);
  });

  it('all rejected: counted by reason, zero throughput; empty reason becomes "unspecified"', () => {
    const s = summarize(
      {
        policy: 'x',
        policyType: 'random',
        records: [rejected(0, 0, 'b'), rejected(1, 10, ''), rejected(2, 20, 'a'), rejected(3, 30, 'b')],
        replicas: [replica({ name: 'r-0' }), replica({ name: 'r-1' })],
        itl: new Map(),
        endUs: 30,
      },
      { ttft_ms: 100, tpot_ms: 10 },
    );
    expect(s.completed).toBe(0);
    expect(s.rejected).toBe(4);
    expect(s.rejected_by_reason).toEqual({ a: 1, b: 2, unspecified: 1 });
    expect(Object.keys(s.rejected_by_reason)).toEqual(['a', 'b', 'unspecified']);
    expect(s.throughput.duration_s).toBe(0);
    expect(s.goodput).toEqual({ requests_per_s: 0, fraction: 0 });
    expect(s.replicas.map((r) => r.share)).toEqual([0, 0]);
  });
});

describe('helpers', () => {
  it('round4 rounds to 4 decimals and normalises -0', () => {
    expect(round4(233.33333333)).toBe(233.3333);
    expect(round4(0.35355339)).toBe(0.3536);
    expect(Object.is(round4(-0.00001), 0)).toBe(true);
    expect(round4(12)).toBe(12);
  });

  it('share CV: 0 when balanced, std/mean otherwise', () => {
    expect(requestShareCv([replica({ name: 'a', requests: 3 }), replica({ name: 'b', requests: 3 })])).toBe(0);
    // Counts 3, 1: mean 2, population std 1 → 0.5.
    expect(requestShareCv([replica({ name: 'a', requests: 3 }), replica({ name: 'b', requests: 1 })])).toBe(0.5);
    expect(requestShareCv([])).toBe(0);
  });

  it('latencyStats on a single sample gives that sample everywhere', () => {
    expect(latencyStats([7])).toEqual({ mean: 7, p50: 7, p90: 7, p95: 7, p99: 7 });
  });
});

/** Expands a value → count map into the sorted array simple-statistics would see. */
function expand(counts: ReadonlyMap<number, number>): number[] {
  const out: number[] = [];
  for (const [v, c] of counts) for (let i = 0; i < c; i++) out.push(v);
  return out.sort((a, b) => a - b);
}

/** Value → count maps (duplicate values merged). */
function countsArb(value: fc.Arbitrary<number>): fc.Arbitrary<Map<number, number>> {
  return fc.array(fc.tuple(value, fc.integer({ min: 1, max: 12 })), { minLength: 1, maxLength: 15 }).map((pairs) => {
    const m = new Map<number, number>();
    for (const [v, c] of pairs) m.set(v, (m.get(v) ?? 0) + c);
    return m;
  });
}

const pArb = fc.oneof(
  fc.constantFrom(0, 0.5, 0.9, 0.95, 0.99, 1),
  fc.double({ min: 0, max: 1, noNaN: true }),
);

describe('weighted quantiles equal simple-statistics on the expanded array', () => {
  it('bit-identical for arbitrary values and p', () => {
    fc.assert(
      fc.property(countsArb(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true })), pArb, (counts, p) => {
        const expected = quantileSorted(expand(counts), p);
        expect(Object.is(weightedQuantileSorted(weightedSorted(counts), p), expected)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('itlStats equals latencyStats of the expanded ms samples', () => {
    fc.assert(
      fc.property(countsArb(fc.integer({ min: 0, max: 2_000_000 })), (countsUs) => {
        const expandedMs = expand(countsUs).map((us) => us / 1000);
        const direct = latencyStats(expandedMs);
        const weighted = itlStats(countsUs);
        expect(weighted.p50).toBe(direct.p50);
        expect(weighted.p90).toBe(direct.p90);
        expect(weighted.p95).toBe(direct.p95);
        expect(weighted.p99).toBe(direct.p99);
        // The mean is summed differently (exact integer µs vs compensated float ms sum).
        expect(weighted.mean).toBeCloseTo(direct.mean as number, 3);
      }),
      { numRuns: 300 },
    );
  });

  it('ignores zero counts and rejects an empty histogram', () => {
    const ws = weightedSorted(new Map([[5, 0], [7, 2]]));
    expect(ws.n).toBe(2);
    expect(weightedQuantileSorted(ws, 0)).toBe(7);
    expect(() => weightedQuantileSorted(weightedSorted(new Map()), 0.5)).toThrow();
    expect(itlStats(new Map([[1000, 0]]))).toEqual({ mean: null, p50: null, p90: null, p95: null, p99: null });
  });
});
