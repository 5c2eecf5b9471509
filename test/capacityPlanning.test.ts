/**
 * `routesim capacity` (issue 14): the bracketing searches on synthetic verdicts (brackets worked
 * out by hand), the probe verdict (one-sided t bound, steady state), cost and the Pareto front, a
 * single-server fleet whose capacity is derived by hand from the step-time model, and the CLI
 * (byte-identical across --jobs, one-line errors).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSearches, type ProbeRequest, type SearchSpec } from '../lab/capacity/search.js';
import { judgeProbe, oneSidedBound } from '../lab/capacity/verdict.js';
import { gpusByType, paretoFront, costOf } from '../lab/capacity/cost.js';
import { answerCapacity, replicaPaths, Variants, type CapacityQuestion } from '../lab/capacity/plan.js';
import type { Probe } from '../lab/capacity/types.js';
import { LocalExecutor } from '../lab/cells/executor.js';
import type { ScenarioRecipe } from '../lab/cells/recipe.js';
import { loadRecipe } from '../lab/cells/recipe.js';
import type { PolicySummary } from '../sim/metrics/summary.js';
import { parseScenario } from '../sim/scenario/load.js';
import { ROOT, routesim } from './cliHelpers.js';

/** A probe that passes iff `pass(point)`; only `rate` / `replicas` / `pass` matter to the search. */
function fakeProbe(point: number, pass: boolean, replicas = false): Probe {
  return {
    rate: replicas ? 1 : point,
    ...(replicas ? { replicas: point } : {}),
    seeds: [1],
    steady: 1,
    figures: { ttft_p99_ms: undefined, tpot_p99_ms: undefined, goodput_pct: undefined },
    output_tokens_per_s: 0,
    pass,
    why: pass ? '' : 'synthetic',
  };
}

/** Runs searches where search i passes iff passes[i](point); records each call's points. */
async function search(specs: SearchSpec[], passes: ((x: number) => boolean)[]) {
  const calls: ProbeRequest[][] = [];
  const results = await runSearches(specs, async (reqs) => {
    calls.push([...reqs]);
    return reqs.map((r) => fakeProbe(r.point, passes[r.search]!(r.point), specs[r.search]!.kind === 'replicas'));
  });
  return { results, calls };
}

const points = (p: readonly Probe[]): number[] => p.map((x) => x.replicas ?? x.rate);

