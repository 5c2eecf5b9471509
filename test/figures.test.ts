/**
 * Every figure means what its name says (issue 9 §2): the last token is the last token (the
 * completion overhead α1 is its own field), TPOT is between tokens, a replica's input_tokens is what
 * its engine accepted, drop reasons are a fixed set, per-class and per-stage figures, and the
 * measurement window. Step times come from test/helpers.ts linearScenario: step = 1000 + 10·(prefill
 * tokens) + 100·(decode tokens) µs.
 */
import { describe, expect, it } from 'vitest';
import { runPolicy } from '../sim/simulation.js';
import { summarize, measurementWindow } from '../sim/metrics/summary.js';
import { summaryOptionsFor, stageSpans } from '../sim/metrics/options.js';
import { REJECT_CODES } from '../policies/framework/director.js';
import type { PolicySpec, SloConfig } from '../sim/scenario/types.js';
import type { SimRequest } from '../sim/workload/request.js';
import { parseScenario } from '../sim/scenario/load.js';
import { completedRecord } from './fixtures.js';
import { linearScenario, req } from './helpers.js';

const RR: PolicySpec = { name: 'rr', type: 'round-robin' };
const NO_SLO: SloConfig = { ttft_ms: null, tpot_ms: null };

describe('one request on an idle replica with α overheads (golden)', () => {
  const s = linearScenario('num_gpu_blocks: 100', '');
  const withAlpha = { ...s, step_time: { ...s.step_time, overheads: { alpha0_us: 500, alpha1_us: 70, alpha2_us: 30 } } };
  const run = runPolicy(withAlpha, RR, {}, [req({ id: 0, at: 0, prompt: 100, output: 4 })]);
  const r = run.records[0]!;
  const sum = summarize(run, NO_SLO, summaryOptionsFor(withAlpha));

  it('keeps the last token and the completion overhead apart', () => {
    // Arrival 0, enqueued at α0 = 500. Prefill step 1000 + 10·100 = 2000 µs → engine first token at
    // 2500, client 2500 + α2 = 2530. Three decode steps of 1000 + 100 = 1100 µs → engine last token
    // 2500 + 3300 = 5800, client 5830. Response complete 5800 + α2 + α1 = 5900.
    expect(r.firstTokenUs).toBe(2530);
    expect(r.lastTokenUs).toBe(5830);
    expect(r.endUs).toBe(5900);
  });

  it('TTFT 2.53 ms, TPOT 1.1 ms (no α1), E2E 5.9 ms, ITL 1.1 ms', () => {
    // TPOT = (5830 − 2530) / (4 − 1) = 1100 µs: exactly the decode step. With α1 inside (the old
    // definition) it would have been (5900 − 2530) / 3 = 1123.33 µs.
    expect(sum.ttft_ms.p50).toBe(2.53);
    expect(sum.tpot_ms.p50).toBe(1.1);
    expect(sum.e2e_ms.p50).toBe(5.9);
    expect(sum.itl_ms.p50).toBe(1.1);
    // Throughput duration = response complete − arrival = 5900 µs.
    expect(sum.throughput.duration_s).toBe(0.0059);
  });

  it('a single arrival is not tested for steady state and has a zero-width window', () => {
    expect(sum.steady_state.reached).toBe(true);
    expect(sum.steady_state.diverged_at_s).toBeNull();
    expect(sum.steady_state.detail).toMatch(/^not tested/);
    expect(sum.window).toEqual({ warmup_s: 0, cooldown_s: 0, from_s: 0, to_s: 0 });
  });
});

/**
 * Two priorities × two tenants on one replica, requests far apart so each runs alone:
 *   id0 t=0      prio 0, alpha, prompt 100, out 2 → TTFT 2000 µs (1000 + 10·100), E2E 2000 + 1100 = 3100
 *   id1 t=100 ms prio 1, beta,  prompt 200, out 3 → TTFT 3000 µs, E2E 3000 + 2·1100 = 5200
 *   id2 t=200 ms prio 0, beta,  prompt 100, out 2 → TTFT 2000, E2E 3100
 *   id3 t=300 ms prio 1, alpha, prompt 2000, out 2 → rejected: ⌈2002/16⌉ = 126 blocks > 100 (exceeds_kv_capacity)
 */
