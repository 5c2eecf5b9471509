/**
 * Per-stage ITL (sim/metrics/stageItl.ts): with a staged arrival profile each token gap is counted
 * in the stage its request arrived in, and both community writers put ITL in every stage file.
 *
 * Tiny 2-stage run derived by hand: one replica, linear step time β0 1000 µs + 10 µs per prefill
 * token + 100 µs per decode token, no overheads, sync scheduling; stages [0, 1 s) and [1 s, 2 s).
 * - A (stage 0): arrives at 0, 16-token prompt, 912 output tokens. Step 1 = prefill, 1000 + 160 =
 *   1160 µs (token 1); steps 2..910 decode A alone, 1100 µs each (909 gaps of 1100), step 910
 *   ending at 1160 + 909·1100 = 1 001 060 µs.
 * - B (stage 1): arrives at 1 000 000 µs (during step 910), 16-token prompt, 3 output tokens.
 *   Step 911 = B's prefill + A's decode: 1000 + 160 + 100 = 1260 µs (A's gap 1260, B's first
 *   token). Step 912 decodes both: 1200 µs (A's gap 1200, its last token; B's gap 1200). Step 913
 *   decodes B alone: 1100 µs (B's gap 1100).
 * So stage 0 = {1100: 909, 1260: 1, 1200: 1} (911 = 912 − 1 gaps), stage 1 = {1200: 1, 1100: 1},
 * whole run = {1100: 910, 1260: 1, 1200: 2}.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { benchmarkReportPolicyFiles } from '../reports/benchmarkReport/write.js';
import { inferencePerfPolicyFiles } from '../reports/inferencePerf/write.js';
import { StageItl } from '../sim/metrics/stageItl.js';
import { parseScenario } from '../sim/scenario/load.js';
import { runPolicy } from '../sim/simulation.js';
import type { ItlCounts } from '../sim/metrics/types.js';
import { req } from './helpers.js';

function scenario(arrival: string) {
  return parseScenario(
    `name: staged
seed: 7
requests: 2
fleet:
  replicas: 1
  gpu: H100
  model: Llama-3.1-8B
  engine: {num_gpu_blocks: 100}
step_time:
  model: linear
  coefficients: {beta0_us: 1000, beta1_us_per_prefill_token: 10, beta2_us_per_decode_token: 100}
  overheads: false
workload:
  arrival: ${arrival}
  input: 16
  output: 1
policies: [round-robin]
`,
    'staged.yaml',
  );
}
const STAGED = '{process: constant, stages: [{rate: 1, duration_s: 1}, {rate: 1, duration_s: 1}]}';
const requests = () => [req({ id: 0, at: 0, prompt: 16, output: 912 }), req({ id: 1, at: 1_000_000, prompt: 16, output: 3 })];
const sorted = (m: ReadonlyMap<number, number> | undefined) => [...(m ?? new Map<number, number>())].sort((a, b) => a[0] - b[0]);
const run = (arrival: string) => {
  const sc = scenario(arrival);
  return { sc, run: runPolicy(sc, { name: 'rr', type: 'round-robin' }, {}, requests()) };
};

describe('per-stage ITL', () => {
  it('counts each gap in its request\'s arrival stage; the stages add up to the whole run', () => {
    const { run: r } = run(STAGED);
    expect(r.records.map((x) => x.outcome)).toEqual(['completed', 'completed']);
    expect(sorted(r.stageItl?.[0])).toEqual([[1100, 909], [1200, 1], [1260, 1]]);
    expect(sorted(r.stageItl?.[1])).toEqual([[1100, 1], [1200, 1]]);
    expect(sorted(r.itl)).toEqual([[1100, 910], [1200, 2], [1260, 1]]);
  });

  it('a run without stages carries no per-stage ITL', () => {
    expect(run('{process: constant, rate: 1}').run.stageItl).toBeUndefined();
  });

  it('--inference-perf-report: ITL in every stage file (seconds), the whole run in the summary', () => {
    const { sc, run: r } = run(STAGED);
    const files = inferencePerfPolicyFiles(sc, r, 'rr');
    const itlOf = (f: string) => (JSON.parse(files.get(`rr/${f}`)!) as { successes: { latency: { inter_token_latency: Record<string, number> } } }).successes.latency.inter_token_latency;
    // Stage 1: gaps 1100 and 1200 µs → mean = median (linear interpolation of two) = 1150 µs.
    const s1 = itlOf('stage_1_lifecycle_metrics.json');
    expect(s1.mean).toBeCloseTo(0.00115, 12);
    expect(s1.median).toBeCloseTo(0.00115, 12);
    expect(s1.min).toBeCloseTo(0.0011, 12);
    expect(s1.max).toBeCloseTo(0.0012, 12);
    // Stage 0: (909·1100 + 1260 + 1200) / 911 = 1 002 360 / 911 µs; median 1100; max 1260.
    const s0 = itlOf('stage_0_lifecycle_metrics.json');
    expect(s0.mean).toBeCloseTo(1002360 / 911 / 1e6, 12);
    expect(s0.median).toBeCloseTo(0.0011, 12);
    expect(s0.max).toBeCloseTo(0.00126, 12);
    const all = itlOf('summary_lifecycle_metrics.json');
    expect(all.mean).toBeCloseTo((910 * 1100 + 2 * 1200 + 1260) / 913 / 1e6, 12);
  });

  it('--benchmark-report: inter_token_latency (s/token) in every stage report', () => {
    const { sc, run: r } = run(STAGED);
    const files = benchmarkReportPolicyFiles({ scenario: sc, policy: sc.policies[0]!, run: r, version: '0', workHash: 'h', dirName: 'rr' });
    const itlOf = (i: number) => (JSON.parse(files.get(`rr/stage_${i}_benchmark_report.json`)!) as { results: { request_performance: { aggregate: { latency: { inter_token_latency?: Record<string, unknown> } } } } }).results.request_performance.aggregate.latency.inter_token_latency;
    const s1 = itlOf(1)!;
    expect(s1.units).toBe('s/token');
    expect(s1.mean as number).toBeCloseTo(0.00115, 12);
    expect(s1.p50 as number).toBeCloseTo(0.00115, 12);
    expect(itlOf(0)!.max as number).toBeCloseTo(0.00126, 12);
  });

  it('StageItl attributes by arrival with [from, to) bounds and skips first tokens', () => {
    const s = new StageItl([{ from_s: 0, to_s: 1, rate: 1 }, { from_s: 1, to_s: 2, rate: 1 }]);
    expect([s.stageOf(0), s.stageOf(999_999), s.stageOf(1_000_000), s.stageOf(2_000_000)]).toEqual([0, 0, 1, -1]);
    const a = { outputDone: 0, lastTokenUs: -1, rec: { arrivalUs: 500_000 } };
    const b = { outputDone: 1, lastTokenUs: 10, rec: { arrivalUs: 1_500_000 } };
    const c = { outputDone: 2, lastTokenUs: 10, rec: { arrivalUs: 2_500_000 } };
    s.before([a, b, c]);
    a.outputDone = 1; // a first token: no gap
    a.lastTokenUs = 40;
    b.outputDone = 2; // gap 40 − 10 = 30 in stage 1
    b.lastTokenUs = 40;
    c.outputDone = 3; // arrived after every stage: not counted
    c.lastTokenUs = 40;
    s.after();
    expect(s.counts.map(sorted)).toEqual([[], [[30, 1]]]);
  });

  it.for(['aggregated', 'pd-2p6d'])('stages tile the profile, so their histograms add up to the whole run exactly (pd-disaggregation, %s, with preemptions)', (name) => {
    const file = fileURLToPath(new URL('../scenarios/pd-disaggregation.yaml', import.meta.url));
    const text = readFileSync(file, 'utf8')
      .replace('requests: 4000', '')
      .replace('arrival: {process: poisson, rate: 24}', 'arrival: {process: poisson, stages: [{rate: 30, duration_s: 4}, {rate: 0, duration_s: 1}, {rate: 60, duration_s: 3}]}')
      .replace('enable_prefix_caching: true', 'enable_prefix_caching: true\n      num_gpu_blocks: 3000');
    const sc = parseScenario(text, join(file, '..', 'staged-pd.yaml'));
    const r = runPolicy(sc, sc.policies.find((p) => p.name === name)!);
    expect(r.stageItl).toHaveLength(2);
    const total: ItlCounts = new Map();
    for (const m of r.stageItl!) for (const [g, c] of m) total.set(g, (total.get(g) ?? 0) + c);
    expect(sorted(total)).toEqual(sorted(r.itl));
    // Tokens: every completed request has output − 1 gaps.
    const gaps = r.records.filter((x) => x.outcome === 'completed').reduce((a, x) => a + x.outputTokens - 1, 0);
    expect([...total.values()].reduce((a, b) => a + b, 0)).toBe(gaps);
    expect(r.replicas.reduce((a, x) => a + x.preemptions, 0)).toBeGreaterThan(0);
  });
});