describe('rate search (pure)', () => {
  it('doubles from a passing start, then bisects to the tolerance', async () => {
    // Capacity 37: 10 P, 20 P, 40 F → bracket [20, 40]; bisect 30 P, 35 P, 37.5 F, 36.25 P:
    // (37.5 − 36.25)/37.5 = 3.3 % > 2.5 %; 36.875 P: (37.5 − 36.875)/37.5 = 1.67 % ≤ 2.5 % → stop.
    const { results } = await search([{ kind: 'rate', start: 10, tolerance: 0.025 }], [(x) => x <= 37]);
    const r = results[0]!;
    expect(points(r.probes)).toEqual([10, 20, 40, 30, 35, 37.5, 36.25, 36.875]);
    expect(r.answer).toBe(36.875);
    expect(r.bracket).toEqual([36.875, 37.5]);
    expect(r.converged).toBe(true);
  });

  it('halves from a failing start until a pass', async () => {
    // Capacity 3: 8 F, 4 F, 2 P → [2, 4]; 3 P, 3.5 F, 3.25 F, 3.125 F: (3.125 − 3)/3.125 = 4 %;
    // 3.0625 F: (3.0625 − 3)/3.0625 = 2.04 % → stop.
    const { results } = await search([{ kind: 'rate', start: 8, tolerance: 0.025 }], [(x) => x <= 3]);
    expect(points(results[0]!.probes)).toEqual([8, 4, 2, 3, 3.5, 3.25, 3.125, 3.0625]);
    expect(results[0]!.answer).toBe(3);
    expect(results[0]!.bracket).toEqual([3, 3.0625]);
  });

  it('stops after 20 probes without converging, and after 12 doublings when nothing fails', async () => {
    const tight = (await search([{ kind: 'rate', start: 10, tolerance: 1e-12 }], [(x) => x <= 37])).results[0]!;
    expect(tight.probes).toHaveLength(20);
    expect(tight.converged).toBe(false);
    expect(tight.answer).toBeLessThanOrEqual(37);
    const open = (await search([{ kind: 'rate', start: 1, tolerance: 0.025 }], [() => true])).results[0]!;
    // 1, 2, 4, …, 2^12: 13 probes, the bracket open above.
    expect(points(open.probes)).toEqual(Array.from({ length: 13 }, (_, i) => 2 ** i));
    expect(open.bracket).toEqual([4096, null]);
    expect(open.converged).toBe(false);
    const none = (await search([{ kind: 'rate', start: 1, tolerance: 0.025 }], [() => false])).results[0]!;
    expect(none.answer).toBeNull();
    expect(none.probes).toHaveLength(13);
    expect(none.bracket).toEqual([null, 1 / 4096]);
  });

  it('starts from --rate-low/--rate-high as the first round', async () => {
    // Capacity 50: 10 P and 80 F in one round; then 45 P, 62.5 F, 53.75 F, 49.375 P, 51.5625 F:
    // (51.5625 − 49.375)/51.5625 = 4.2 %; 50.46875 F: (50.46875 − 49.375)/50.46875 = 2.17 % → stop.
    const { results, calls } = await search([{ kind: 'rate', start: 30, low: 10, high: 80, tolerance: 0.025 }], [(x) => x <= 50]);
    expect(calls[0]!.map((c) => c.point)).toEqual([10, 80]);
    expect(points(results[0]!.probes)).toEqual([10, 80, 45, 62.5, 53.75, 49.375, 51.5625, 50.46875]);
    expect(results[0]!.answer).toBe(49.375);
  });

  it('probes every search of a round in one call', async () => {
    const { calls, results } = await search(
      [
        { kind: 'rate', start: 10, tolerance: 0.025 },
        { kind: 'rate', start: 10, tolerance: 0.025 },
      ],
      [(x) => x <= 37, (x) => x <= 3],
    );
    // Round 1: both at 10; round 2: 20 (first passed) and 5 (second failed). The second: 10 F, 5 F,
    // 2.5 P, 3.75 F, 3.125 F, 2.8125 P, 2.96875 P (5 % wide), 3.046875 F (2.56 %), 3.0078125 F (1.3 %) → 2.96875.
    expect(calls[0]!.map((c) => [c.search, c.point])).toEqual([[0, 10], [1, 10]]);
    expect(calls[1]!.map((c) => [c.search, c.point])).toEqual([[0, 20], [1, 5]]);
    expect(results.map((r) => r.answer)).toEqual([36.875, 2.96875]);
  });
});

describe('ladder and replica searches (pure)', () => {
  it('a ladder: one round, the highest pass below the first failure, non-monotone flagged', async () => {
    const { calls, results } = await search([{ kind: 'ladder', rates: [10, 20, 30, 40, 50] }], [(x) => x <= 25 || x === 50]);
    expect(calls).toHaveLength(1);
    expect(results[0]!.answer).toBe(20);
    expect(results[0]!.bracket).toEqual([20, 30]);
    expect(results[0]!.nonMonotone).toBe(true);
  });

  it('replicas: 1, 2, 4, 8 until a pass, then integer bisection to width 1', async () => {
    // Needs 5: 1 F, 2 F, 4 F, 8 P → (4, 8]; 6 P, 5 P → (4, 5] → 5.
    const { results } = await search([{ kind: 'replicas' }], [(n) => n >= 5]);
    expect(points(results[0]!.probes)).toEqual([1, 2, 4, 8, 6, 5]);
    expect(results[0]!.answer).toBe(5);
    expect(results[0]!.bracket).toEqual([4, 5]);
    expect(results[0]!.converged).toBe(true);
    const one = (await search([{ kind: 'replicas' }], [() => true])).results[0]!;
    expect(one.answer).toBe(1);
    expect(one.bracket).toEqual([null, 1]);
    // Never enough: 1, 2, …, 512, then the cap 1000 (the scenario's bound), no answer.
    const never = (await search([{ kind: 'replicas', maxReplicas: 1000 }], [() => false])).results[0]!;
    expect(points(never.probes)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000]);
    expect(never.answer).toBeNull();
    expect(never.bracket).toEqual([1000, null]);
    expect(never.converged).toBe(false);
    // In steps of 4 (data_parallel 4), needing 18: 4 F, 8 F, 16 F, 32 P → (16, 32]; 24 P, 20 P → (16, 20] → 20.
    const dp = (await search([{ kind: 'replicas', step: 4 }], [(n) => n >= 18])).results[0]!;
    expect(points(dp.probes)).toEqual([4, 8, 16, 32, 24, 20]);
    expect(dp.answer).toBe(20);
    expect(dp.bracket).toEqual([16, 20]);
    expect(dp.converged).toBe(true);
  });
});