describe('per-class figures (golden)', () => {
  const withClient = (r: SimRequest, client: number): SimRequest => ({ ...r, client });
  const reqs = [
    withClient(req({ id: 0, at: 0, prompt: 100, output: 2, priority: 0 }), 0),
    withClient(req({ id: 1, at: 100_000, prompt: 200, output: 3, priority: 1 }), 1),
    withClient(req({ id: 2, at: 200_000, prompt: 100, output: 2, priority: 0 }), 1),
    withClient(req({ id: 3, at: 300_000, prompt: 2000, output: 2, priority: 1 }), 0),
  ];
  const run = runPolicy(linearScenario('num_gpu_blocks: 100'), RR, {}, reqs);
  const s = summarize(run, NO_SLO, { tenantNames: ['alpha', 'beta'] });

  it('counts per priority and tenant', () => {
    expect(Object.keys(s.by_class.priority)).toEqual(['0', '1']);
    expect(s.by_class.priority['0']).toMatchObject({ arrived: 2, completed: 2, rejected: 0, dropped: 0 });
    expect(s.by_class.priority['1']).toMatchObject({ arrived: 2, completed: 1, rejected: 1, dropped: 0 });
    expect(s.by_class.tenant['alpha']).toMatchObject({ arrived: 2, completed: 1, rejected: 1 });
    expect(s.by_class.tenant['beta']).toMatchObject({ arrived: 2, completed: 2, rejected: 0 });
    // A dimension with one value still appears.
    expect(Object.keys(s.by_class.adapter)).toEqual(['base']);
    expect(s.by_class.adapter['base']!.arrived).toBe(4);
  });

  it('latency percentiles per class', () => {
    expect(s.by_class.priority['0']!.ttft_ms.p99).toBe(2);
    expect(s.by_class.priority['0']!.e2e_ms.p50).toBe(3.1);
    expect(s.by_class.priority['1']!.ttft_ms.p50).toBe(3);
    expect(s.by_class.priority['1']!.e2e_ms.p50).toBe(5.2);
    // beta: TTFTs 2 and 3 ms → p50 = 2 + 0.5·(3 − 2) = 2.5 (linear interpolation).
    expect(s.by_class.tenant['beta']!.ttft_ms.p50).toBe(2.5);
    // tpot: (E2E − TTFT)/(out − 1) = 1.1 ms for every completed request.
    expect(s.by_class.tenant['beta']!.tpot_ms.mean).toBe(1.1);
  });

  it('goodput per class over the window, as the total: the classes add up', () => {
    // Window = every request (no warm-up/cool-down with 4 arrivals): first arrival 0, last token
    // id2's 200_000 + 3100 = 203_100 µs → 0.2031 s. No SLO → every completed request is good.
    // Total: 3 / 0.2031 = 14.771049… → 14.771 (the classes below sum to 4.9237 + 9.8474 = 14.7711:
    // rounding).
    expect(s.goodput.requests_per_s).toBe(14.771);
    // alpha (id0 good, id3 rejected): 1 / 0.2031 = 4.923683… → 4.9237; fraction 1/2 (it was
    // 1 / its own span 0.0031 s = 322.5806).
    expect(s.by_class.tenant['alpha']!.goodput).toEqual({ requests_per_s: 4.9237, fraction: 0.5 });
    // beta (id1, id2): 2 / 0.2031 = 9.847366… → 9.8474 (it was 2 / its own span 0.1031 s = 19.3986).
    expect(s.by_class.tenant['beta']!.goodput).toEqual({ requests_per_s: 9.8474, fraction: 1 });
    // priority 0 (id0, id2): 2 / 0.2031 → 9.8474; priority 1 (id1 good, id3 rejected): 4.9237.
    expect(s.by_class.priority['0']!.goodput.requests_per_s).toBe(9.8474);
    expect(s.by_class.priority['1']!.goodput).toEqual({ requests_per_s: 4.9237, fraction: 0.5 });
    // One adapter (base) holds every request: the total's figures.
    expect(s.by_class.adapter['base']!.goodput).toEqual(s.goodput);
  });

  it('in every dimension the classes\' goodput rates sum to the total (within rounding)', () => {
    for (const dim of [s.by_class.priority, s.by_class.tenant, s.by_class.adapter]) {
      const classes = Object.values(dim);
      const sum = classes.reduce((a, c) => a + c.goodput.requests_per_s, 0);
      // Each rate is rounded to 4 decimals: at most 0.5·10⁻⁴ off per class and for the total.
      expect(Math.abs(sum - s.goodput.requests_per_s)).toBeLessThanOrEqual((classes.length + 1) * 0.5e-4 + 1e-12);
    }
  });

  it("a replica's input_tokens counts the prompts its engine accepted, not the rejected one", () => {
    // Dispatched: 4 requests. Accepted: 100 + 200 + 100 = 400 prompt tokens (id3 rejected at enqueue).
    expect(s.replicas[0]!.requests).toBe(4);
    expect(s.replicas[0]!.input_tokens).toBe(400);
  });

  it('unknown tenant names fall back to client-N, requests without a client to none', () => {
    const t = summarize(runPolicy(linearScenario('num_gpu_blocks: 100'), RR, {}, [reqs[0]!, req({ id: 1, at: 50_000, prompt: 16, output: 1 })]), NO_SLO);
    expect(Object.keys(t.by_class.tenant)).toEqual(['client-0', 'none']);
  });
});

