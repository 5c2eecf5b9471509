/**
 * P/D TTFT decomposition (sim/metrics/pdBreakdown.ts, gateway.md §4.6): on hand-made records the
 * parts are the documented intervals and sum to TTFT; as a property for any consistent timeline;
 * the statistics by hand; when the summary has `pd`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completedRecord, replicaStats } from './fixtures.js';
import { aggregatedParts, hasPd, pdBreakdown, pdParts, PD_PARTS, AGGREGATED_PARTS } from '../sim/metrics/pdBreakdown.js';
import { summarize } from '../sim/metrics/summary.js';
import type { RequestRecord } from '../sim/metrics/types.js';

/**
 * A disaggregated request, µs: arrives at 1,000; the gateway, EPP and sidecar → prefill hop take
 * 4,000 (prefill enqueue at 5,000); prefill queue 7,000 (scheduled 12,000); prefill compute 30,000
 * (1-token completion 42,000); prefill → sidecar → decode hops 3,000 (decode enqueue 45,000);
 * decode queue 2,000; KV pull 6,000 (KV present 53,000); first decode step and stream 9,000
 * (first token 62,000). TTFT = 61,000.
 */
function disaggregated(over: Partial<RequestRecord> = {}): RequestRecord {
  return completedRecord({
    id: 1,
    arrivalUs: 1_000,
    replica: 3,
    prefillReplica: 0,
    enqueueUs: 45_000,
    scheduledUs: 53_000,
    prefillQueueUs: 7_000,
    prefillComputeUs: 30_000,
    decodeQueueUs: 2_000,
    kvTransferUs: 6_000,
    kvReadyUs: 53_000,
    kvTransferBytes: 4096,
    firstTokenUs: 62_000,
    lastTokenUs: 100_000,
    ...over,
  });
}

describe('parts of one request', () => {
  it('disaggregated: the documented intervals, the remainder before the prefill queue is gateway + hops (4,000 + 3,000)', () => {
    const p = pdParts(disaggregated())!;
    expect(p).toEqual({ gateway: 7_000, prefill_queue: 7_000, prefill_compute: 30_000, decode_queue: 2_000, kv_transfer: 6_000, first_step: 9_000 });
    const sum = PD_PARTS.reduce((a, k) => a + p[k], 0);
    expect(sum).toBe(61_000); // TTFT = 62,000 − 1,000
  });

  it('aggregated: gateway (arrival → enqueue), queue (→ scheduled), prefill (→ first token) sum to TTFT', () => {
    const r = completedRecord({ id: 2, arrivalUs: 10_000, enqueueUs: 12_500, scheduledUs: 20_000, firstTokenUs: 45_000, lastTokenUs: 60_000 });
    const a = aggregatedParts(r)!;
    expect(a).toEqual({ gateway: 2_500, queue: 7_500, prefill: 25_000 });
    expect(AGGREGATED_PARTS.reduce((s, k) => s + a[k], 0)).toBe(35_000);
    expect(pdParts(r)).toBeNull();
    expect(aggregatedParts(disaggregated())).toBeNull();
  });

  it('requests that did not complete have no parts', () => {
    expect(pdParts(disaggregated({ outcome: 'rejected' }))).toBeNull();
    expect(aggregatedParts(completedRecord({ id: 3, arrivalUs: 0, outcome: 'dropped' }))).toBeNull();
  });

  it('property: for any consistent P/D timeline the parts are the generated intervals and sum to TTFT', () => {
    const dur = fc.integer({ min: 0, max: 5_000_000 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), dur, dur, dur, dur, dur, dur, dur, (arrival, gw, pq, pc, hop, dq, xfer, step) => {
        const kvReady = arrival + gw + pq + pc + hop + dq + xfer;
        const r = disaggregated({ arrivalUs: arrival, prefillQueueUs: pq, prefillComputeUs: pc, decodeQueueUs: dq, kvTransferUs: xfer, kvReadyUs: kvReady, firstTokenUs: kvReady + step, lastTokenUs: kvReady + step });
        const p = pdParts(r)!;
        expect(PD_PARTS.reduce((a, k) => a + p[k], 0)).toBe(r.firstTokenUs - r.arrivalUs);
        expect(p).toEqual({ gateway: gw + hop, prefill_queue: pq, prefill_compute: pc, decode_queue: dq, kv_transfer: xfer, first_step: step });
      }),
    );
  });
});