/** A summary with only the fields the verdict reads. */
function summary(ttftP99: number | null, steady = true, goodput = 1, tpotP99: number | null = 10): PolicySummary {
  return {
    ttft_ms: { mean: ttftP99, p50: ttftP99, p90: ttftP99, p95: ttftP99, p99: ttftP99 },
    tpot_ms: { mean: tpotP99, p50: tpotP99, p90: tpotP99, p95: tpotP99, p99: tpotP99 },
    goodput: { requests_per_s: 0, fraction: goodput },
    steady_state: { reached: steady, diverged_at_s: steady ? null : 1, detail: '' },
    throughput: { duration_s: 1, requests_per_s: 1, input_tokens_per_s: 300, output_tokens_per_s: 100 },
  } as unknown as PolicySummary;
}

describe('probe verdict', () => {
  it('the one-sided 95 % bound is mean ± t(0.95, n−1)·s/√n', () => {
    // 1..5: mean 3, s = √2.5 = 1.5811, t(0.95, 4) = 2.1318 (table) → 3 + 2.1318·1.5811/√5 = 4.5074.
    expect(oneSidedBound([1, 2, 3, 4, 5], true)).toBeCloseTo(4.5074, 3);
    expect(oneSidedBound([1, 2, 3, 4, 5], false)).toBeCloseTo(1.4926, 3);
    expect(oneSidedBound([7], true)).toBe(7);
  });

  it('fails on a latency bound over the limit and says so', () => {
    const slo = { ttft_p99_ms: 2000, tpot_p99_ms: null, goodput_pct: null };
    const p = judgeProbe({ rate: 40, seeds: [1, 2], summaries: [summary(2310), summary(2310)] }, slo);
    expect(p.pass).toBe(false);
    expect(p.why).toBe('ttft p99 bound 2,310 ms > 2,000');
    expect(p.figures.ttft_p99_ms).toEqual({ mean: 2310, bound: 2310, limit: 2000, ok: false });
    expect(p.figures.tpot_p99_ms).toBeUndefined();
    // Means below the limit but a spread that puts the bound above it: 1800, 2100 → mean 1950,
    // s = 212.13, t(0.95, 1) = 6.3138 → 1950 + 6.3138·212.13/√2 = 2897.1 > 2000.
    const wide = judgeProbe({ rate: 40, seeds: [1, 2], summaries: [summary(1800), summary(2100)] }, slo);
    expect(wide.pass).toBe(false);
    expect(wide.figures.ttft_p99_ms!.bound).toBeCloseTo(2897.07, 1);
  });

  it('fails when a seed is not steady, whatever the figures; goodput is a lower bound in %', () => {
    const slo = { ttft_p99_ms: 2000, tpot_p99_ms: null, goodput_pct: 95 };
    const s = [summary(100), summary(100, false), summary(100, false), summary(100), summary(100)];
    const p = judgeProbe({ rate: 10, seeds: [1, 2, 3, 4, 5], summaries: s }, slo);
    expect(p.steady).toBe(3);
    expect(p.why).toBe('2 of 5 seeds not steady');
    const g = judgeProbe({ rate: 10, seeds: [1], summaries: [summary(100, true, 0.9)] }, slo);
    expect(g.why).toBe('goodput bound 90 % < 95');
    const ok = judgeProbe({ rate: 10, seeds: [1], summaries: [summary(100, true, 0.99)] }, slo);
    expect(ok.pass).toBe(true);
    expect(ok.why).toBe('');
  });
});