describe('a request preempted and recomputed counts its prompt once', () => {
  it('input_tokens = Σ prompts accepted even with preemptions', () => {
    // 8 blocks of 16 tokens; two 48-token prompts (3 blocks each) that each grow by 40 output tokens
    // need 6 blocks each at the end: 12 > 8, so one of them is preempted and recomputed.
    const run = runPolicy(linearScenario('num_gpu_blocks: 8\nmax_num_seqs: 4'), RR, {}, [
      req({ id: 0, at: 0, prompt: 48, output: 40 }),
      req({ id: 1, at: 0, prompt: 48, output: 40 }),
    ]);
    const s = summarize(run, NO_SLO);
    expect(s.preemptions).toBeGreaterThan(0);
    expect(s.completed).toBe(2);
    expect(s.replicas[0]!.input_tokens).toBe(96);
  });
});

describe('drop reasons are a fixed set; the live value is in detail', () => {
  const ENGINE = 'max_num_seqs: 8\nmax_num_batched_tokens: 2048\nnum_gpu_blocks: 2000';
  const defaultEpp: PolicySpec = { name: 'gaie', type: 'epp', epp: { kind: 'default' } };
  it('a shed request is counted under shed-saturated with the saturation in its detail', () => {
    // As in gateway.test.ts: six queued requests, then a sheddable one under an oracle gateway →
    // saturation max(6/5, 0/0.8) = 1.2 ≥ 1 → 429.
    const reqs = [0, 1, 2, 3, 4, 5].map((id) => req({ id, at: 0, prompt: 16, output: 2 }));
    reqs.push(req({ id: 6, at: 0, prompt: 16, output: 2, priority: -1 }));
    const run = runPolicy(linearScenario(ENGINE, 'gateway: {refresh_metrics_ms: 0}'), defaultEpp, {}, reqs);
    const s = summarize(run, NO_SLO);
    expect(s.dropped_by_reason).toEqual({ 'shed-saturated': 1 });
    const r6 = run.records[6]!;
    expect(r6.reason).toBe('shed-saturated');
    expect(r6.detail).toContain('1.2');
    expect(r6.endUs).toBe(0);
  });

  it('flow-control expiries are counted under flow-control-ttl', () => {
    const config = { apiVersion: 'inference.networking.x-k8s.io/v1alpha1', kind: 'EndpointPickerConfig', featureGates: ['flowControl'], plugins: [{ type: 'queue-scorer' }], flowControl: { defaultRequestTTL: '300ms' } };
    const reqs = Array.from({ length: 60 }, (_, id) => req({ id, at: id * 10_000, prompt: 400, output: 50 }));
    const run = runPolicy(linearScenario('max_num_seqs: 2\nmax_num_batched_tokens: 2048\nnum_gpu_blocks: 2000'), { name: 'fc', type: 'epp', epp: { kind: 'inline', config } }, {}, reqs);
    const s = summarize(run, NO_SLO);
    expect(Object.keys(s.dropped_by_reason)).toEqual(['flow-control-ttl']);
    for (const k of Object.keys(s.dropped_by_reason)) expect(REJECT_CODES).toContain(k);
    // A dropped request ended when the gateway answered, after it arrived.
    for (const r of run.records) if (r.outcome === 'dropped') expect(r.endUs).toBeGreaterThan(r.arrivalUs);
  });
});

