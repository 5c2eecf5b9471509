/**
 * inference-perf configs, reading (formats.md §1.1–1.4): keys, aliases, nulls, errors, and the two
 * length samplers checked against the clipping figures formats.md §1.6 publishes (4·10⁵ draws).
 */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createRng } from '../sim/core/rng.js';
import { parseInferencePerf } from '../sim/workload/inferencePerf/index.js';
import { parseDist, sample, type IpDist, type Sampler } from '../sim/workload/inferencePerf/distribution.js';
import { Fields } from '../sim/workload/inferencePerf/fields.js';
import { userErrorOf } from './helpers.js';

const cfg = (yaml: string) => parseInferencePerf(parseYaml(yaml), 'ip.yaml');
const SP = 'data: {type: shared_prefix, shared_prefix: {num_groups: 2, num_prompts_per_group: 3}}';

function draws(d: string, s: Sampler, n: number, seed = 1): number[] {
  const dist: IpDist = parseDist(new Fields('t.yaml'), parseYaml(d), 'd', s);
  const rng = createRng(seed, 'test');
  return Array.from({ length: n }, () => sample(dist, s, rng));
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const share = (xs: number[], v: number) => xs.filter((x) => x === v).length / xs.length;

describe('inference-perf config: keys', () => {
  it('defaults: constant load, interval 1 s, shared_prefix G10 P10, 100/50/50 tokens', () => {
    const c = cfg('load: {stages: [{rate: 2, duration: 3}]}\ndata: {type: shared_prefix}\n');
    expect(c.load).toMatchObject({ type: 'constant', interval_s: 1, cap: Infinity, lora: [], sweep: null });
    expect(c.load.stages).toEqual([{ kind: 'rate', rate: 2, duration_s: 3, n: 6 }]);
    expect(c.data).toMatchObject({ type: 'shared_prefix', groups: 10, perGroup: 10, multiTurn: false, seed: null });
    if (c.data.type !== 'shared_prefix') throw new Error('type');
    expect([c.data.system.mean, c.data.question.mean, c.data.output.mean]).toEqual([100, 50, 50]);
  });

  it('n = ⌊rate·duration⌋; num_workers × worker_max_concurrency caps rate types', () => {
    const c = cfg(`load: {type: poisson, num_workers: 6, worker_max_concurrency: 3000, stages: [{rate: 2.5, duration: 3}]}\n${SP}`);
    expect(c.load.stages[0]).toMatchObject({ n: 7 });
    expect(c.load.cap).toBe(18000);
  });

  it('accepts the count aliases, explicit nulls and the harmless keys real configs carry', () => {
    const c = cfg(
      'api: {type: completion, streaming: true}\nserver: {type: vllm, model_name: m, ignore_eos: true}\ntokenizer: {pretrained_model_name_or_path: m}\nmetrics: null\nreport: {request_lifecycle: {summary: true}}\nstorage: null\n' +
        'load: {type: constant, interval: null, sweep: null, base_seed: 42, circuit_breakers: [], request_timeout: null, worker_max_tcp_connections: 2500, stages: [{rate: 1, duration: 2}]}\n' +
        'data: {type: shared_prefix, shared_prefix: {num_unique_system_prompts: 4, num_users_per_system_prompt: 5, seed: 7, question_distribution: null}}\n',
    );
    expect(c.data).toMatchObject({ groups: 4, perGroup: 5, seed: 7 });
    expect(c.load.interval_s).toBe(1);
  });

  it('legacy question/output_distribution override an int length; beside an inline Distribution it is an error', () => {
    const c = cfg(`load: {stages: [{rate: 1, duration: 1}]}\ndata: {type: shared_prefix, shared_prefix: {question_len: 3000, question_distribution: {mean: 3000, std_dev: 900, min: 1, max: 10000}}}`);
    if (c.data.type !== 'shared_prefix') throw new Error('type');
    expect(c.data.question).toMatchObject({ type: 'normal', mean: 3000, std_dev: 900, min: 1, max: 10000 });
    expect(userErrorOf(() => cfg('load: {stages: [{rate: 1, duration: 1}]}\ndata: {type: shared_prefix, shared_prefix: {question_len: {mean: 5}, question_distribution: {mean: 5}}}'))).toMatch(/^ip\.yaml: data\.shared_prefix\.question_distribution: given beside an inline Distribution/);
  });

  it('a LoRA split must sum to 1 within 1e-9 (GAIE’s 1.0000000000000002 passes)', () => {
    const split = (xs: number[]) => `load: {stages: [{rate: 1, duration: 1}], lora_traffic_split: [${xs.map((x, i) => `{name: a${i}, split: ${x}}`).join(', ')}]}\n${SP}`;
    const gaie = [...Array(5).fill(0.12), ...Array(5).fill(0.06), ...Array(5).fill(0.02)] as number[];
    expect(gaie.reduce((a, b) => a + b, 0)).not.toBe(1);
    expect(cfg(split(gaie)).load.lora).toHaveLength(15);
    expect(userErrorOf(() => cfg(split([0.5, 0.4])))).toMatch(/load\.lora_traffic_split: the splits sum to 0\.9, not 1/);
  });

  it('one-line errors naming file, field and fix for what routesim cannot honour', () => {
    const cases: Array<[string, RegExp]> = [
      [`load: {stages: [{rate: 1, duration: 1}]}\ndata: {type: random, input_distribution: {mean: 100, std: 10}, output_distribution: {mean: 20}}`, /^ip\.yaml: data\.input_distribution\.std: inference-perf does not accept "std" \(fix: write std_dev/],
      [`load: {stages: [{rate: 1, duration: 1}], request_timeout: 30}\n${SP}`, /^ip\.yaml: load\.request_timeout: routesim cannot honour request_timeout/],
      [`load: {stages: [{rate: 1, duration: 1}], circuit_breakers: [errors]}\n${SP}`, /^ip\.yaml: load\.circuit_breakers: routesim cannot honour/],
      [`server: {ignore_eos: false}\nload: {stages: [{rate: 1, duration: 1}]}\n${SP}`, /^ip\.yaml: server\.ignore_eos: /],
      [`load: {stages: [{rate: 1, duration: 1}]}\ndata: {type: shareGPT}`, /^ip\.yaml: data\.type: shareGPT replays real text whose length histogram routesim does not have \(fix: /],
      [`load: {stages: [{rate: 1, duration: 1}]}\ndata: {type: random, input_distribution: {type: poisson}, output_distribution: {}}`, /data\.input_distribution\.type: poisson is not available for random\/synthetic data/],
      [`load: {stages: [{rate: 1, duration: 1}]}\ndata: {type: random, input_distribution: {mean: 5000}, output_distribution: {}}`, /data\.input_distribution\.mean: mean 5000 is outside \[min, max\] = \[10, 1024\]/],
      [`load: {stages: [{rate: 1, durations: 1}]}\n${SP}`, /load\.stages\[0\]\.durations: unknown key "durations" \(fix: did you mean "duration"\?/],
      [`load: {type: trace_session_replay, stages: [{num_sessions: 5}]}\n${SP}`, /load\.type: trace_session_replay needs data\.type otel_trace_replay/],
      [`load: {type: trace_session_replay, stages: [{num_sessions: 5}]}\ndata: {type: otel_trace_replay, otel_trace_replay: {trace_directory: ./t}}`, /data\.otel_trace_replay\.trace_directory: \.\/t is not a readable directory/],
      [`load: {sweep: {type: linear}, stages: [{rate: 1, duration: 1}]}\n${SP}`, /load\.stages: a sweep makes its own stages/],
      [`load: {stages: [{rate: 1, duration: 1}]}\ndata: {type: shared_prefix, shared_prefix: {num_groups: 2, num_unique_system_prompts: 3}}`, /num_unique_system_prompts is an alias of num_groups, which is also given/],
      [`load: {stages: [{rate: 1, duration: 1}]}\ndata: {type: random, input_distribution: {std_dev: 5, variance: 9}, output_distribution: {}}`, /variance is only accepted together with std_dev: 0/],
    ];
    for (const [yaml, re] of cases) {
      const m = userErrorOf(() => cfg(yaml));
      expect(m).toMatch(re);
      expect(m).not.toContain('\n');
      expect(m).toMatch(/\(fix: .+\)$/);
    }
  });
});

describe('inference-perf Distribution samplers (formats.md §1.2)', () => {
  const N = 40_000;

  it('omitted bounds still clamp to [10, 1024]; fixed is int(mean), unclamped', () => {
    const xs = draws('{mean: 512, std_dev: 2000}', 'A', N);
    expect(Math.min(...xs)).toBe(10);
    expect(Math.max(...xs)).toBe(1024);
    // N(512, 2000): P(X ≤ 10) = Φ(−0.251) ≈ 0.401; binomial s.d. √(.4·.6/N) ≈ 0.0025.
    expect(Math.abs(share(xs, 10) - 0.401)).toBeLessThan(0.01);
    expect(draws('{type: fixed, mean: 3.9}', 'A', 3)).toEqual([3, 3, 3]);
  });

  it('uniform: A on the integers [min, max], B round(U[min, max))', () => {
    const a = draws('{type: uniform, min: 1, max: 4}', 'A', N);
    for (const v of [1, 2, 3, 4]) expect(Math.abs(share(a, v) - 0.25)).toBeLessThan(0.01);
    const b = draws('{type: uniform, min: 1, max: 4}', 'B', N);
    // round(U[1, 4)): 1 on [1, 1.5), 2, 3 on unit intervals, 4 on [3.5, 4) → 1/6, 1/3, 1/3, 1/6.
    expect(Math.abs(share(b, 1) - 1 / 6)).toBeLessThan(0.01);
    expect(Math.abs(share(b, 2) - 1 / 3)).toBeLessThan(0.01);
  });

  it('lognormal B is matched to (mean − min, sd) then shifted by min', () => {
    // Unclipped (max far away): mean exactly 300 in expectation; A's mean would be 300 too, but B's minimum is 200.
    const b = draws('{type: lognormal, mean: 300, std_dev: 20, min: 200, max: 100000}', 'B', N);
    expect(Math.abs(mean(b) - 300)).toBeLessThan(1);
    expect(Math.min(...b)).toBeGreaterThan(200);
  });

  // The catalog's clipping figures (formats.md §1.6, 4·10⁵ sampler-A draws each).
  it('code-generation turns: median 6, mean ≈ 155, 32 % at 1, 2 % at 3000', () => {
    const t = draws('{type: lognormal, mean: 540, std_dev: 48600, min: 1, max: 3000}', 'A', N);
    expect(median(t)).toBeGreaterThanOrEqual(5);
    expect(median(t)).toBeLessThanOrEqual(7);
    // Mean of a 3000-capped heavy tail: s.d. ≈ 3000·√(.02)/√N ≈ 2.1 → ±10.
    expect(Math.abs(mean(t) - 155)).toBeLessThan(12);
    expect(Math.abs(share(t, 1) - 0.32)).toBeLessThan(0.015);
    expect(Math.abs(share(t, 3000) - 0.02)).toBeLessThan(0.005);
  });

  it('code-generation tool wait: median 4 s, 28 % at 1 s', () => {
    const t = draws('{type: lognormal, mean: 15, std_dev: 55, min: 1, max: 100}', 'A', N);
    expect(median(t)).toBe(4);
    expect(Math.abs(share(t, 1) - 0.28)).toBeLessThan(0.015);
  });

  it('deep-research output: 38 % at 50, mean ≈ 528', () => {
    const o = draws('{type: normal, mean: 300, std_dev: 850, min: 50, max: 4000}', 'A', N);
    expect(Math.abs(share(o, 50) - 0.38)).toBeLessThan(0.015);
    expect(Math.abs(mean(o) - 528)).toBeLessThan(15);
  });

  it('batch-summarization question: 26 % at 1000, mean ≈ 18.5k; batch-synthetic question: median 193', () => {
    const q = draws('{type: normal, mean: 15000, std_dev: 22000, min: 1000, max: 80000}', 'A', N);
    expect(Math.abs(share(q, 1000) - 0.26)).toBeLessThan(0.015);
    expect(Math.abs(mean(q) - 18500)).toBeLessThan(400);
    const s = draws('{type: lognormal, mean: 500, std_dev: 1200, min: 50, max: 15000}', 'A', N);
    expect(Math.abs(median(s) - 193)).toBeLessThan(8);
  });
});