describe('cost and the Pareto front', () => {
  it('counts replicas × tp per GPU type and prices them', () => {
    const sc = parseScenario(
      `name: c\nrequests: 10\npools:\n  - {name: a, model: Llama-3.1-8B, replicas: [{gpu: H100, count: 3, tp: 2}, {gpu: L40S, count: 2}]}\nworkload: {arrival: {process: poisson, rate: 1}, input: 10, output: 2}\npolicies: [{name: rr, type: round-robin, pool: a}]\n`,
      'c.yaml',
    );
    expect(gpusByType(sc, sc.policies[0]!)).toEqual({ H100: 6, L40S: 2 });
    // 6 × 4 + 2 × 2 = 28 $/h; 14 req/s → 0.5 QPS per $/h; 100 output tok/s → 28 / 360000 × 1e6 = 77.7778 $/Mtok;
    // + 300 prompt tok/s → 28 / (400 × 3600) × 1e6 = 19.4444.
    const c = costOf(sc, sc.policies[0]!, { H100: 4, L40S: 2 }, 14, { ...fakeProbe(14, true), output_tokens_per_s: 100, input_tokens_per_s: 300 }, 'x');
    expect(c).toEqual({ gpus: 8, usd_per_hour: 28, qps_per_usd_hour: 0.5, usd_per_mtok_output: 77.7778, usd_per_mtok_total: 19.4444, prices: { H100: 4, L40S: 2 } });
  });

  it('keeps the points no other is cheaper-and-faster than', () => {
    // (10 $/h, 20 QPS) dominates (12, 18); (15, 30) is dearer but faster; null rate never on it.
    expect(paretoFront([{ usd: 10, rate: 20 }, { usd: 12, rate: 18 }, { usd: 15, rate: 30 }, { usd: 5, rate: null }])).toEqual([true, false, true, false]);
  });
});

describe('--min-replicas: which replica count is varied', () => {
  const q = { question: 'min-replicas', rate: 10 } as CapacityQuestion;
  it('fleet.replicas; each pool in turn; a policy\'s own groups in turn; --replicas-path', () => {
    const fleet = parseScenario('name: f\nrequests: 10\nfleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}\nworkload: {arrival: {process: poisson, rate: 1}, input: 10, output: 2}\npolicies: [round-robin]\n', 'f.yaml');
    expect(replicaPaths(q, fleet, 0)).toEqual([{ count: 'fleet.replicas', gpu: 'fleet.gpu', label: null, step: 1 }]);
    const pd = parseScenario(
      `name: p\nrequests: 10\npools:\n  - {name: a, model: Llama-3.1-8B, replicas: [{gpu: H100, count: 2}]}\n  - {name: b, model: Llama-3.1-8B, replicas: [{gpu: H100, count: 2}]}\nroutes: [{rules: [{backendRefs: [{name: a}, {name: b}]}]}]\nworkload: {arrival: {process: poisson, rate: 1}, input: 10, output: 2}\npolicies:\n  - {name: rr, type: round-robin, pool: a}\n  - {name: split, type: round-robin, pool: a, replicas: [{gpu: H100, count: 1, labels: {llm-d.ai/role: prefill}}, {gpu: H100, count: 3, labels: {llm-d.ai/role: decode}}]}\n`,
      'p.yaml',
    );
    expect(replicaPaths(q, pd, 0).map((p) => [p.count, p.label])).toEqual([['pools.a.replicas[0].count', 'pool=a'], ['pools.b.replicas[0].count', 'pool=b']]);
    expect(replicaPaths(q, pd, 1)).toEqual([
      { count: 'policies.split.replicas[0].count', gpu: 'policies.split.replicas[0].gpu', label: 'group=prefill', step: 1 },
      { count: 'policies.split.replicas[1].count', gpu: 'policies.split.replicas[1].gpu', label: 'group=decode', step: 1 },
    ]);
    expect(replicaPaths({ ...q, replicasPath: 'pools.b.replicas[0].count' }, pd, 0)).toEqual([{ count: 'pools.b.replicas[0].count', gpu: 'pools.b.replicas[0].gpu', label: null, step: 1 }]);
    // DP ranks step together: a data_parallel 4 fleet is searched in multiples of 4.
    const dp = parseScenario('name: d\nrequests: 10\nfleet: {replicas: 4, gpu: H100, model: Llama-3.1-8B, data_parallel: 4}\nworkload: {arrival: {process: poisson, rate: 1}, input: 10, output: 2}\npolicies: [round-robin]\n', 'd.yaml');
    expect(replicaPaths(q, dp, 0)).toEqual([{ count: 'fleet.replicas', gpu: 'fleet.gpu', label: null, step: 4 }]);
  });
});

