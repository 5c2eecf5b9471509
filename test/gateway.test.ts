/**
 * The simulated gateway running EPP configurations end to end: what it sees (scraped, stale
 * metrics; the oracle switch; engine KV events after a delay), and what it answers (429 shedding,
 * flow-control queueing and 503 on TTL, model rewrites deciding the adapter the engine serves).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPolicy } from '../sim/simulation.js';
import { Gateway, type MetricsSource } from '../sim/gateway/gateway.js';
import { createRng } from '../sim/core/rng.js';
import type { PolicySpec } from '../sim/scenario/types.js';
import type { EndpointMetrics } from '../policies/types.js';
import { linearScenario, req } from './helpers.js';
import { PACKAGE_ROOT } from '../sim/core/paths.js';
import { metrics } from './policies/loadFixtures.js';

const ENGINE = `
max_num_seqs: 8
max_num_batched_tokens: 2048
num_gpu_blocks: 2000
`;

const defaultEpp: PolicySpec = { name: 'gaie', type: 'epp', epp: { kind: 'default' } };

function fileEpp(path: string): PolicySpec {
  return { name: path, type: 'epp', epp: { kind: 'file', path, text: readFileSync(join(PACKAGE_ROOT, path), 'utf8') } };
}

describe('legacy admission: sheddable requests and stale metrics', () => {
  // Six priority-0 requests arrive at t = 0, then a sheddable one (priority −1), then another
  // priority-0 one. Events at one time run Enqueue (kind 2) before the next Arrival (kind 4) and
  // Schedule (kind 5) after all arrivals, so when request 6 arrives requests 0–5 sit in the
  // replica's waiting queue and nothing holds KV blocks.
  const reqs = [0, 1, 2, 3, 4, 5].map((id) => req({ id, at: 0, prompt: 16, output: 2 }));
  reqs.push(req({ id: 6, at: 0, prompt: 16, output: 2, priority: -1 }), req({ id: 7, at: 0, prompt: 16, output: 2 }));

  it('an oracle gateway sees the queue and sheds the sheddable request with 429', () => {
    // Oracle: the scrape at request 6 shows waiting 6, KV 0 → utilization-detector saturation
    // max(6/5, 0/0.8) = 1.2 ≥ 1 and priority −1 < 0 → HTTP 429. Request 7 has priority 0: never shed.
    const run = runPolicy(linearScenario(ENGINE, 'gateway: {refresh_metrics_ms: 0}'), defaultEpp, {}, reqs);
    const r6 = run.records.find((r) => r.id === 6)!;
    expect(r6.outcome).toBe('dropped');
    expect(r6.status).toBe(429);
    expect(r6.replica).toBe(-1);
    expect(run.records.filter((r) => r.id !== 6).every((r) => r.outcome === 'completed')).toBe(true);
  });

  it('a gateway scraping every 50 ms saw an idle replica at t = 0 and admits it', () => {
    // The scrape at t = 0 (kind 3) ran before the arrivals (kind 4): waiting 0, KV 0 → saturation 0.
    const run = runPolicy(linearScenario(ENGINE, 'gateway: {refresh_metrics_ms: 50}'), defaultEpp, {}, reqs);
    expect(run.records.every((r) => r.outcome === 'completed')).toBe(true);
  });

  it('drops are counted in the summary by status and reason', async () => {
    const { summarize } = await import('../sim/metrics/summary.js');
    const run = runPolicy(linearScenario(ENGINE, 'gateway: {refresh_metrics_ms: 0}'), defaultEpp, {}, reqs);
    const s = summarize(run, { ttft_ms: null, tpot_ms: null });
    expect(s.arrived).toBe(8);
    expect(s.completed + s.rejected + s.dropped).toBe(8);
    expect(s.dropped).toBe(1);
    expect(s.dropped_by_status).toEqual({ '429': 1 });
  });
});

describe('engine KV events reach precise-cache policies after a delay', () => {
  // Two replicas with 64-token blocks (llm-d's precise config hashes 64-token blocks; with any other
  // engine block size its keys never match, as in production). A and B share a 1000-token prompt,
  // B arrives 1 s after A. With a 10 ms event delay, A's BlockStored events (⌊1001/64⌋ = 15 full
  // blocks) reach the precise-prefix-cache-scorer long before B: A's replica scores 2·1 (precise,
  // min–max over the pods present) + 1·1 (KV 1 − 0) + 1·1 (queues equal → 1) = 4 against 0 + 1 + 1
  // = 2, so B lands on A's replica and hits ⌊999/64⌋ = 15 blocks = 960 cached tokens.
  const P = 0x5eed;
  const reqs = [req({ id: 0, at: 0, segments: [[P, 1000]], output: 1 }), req({ id: 1, at: 1_000_000, segments: [[P, 1000]], output: 1 })];

  it('B follows A and hits the prefix cache', () => {
    const s = linearScenario(`${ENGINE}\nblock_size: 64`, 'gateway: {kv_events_delay_ms: 10}', 2);
    const run = runPolicy(s, fileEpp('policies/configs/llm-d-precise-prefix.yaml'), {}, reqs);
    const [a, b] = run.records;
    expect(b!.replica).toBe(a!.replica);
    expect(b!.cachedTokens).toBe(960);
  });
});

describe('flow control', () => {
  const config = {
    apiVersion: 'inference.networking.x-k8s.io/v1alpha1',
    kind: 'EndpointPickerConfig',
    featureGates: ['flowControl'],
    plugins: [{ type: 'queue-scorer' }],
    flowControl: { defaultRequestTTL: '300ms' },
  };
  const policy: PolicySpec = { name: 'fc', type: 'epp', epp: { kind: 'inline', config } };
  // One replica running 2 requests at a time serves a pair in about 65 ms (prefill 1000 + 10·400 µs,
  // then 50 decode steps of 1000 + 100·2 µs), ≈ 30 req/s; requests arrive at 100 req/s, so the queue
  // builds, the utilization detector reports saturation and flow control holds requests in the EPP.
  const reqs = Array.from({ length: 60 }, (_, id) => req({ id, at: id * 10_000, prompt: 400, output: 50 }));

  it('holds requests while saturated, expires them after the TTL with 503, and loses none', () => {
    const run = runPolicy(linearScenario('max_num_seqs: 2\nmax_num_batched_tokens: 2048\nnum_gpu_blocks: 2000'), policy, {}, reqs);
    const done = run.records.filter((r) => r.outcome === 'completed');
    const dropped = run.records.filter((r) => r.outcome === 'dropped');
    expect(done.length + dropped.length).toBe(60);
    expect(dropped.length).toBeGreaterThan(0);
    for (const r of dropped) expect(r.status).toBe(503);
    // Some requests waited in the EPP queue before dispatch...
    expect(done.some((r) => r.dispatchUs > r.arrivalUs)).toBe(true);
    // ...but never past TTL + the 1 s expiry sweep period.
    for (const r of done) expect(r.dispatchUs - r.arrivalUs).toBeLessThanOrEqual(300_000 + 1_000_000);
  });
});

describe('model rewrite decides the adapter the engine serves', () => {
  it('splits base-model traffic 3:1 between two adapters', () => {
    const s = linearScenario(`${ENGINE}\nmax_loras: 2`, 'gateway: {model_rewrites: [{model: Llama-3.1-8B, targets: [{model: lora-a, weight: 3}, {model: lora-b, weight: 1}]}]}');
    const reqs = Array.from({ length: 400 }, (_, id) => req({ id, at: id * 20_000, prompt: 32, output: 2 }));
    const run = runPolicy(s, defaultEpp, {}, reqs);
    expect(run.records.every((r) => r.outcome === 'completed')).toBe(true);
    const a = run.records.filter((r) => r.adapter === 'lora-a').length;
    const b = run.records.filter((r) => r.adapter === 'lora-b').length;
    expect(a + b).toBe(400);
    // Binomial(400, 0.75): σ = √(400·0.75·0.25) ≈ 8.7; allow 4σ around 300.
    expect(Math.abs(a - 300)).toBeLessThan(35);
  });
});

describe('what the gateway sees', () => {
  function countingSources(n: number): { sources: MetricsSource[]; calls: number[] } {
    const calls = new Array<number>(n).fill(0);
    const sources = calls.map((_, i) => ({
      name: `e${i}`,
      snapshot(now: number): EndpointMetrics {
        calls[i]!++;
        return metrics({ cacheNumGpuBlocks: 100, updateTimeUs: now });
      },
    }));
    return { sources, calls };
  }
  const opts = { model: 'm', charsPerToken: 4, blockSize: 16 };
  const r0 = req({ id: 0, at: 5000, prompt: 16, output: 1 });

  it('an oracle scrapes at every decision; a 50 ms gateway only on scrape ticks', async () => {
    const { createBaselineRouter } = await import('../policies/baselines/index.js');
    const o = countingSources(3);
    const oracle = new Gateway({ kind: 'router', router: createBaselineRouter('round-robin') }, o.sources, { ...opts, refreshUs: 0 }, createRng(1, 'router'));
    oracle.arrive(r0, 5000);
    // One snapshot at construction (time 0), one at the decision.
    expect(o.calls).toEqual([2, 2, 2]);
    expect(oracle.observedMetrics(0).updateTimeUs).toBe(5000);

    const s = countingSources(3);
    const stale = new Gateway({ kind: 'router', router: createBaselineRouter('round-robin') }, s.sources, { ...opts, refreshUs: 50_000 }, createRng(1, 'router'));
    stale.arrive(r0, 5000);
    expect(s.calls).toEqual([1, 1, 1]);
    expect(stale.observedMetrics(0).updateTimeUs).toBe(0);
  });

  it('counts its own in-flight requests from dispatch to completion', async () => {
    const { createBaselineRouter } = await import('../policies/baselines/index.js');
    const { sources } = countingSources(2);
    const g = new Gateway({ kind: 'router', router: createBaselineRouter('least-requests') }, sources, { ...opts, refreshUs: 50_000 }, createRng(1, 'router'));
    const d = g.arrive(r0, 5000);
    expect(d.kind).toBe('dispatch');
    const i = d.kind === 'dispatch' ? d.index : -1;
    // least-requests must now avoid endpoint i for the next request.
    const d2 = g.arrive(req({ id: 1, at: 6000, prompt: 16, output: 1 }), 6000);
    expect(d2.kind === 'dispatch' && d2.index).toBe(1 - i);
    // Request 0 completes: endpoint i has 0 in flight, 1 − i still 1, so the next goes back to i.
    g.complete(r0, i, 7000);
    const d3 = g.arrive(req({ id: 2, at: 8000, prompt: 16, output: 1 }), 8000);
    expect(d3.kind === 'dispatch' && d3.index).toBe(i);
  });
});