describe('measurement window', () => {
  // Eleven completed requests arriving at 0, 1, …, 10 s; request i has TTFT (i + 1)·10 ms.
  const records = Array.from({ length: 11 }, (_, i) =>
    completedRecord({ id: i, arrivalUs: i * 1e6, firstTokenUs: i * 1e6 + (i + 1) * 10_000, lastTokenUs: i * 1e6 + 200_000 }),
  );
  const run = { policy: 'p', policyType: 'random', records, replicas: [], itl: new Map<number, number>(), endUs: 10_200_000 };

  it('warm-up 2 s and cool-down 3 s keep the arrivals in [2, 7] s for latencies; counts stay whole', () => {
    const s = summarize(run, NO_SLO, { warmup_s: 2, cooldown_s: 3 });
    expect(s.window).toEqual({ warmup_s: 2, cooldown_s: 3, from_s: 2, to_s: 7 });
    // Requests 2..7: TTFT 30, 40, …, 80 ms → mean 55, p50 55.
    expect(s.ttft_ms.mean).toBe(55);
    expect(s.ttft_ms.p50).toBe(55);
    expect(s.arrived).toBe(11);
    expect(s.completed).toBe(11);
    // Throughput over the window: 6 completed over (7.2 − 2) s.
    expect(s.throughput.duration_s).toBe(5.2);
    expect(s.throughput.requests_per_s).toBe(1.1538);
  });

  it('the automatic warm-up is 10 % of the arrival span, capped at 60 s', () => {
    const s = summarize(run, NO_SLO, { warmup_s: null });
    // Span 10 s → warm-up 1 s → requests 1..10: TTFT 20 … 110 ms, mean 65.
    expect(s.window.warmup_s).toBe(1);
    expect(s.ttft_ms.mean).toBe(65);
    expect(measurementWindow(0, 1000e6, { warmup_s: null }).warmup_s).toBe(60);
    // Without options nothing is excluded (the whole run, as before issue 9).
    expect(summarize(run, NO_SLO).ttft_ms.mean).toBe(60);
  });

  it('per-class latencies use the same window, per-class counts every request', () => {
    const s = summarize(run, NO_SLO, { warmup_s: 2, cooldown_s: 3 });
    expect(s.by_class.priority['0']!.arrived).toBe(11);
    expect(s.by_class.priority['0']!.ttft_ms.mean).toBe(55);
  });
});