/*
 * THE KEY TEST: the capacity of a single-server fleet, by hand.
 * test/fixtures/capacity/single-server.yaml: 1 replica, max_num_seqs 1 (one request at a time: a
 * single-server queue), linear step time β0 = 1000 µs, β1 = 10 µs per prefill token, β2 = 0, no
 * overheads; every request has 100 prompt and 9 output tokens. Service time of one request:
 *   prefill step (emits the first token): 1000 + 10·100 = 2000 µs
 *   8 decode steps (tokens 2..9):         8 × 1000      = 8000 µs
 *   S = 10,000 µs = 10 ms  →  capacity μ = 1/S = 100 req/s.
 * Below μ the waiting backlog stays bounded (deterministic arrivals: TTFT = 2 ms exactly; Poisson:
 * M/D/1, stationary for ρ < 1); above μ it grows at λ − μ per second, which the steady-state
 * detector flags once the slope exceeds 1 % of λ (λ > μ/0.99 = 101.01) and the growth over the
 * second half of the 4000 arrivals, (λ − μ)·2000/λ, exceeds 10 requests (λ > 100.5). So the
 * search (TTFT bound loose: 100 s) must answer a passing rate in [μ·(1 − tolerance), μ/0.99]
 * and its bracket must straddle the limit.
 */