describe('statistics', () => {
  it('mean / p50 / p90 / p99 per part in ms, share over completed requests, mean KV bytes', () => {
    // Two disaggregated: the one above and one with a 3 ms longer prefill queue (first token 3 ms later).
    const a = disaggregated();
    const b = disaggregated({ id: 2, prefillQueueUs: 10_000, kvReadyUs: 56_000, firstTokenUs: 65_000, kvTransferBytes: 2048 });
    const agg = completedRecord({ id: 3, arrivalUs: 0, enqueueUs: 1_000, scheduledUs: 3_000, firstTokenUs: 10_000, lastTokenUs: 10_000 });
    const dropped = disaggregated({ id: 4, outcome: 'dropped' });
    const pd = pdBreakdown([a, b, agg, dropped]);
    expect(pd.disaggregated_share).toBe(0.6667); // 2 of 3 completed
    expect(pd.disaggregated.count).toBe(2);
    expect(pd.disaggregated.mean_kv_transfer_bytes).toBe(3072); // (4096 + 2048) / 2
    // Prefill queue 7 and 10 ms: mean 8.5, p50 8.5, p90 = 7 + 0.9 × 3 = 9.7, p99 = 7 + 0.99 × 3 = 9.97.
    expect(pd.disaggregated.prefill_queue_ms).toEqual({ mean: 8.5, p50: 8.5, p90: 9.7, p99: 9.97 });
    expect(pd.disaggregated.gateway_ms.mean).toBe(7);
    expect(pd.disaggregated.first_step_ms.p99).toBe(9);
    expect(pd.aggregated).toEqual({
      count: 1,
      gateway_ms: { mean: 1, p50: 1, p90: 1, p99: 1 },
      queue_ms: { mean: 2, p50: 2, p90: 2, p99: 2 },
      prefill_ms: { mean: 7, p50: 7, p90: 7, p99: 7 },
    });
  });

  it('no samples: counts 0, statistics null', () => {
    const pd = pdBreakdown([]);
    expect(pd.disaggregated_share).toBe(0);
    expect(pd.disaggregated.mean_kv_transfer_bytes).toBeNull();
    expect(pd.aggregated.queue_ms).toEqual({ mean: null, p50: null, p90: null, p99: null });
  });

  it('the mean parts add up to the mean TTFT', () => {
    const rs = [disaggregated(), disaggregated({ id: 2, prefillQueueUs: 10_000, kvReadyUs: 56_000, firstTokenUs: 65_000 })];
    const d = pdBreakdown(rs).disaggregated;
    const sum = PD_PARTS.reduce((s, k) => s + d[`${k}_ms`].mean!, 0);
    expect(sum).toBeCloseTo((61 + 64) / 2, 9);
  });
});

describe('summary.pd presence', () => {
  const slo = { ttft_ms: null, tpot_ms: null };
  const base = { policy: 'p', policyType: 'random', itl: new Map<number, number>(), endUs: 100_000 };

  it('present when a request was disaggregated, or a replica has a role label; absent otherwise', () => {
    const plainRecords = [completedRecord({ id: 0, arrivalUs: 0, firstTokenUs: 5_000, lastTokenUs: 5_000 })];
    const reps = [replicaStats({ name: 'r-0' })];
    expect(hasPd(plainRecords, reps)).toBe(false);
    expect(summarize({ ...base, records: plainRecords, replicas: reps }, slo)).not.toHaveProperty('pd');
    expect(hasPd([disaggregated()], reps)).toBe(true);
    expect(summarize({ ...base, records: [disaggregated({ replica: 0 })], replicas: reps }, slo).pd?.disaggregated.count).toBe(1);
    const labelled = [replicaStats({ name: 'r-0', role: 'decode' })];
    expect(hasPd(plainRecords, labelled)).toBe(true);
    expect(summarize({ ...base, records: plainRecords, replicas: labelled }, slo).pd).toMatchObject({ disaggregated_share: 0, aggregated: { count: 1 } });
  });
});

describe('streamed P/D folder sharing the window’s queue times', () => {
  it('gives the record path’s decomposition whether its aggregated queue part shares the queue column or keeps its own (fast-check over mixes of P/D, aggregated and failed requests)', async () => {
    const { PdFolder } = await import('../sim/metrics/stream/pdFolder.js');
    const { LatencyColumn } = await import('../sim/metrics/stream/latencyColumn.js');
    const kindArb = fc.constantFrom('agg', 'agg', 'agg', 'pd', 'failed');
    fc.assert(
      fc.property(fc.array(fc.tuple(kindArb, fc.integer({ min: 0, max: 5000 })), { maxLength: 60 }), (rows) => {
        const records = rows.map(([kind, q], i) => {
          const t = 1_000 * i;
          if (kind === 'pd') return disaggregated({ id: i, arrivalUs: t, enqueueUs: t + 44_000, scheduledUs: t + 44_000 + q, kvReadyUs: t + 52_000 + q, firstTokenUs: t + 61_000 + q, lastTokenUs: t + 99_000 + q });
          const r = completedRecord({ id: i, arrivalUs: t, enqueueUs: t + 300, scheduledUs: t + 300 + q, firstTokenUs: t + 9_000 + q, lastTokenUs: t + 20_000 + q });
          return kind === 'failed' ? { ...r, outcome: 'failed' as const } : r;
        });
        // As the streamed summary: the window's queue column gets every completed request's queue time just before the folder.
        const queue = new LatencyColumn();
        const shared = new PdFolder(undefined, queue);
        const own = new PdFolder();
        for (const r of records) {
          if (r.outcome === 'completed') queue.add((r.scheduledUs - r.enqueueUs) / 1000);
          shared.measure(r);
          own.measure(r);
        }
        expect(shared.summary()).toEqual(own.summary());
        expect(shared.summary()).toEqual(pdBreakdown(records));
      }),
      { numRuns: 200 },
    );
  });
});