describe('rate ladders report per stage', () => {
  const sc = parseScenario(
    `
name: ladder
seed: 3
duration_s: 20
fleet: {replicas: 1, gpu: H100, model: Llama-3.1-8B}
workload:
  arrival: {process: constant, stages: [{rate: 2, duration_s: 10}, {rate: 5, duration_s: 10}]}
  input: 64
  output: 8
policies: [round-robin]
report: {warmup_s: 0}
`,
    'ladder.yaml',
  );

  it('spans and counts: a constant process puts exactly rate × duration arrivals in each stage', () => {
    expect(stageSpans(sc)).toEqual([
      { from_s: 0, to_s: 10, rate: 2 },
      { from_s: 10, to_s: 20, rate: 5 },
    ]);
    const s = summarize(runPolicy(sc, RR), sc.slo, summaryOptionsFor(sc));
    expect(s.stages?.map((x) => [x.index, x.rate, x.arrived])).toEqual([
      [0, 2, 20],
      [1, 5, 50],
    ]);
    expect(s.stages!.every((x) => x.completed === x.arrived && x.ttft_ms.p50 !== null)).toBe(true);
    expect(s.arrived).toBe(70);
    // Goodput per stage is over the stage's span (10 s), so it matches the offered rate when every
    // request meets the SLO (the scenario sets none): 20 / 10 = 2 and 50 / 10 = 5 req/s.
    expect(s.stages!.map((x) => x.goodput)).toEqual([
      { requests_per_s: 2, fraction: 1 },
      { requests_per_s: 5, fraction: 1 },
    ]);
  });

  it('a pause (rate 0) between stages is not a stage; a sweep scales every stage', () => {
    const paused = parseScenario(
      `name: p\nseed: 1\nfleet: {replicas: 1, gpu: H100, model: Llama-3.1-8B}\nworkload:\n  arrival: {process: constant, stages: [{rate: 2, duration_s: 10}, {rate: 0, duration_s: 5}, {rate: 4, duration_s: 10}]}\n  input: 8\n  output: 2\npolicies: [round-robin]\n`,
      'p.yaml',
    );
    expect(stageSpans(paused)).toEqual([
      { from_s: 0, to_s: 10, rate: 2 },
      { from_s: 15, to_s: 25, rate: 4 },
    ]);
    // Mean rate (2·10 + 0·5 + 4·10) / 25 = 2.4; a sweep point at 4.8 doubles every stage.
    const swept = { ...paused, workload: { ...paused.workload, arrival: { ...paused.workload.arrival, rate: 4.8 } } };
    expect(stageSpans(swept).map((x) => x.rate)).toEqual([4, 8]);
  });

  it('no stages key without a ladder', () => {
    const s = summarize(runPolicy(linearScenario('num_gpu_blocks: 100'), RR, {}, [req({ id: 0, at: 0, prompt: 16, output: 1 })]), NO_SLO);
    expect('stages' in s).toBe(false);
  });
});

describe('ITL over the window, by emission time', () => {
  // A1, A2 at t = 0 (prompt 100, out 4): one prefill step 1000 + 10·200 = 3000 µs, then three
  // decode steps of 1000 + 100·2 = 1200 µs → 6 gaps of 1200 µs, all before 10 ms.
  // B at 1 s (prompt 100, out 3) alone: prefill 2000, decodes 1100 → 2 gaps of 1100 µs.
  // C1, C2 at 2 s (prompt 100, out 2): prefill 3000, one decode 1200 → 2 gaps of 1200 µs.
  const reqs = [
    req({ id: 0, at: 0, prompt: 100, output: 4 }),
    req({ id: 1, at: 0, prompt: 100, output: 4 }),
    req({ id: 2, at: 1_000_000, prompt: 100, output: 3 }),
    req({ id: 3, at: 2_000_000, prompt: 100, output: 2 }),
    req({ id: 4, at: 2_000_000, prompt: 100, output: 2 }),
  ];
  const itlOf = (report: string) => {
    const sc = linearScenario('num_gpu_blocks: 100', `report: ${report}`);
    return summarize(runPolicy(sc, RR, {}, reqs), NO_SLO, summaryOptionsFor(sc)).itl_ms;
  };

  it('no window: every gap, mean (8·1200 + 2·1100) / 10 = 1180 µs', () => {
    expect(itlOf('{warmup_s: 0}').mean).toBe(1.18);
  });

  it('warm-up 0.5 s leaves out A’s tokens: (2·1100 + 2·1200) / 4 = 1150 µs', () => {
    expect(itlOf('{warmup_s: 0.5}').mean).toBe(1.15);
  });

  it('and a cool-down of 0.5 s (window to 1.5 s) leaves out C’s: only B’s 1100 µs gaps', () => {
    const s = itlOf('{warmup_s: 0.5, cooldown_s: 0.5}');
    expect(s.mean).toBe(1.1);
    expect(s.p99).toBe(1.1);
  });
});