describe('single-server capacity derived by hand', () => {
  const MU = 100;
  const fixture = join(ROOT, 'test', 'fixtures', 'capacity', 'single-server.yaml');
  const ask = async (path: string, seeds: number[], slo = { ttft_p99_ms: 100_000, tpot_p99_ms: null, goodput_pct: null }) => {
    const recipe: ScenarioRecipe = { path, overrides: [], replay: {}, pluginModules: [] };
    const base = loadRecipe(recipe);
    const variants = new Variants(recipe, base);
    const q: CapacityQuestion = { question: 'max-rate', recipe, slo, seeds, tolerance: 0.025, prices: {}, version: 'test' };
    return answerCapacity(q, base, variants, new LocalExecutor(variants.config));
  };

  it('deterministic arrivals: max rate within the tolerance of 1/S', async () => {
    const doc = await ask(fixture, [1]);
    const a = doc.answers[0]!;
    expect(a.converged).toBe(true);
    expect(a.max_rate!).toBeGreaterThanOrEqual(MU * (1 - 0.025));
    expect(a.max_rate!).toBeLessThanOrEqual(MU / 0.99);
    expect(a.bracket[1]!).toBeGreaterThan(MU);
    // Below capacity nobody waits: TTFT = the 2 ms prefill step.
    const below = a.probes.find((p) => p.pass)!;
    expect(below.figures.ttft_p99_ms!.mean).toBe(2);
    // Every failing probe failed on steady state, not on the (loose) TTFT bound.
    for (const p of a.probes.filter((x) => !x.pass)) expect(p.why).toMatch(/not steady/);
  });

  it('probes over the records limit run streamed: the same answer, counted in the document', async () => {
    // The same question with the limit at 1,000 requests: every probe of the fixture's 4,000
    // requests keeps no records (as `routesim run` does above 1,000,000). Deterministic arrivals, so
    // every probe passes or fails as before: TTFT is 2 ms for all (a sketch reads it within 0.5 %)
    // and steady state is decided from exact backlogs up to 1,000,000 arrivals.
    const recipe: ScenarioRecipe = { path: fixture, overrides: [], replay: {}, pluginModules: [] };
    const base = loadRecipe(recipe);
    const variants = new Variants(recipe, base);
    const q: CapacityQuestion = { question: 'max-rate', recipe, slo: { ttft_p99_ms: 100_000, tpot_p99_ms: null, goodput_pct: null }, seeds: [1], tolerance: 0.025, prices: {}, version: 'test' };
    const local = new LocalExecutor(variants.config);
    let cells = 0;
    let streamedCells = 0;
    const spy = {
      run: (cs: Parameters<LocalExecutor['run']>[0]) => {
        cells += cs.length;
        streamedCells += cs.filter((c) => c.streamed === true).length;
        return local.run(cs);
      },
      close: () => local.close(),
    };
    const streamed = await answerCapacity(q, base, variants, spy, undefined, 1000);
    const recorded = await ask(fixture, [1]);
    expect(streamedCells).toBe(cells);
    expect(streamed.streamed_probes).toBe(streamed.answers[0]!.probes.length);
    expect(recorded.streamed_probes).toBeUndefined();
    const [a, b] = [streamed.answers[0]!, recorded.answers[0]!];
    expect(a.max_rate).toBe(b.max_rate);
    expect(a.bracket).toEqual(b.bracket);
    expect(a.probes.map((p) => [p.rate, p.pass])).toEqual(b.probes.map((p) => [p.rate, p.pass]));
    const ttft = a.probes.find((p) => p.pass)!.figures.ttft_p99_ms!.mean!;
    expect(Math.abs(ttft - 2) / 2).toBeLessThanOrEqual(0.005);
  });

  it('Poisson arrivals (M/D/1), 5 seeds: the answer sits at the limit the queue stops being stationary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'capacity-'));
    try {
      const path = join(dir, 'poisson.yaml');
      writeFileSync(path, readFileSync(fixture, 'utf8').replace('process: constant', 'process: poisson'));
      const a = (await ask(path, [1, 2, 3, 4, 5])).answers[0]!;
      // M/D/1 at ρ = 0.9 waits ρS/(2(1 − ρ)) = 45 ms on average: stationary, must pass; at ρ = 1.0625
      // the backlog grows by (6.25 req/s)·(20 s) ≈ 118 requests over the second half: must fail.
      expect(a.max_rate!).toBeGreaterThanOrEqual(0.9 * MU);
      expect(a.max_rate!).toBeLessThan(1.0625 * MU);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a TTFT bound below the 2 ms prefill fails every rate: no answer', async () => {
    const a = (await ask(fixture, [1], { ttft_p99_ms: 1.5, tpot_p99_ms: null, goodput_pct: null })).answers[0]!;
    expect(a.max_rate).toBeNull();
    // 50, 25, … halved 12 times.
    expect(a.probes).toHaveLength(13);
    expect(a.probes[0]!.why).toBe('ttft p99 bound 2 ms > 1.5');
  });
});

describe('routesim capacity (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capacity-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fixture = 'test/fixtures/capacity/single-server.yaml';

  it('--jobs 1 and --jobs 2 write byte-identical documents (max-rate and options)', () => {
    const opts = join(dir, 'options.yaml');
    writeFileSync(opts, 'options:\n  - {name: one, set: {fleet.replicas: 1}}\n  - {name: two, set: {fleet.replicas: 2, fleet.engine.max_num_seqs: 1}}\nprices: {H100: 4}\n');
    for (const q of [['--max-rate'], ['--options', opts]]) {
      const outs = [1, 2].map((j) => {
        const out = join(dir, `cap-${q[0]}-${j}.json`);
        const charts = q[0] === '--options' ? ['--charts', join(dir, `charts-${j}`)] : [];
        const r = routesim(['capacity', fixture, ...q, '--seeds', '2', '--ttft-p99', '100000', '--jobs', String(j), '--out', out, ...charts]);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        return readFileSync(out, 'utf8');
      });
      expect(outs[1]).toBe(outs[0]);
    }
    const doc = JSON.parse(readFileSync(join(dir, 'cap---options-1.json'), 'utf8'));
    // One H100 at 4 $/h; two at 8 $/h. Round-robin over two single-server replicas doubles the capacity.
    expect(doc.answers.map((a: { cost: { usd_per_hour: number } }) => a.cost.usd_per_hour)).toEqual([4, 8]);
    expect(doc.answers[1].max_rate).toBeGreaterThan(1.9 * doc.answers[0].max_rate * 0.975);
    expect(doc.answers.map((a: { pareto: boolean }) => a.pareto)).toEqual([true, true]);
    expect(readFileSync(join(dir, 'charts-2', 'pareto.vl.json'), 'utf8')).toBe(readFileSync(join(dir, 'charts-1', 'pareto.vl.json'), 'utf8'));
  });

  it('--min-replicas per GPU type: 250 req/s on 10 ms single servers needs ⌈250 × 0.01⌉ = 3 replicas', () => {
    // Each replica serves 100 req/s (derivation above); round-robin splits 250 req/s evenly: 2
    // replicas get 125 each (> 100, the backlog grows), 3 get 83.3 each (ρ = 0.83, no queue with
    // constant arrivals). The linear step time here has only absolute terms, so L40S is as fast;
    // it differs in price only: 3 × 1.5 = 4.5 $/h (--prices) against 3 × 4 = 12 $/h (built-in H100).
    const prices = join(dir, 'prices.yaml');
    writeFileSync(prices, 'L40S: 1.5\n');
    const r = routesim(['capacity', fixture, '--min-replicas', '250', '--gpus', 'H100,L40S', '--prices', prices, '--seeds', '1', '--ttft-p99', '100000', '--jobs', '1', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.rate).toBe(250);
    expect(doc.answers.map((a: { option: string; min_replicas: number; bracket: number[] }) => [a.option, a.min_replicas, a.bracket])).toEqual([
      ['gpu=H100', 3, [2, 3]],
      ['gpu=L40S', 3, [2, 3]],
    ]);
    expect(doc.answers.map((a: { cost: { usd_per_hour: number; qps_per_usd_hour: number } }) => [a.cost.usd_per_hour, a.cost.qps_per_usd_hour])).toEqual([
      [12, 20.8333],
      [4.5, 55.5556],
    ]);
    expect(doc.answers[0].probes.map((p: { replicas: number }) => p.replicas)).toEqual([1, 2, 4, 3]);
  });

  it('one question, valid SLOs and options files, else one line naming the flag or field (exit 2)', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'options:\n  - {name: x, set: {fleet.replicas: 2}}\n  - {name: y}\n');
    const cases: [string[], RegExp][] = [
      [['capacity', fixture], /ask one question: --max-rate, --min-replicas RATE or --options FILE/],
      [['capacity', fixture, '--max-rate', '--min-replicas', '40'], /--max-rate and --min-replicas: ask one question at a time/],
      [['capacity', fixture, '--max-rate', '--ttft-p99', '-3'], /^routesim: --ttft-p99: expected a positive number, got "-3"/],
      [['capacity', fixture, '--max-rate', '--goodput', '120'], /^routesim: --goodput: .*at most 100/],
      [['capacity', fixture, '--options', bad], /bad\.yaml: options\[1\]\.set: expected a non-empty map/],
      [['capacity', fixture, '--max-rate', '--rates', '10:5:1'], /^routesim: --rates: /],
    ];
    for (const [args, msg] of cases) {
      const r = routesim(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
