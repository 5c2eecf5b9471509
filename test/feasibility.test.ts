/**
 * Configurations that cannot work (sim/scenario/feasibility.ts, sim/engine/capacity.ts
 * capacityProblem) and the loud outcomes of a run (cli/runWarnings.ts). Expected numbers are
 * derived by hand from sim/hardware/models.json and gpus.json.
 */
import { describe, expect, it } from 'vitest';
import { runWarnings } from '../cli/runWarnings.js';
import { capacityProblem, kvCapacity } from '../sim/engine/capacity.js';
import { getGpu, getModel, gpuNames } from '../sim/hardware/catalog.js';
import type { PolicySummary } from '../sim/metrics/summary.js';
import { expectedArrivals, lengthBounds } from '../sim/scenario/feasibility.js';
import { parseScenario } from '../sim/scenario/load.js';
import { DEFAULT_ENGINE, TP_VALUES } from '../sim/scenario/schema.js';
import type { EngineConfig } from '../sim/scenario/types.js';
import { userErrorOf } from './helpers.js';

const ENGINE: EngineConfig = { ...DEFAULT_ENGINE, max_cpu_loras: 0 };
const GPUS = gpuNames().map(getGpu);

const errorOf = userErrorOf;

const scenario = (fleet: string, workload = '  arrival: {rate: 10}\n  input: 100\n  output: 10'): string =>
  `requests: 20\nfleet: {replicas: 2, ${fleet}}\nworkload:\n${workload}\npolicies: [round-robin]\n`;

describe('a model whose weights do not fit', () => {
  // Llama-3.1-70B (d 8192, d_kv 8·128 = 1024, ffn 28672, 80 layers, vocab 128256, untied):
  //   per layer 2·8192² + 2·8192·1024 + 3·8192·28672 = 134,217,728 + 16,777,216 + 704,643,072 = 855,638,016
  //   80 layers = 68,451,041,280; embeddings + head 2·128256·8192 = 2,101,346,304
  //   total 70,552,387,584 parameters × 2 bytes = 141.10 GB; at tp 8: 17.64 GB per GPU.
  // L4: 24.0 GB, × 0.9 = 21.6 GB usable. tp 2 (70.6 GB) and tp 4 (35.3 GB) still exceed it; at tp 8
  // 21.6 − 17.64 − activations 0.29 (2048·(2·28672/8 + 4·8192)·2 + 256·128256·4 bytes) − 1.2 buffers
  // ≈ 2.47 GB is left, 3,764 blocks of 655,360 bytes (16·2·80·1·128·2): tp 8 is the answer.
  it('says how much it needs, what the GPU has, and the smallest tp that fits', () => {
    const p = capacityProblem(getModel('Llama-3.1-70B'), getGpu('L4'), 1, ENGINE, TP_VALUES, GPUS)!;
    expect(p.path).toBe('fleet.model');
    expect(p.problem).toBe('Llama-3.1-70B needs 141.1 GB of weights per GPU at tp 1, the L4 has 24.0 GB (21.6 GB usable at gpu_memory_utilization 0.9): no room for the KV cache');
    // H200 at tp 1: 150.1 × 0.9 = 135.1 GB < 141.1 GB; the B200 (191.3 × 0.9 = 172.2 GB) is the first that fits.
    expect(p.fix).toBe('use tp ≥ 8 (17.6 GB of weights per GPU), or a GPU with more memory (B200: 191.3 GB)');
    expect(kvCapacity(getModel('Llama-3.1-70B'), getGpu('L4'), 8, ENGINE).numGpuBlocks).toBe(3764);
  });

  it('is reported by the scenario loader at fleet.model instead of an engine crash', () => {
    expect(errorOf(() => parseScenario(scenario('gpu: L4, model: Llama-3.1-70B'), 's.yaml'))).toBe(
      's.yaml: fleet.model: Llama-3.1-70B needs 141.1 GB of weights per GPU at tp 1, the L4 has 24.0 GB (21.6 GB usable at gpu_memory_utilization 0.9): no room for the KV cache (fix: use tp ≥ 8 (17.6 GB of weights per GPU), or a GPU with more memory (B200: 191.3 GB))',
    );
  });

  // Llama-3.1-8B: per layer 2·4096² + 2·4096·1024 + 3·4096·14336 = 218,103,808; × 32 = 6,979,321,856;
  // + 2·128256·4096 = 1,050,673,152 → 8,029,995,008 params × 2 B = 16.06 GB. With max_num_batched_tokens
  // 100,000 the profiling pass takes 100000·(2·14336 + 4·4096)·2 + 256·128256·4·(1 + 2 sampler copies)
  // = 9.0112 + 0.3940 = 9.41 GB; buffers 0.1845 GB: 16.06 + 9.41 + 0.18 − 21.6 (0.9 · 24.0) = 4.04 GB too much.
  it('names activations when the weights fit but nothing is left for the KV cache', () => {
    const p = capacityProblem(getModel('Llama-3.1-8B'), getGpu('L4'), 1, { ...ENGINE, max_num_batched_tokens: 100000 }, TP_VALUES, GPUS)!;
    expect(p.path).toBe('fleet.engine');
    expect(p.problem).toBe(
      "no room for the KV cache on the L4: of 21.6 GB usable, Llama-3.1-8B's weights take 16.1 GB per GPU at tp 1, activations for max_num_batched_tokens 100000 / max_num_seqs 256 9.4 GB, runtime buffers 0.2 GB: 4.0 GB more than there is",
    );
    // tp 2 halves weights (8.0 GB) and the MLP activations: it fits; the A100-40GB (42.5 GB, 38.3 usable) fits at tp 1.
    expect(p.fix).toBe('lower max_num_batched_tokens, max_num_seqs or max_loras, or use tp ≥ 2 (8.0 GB of weights per GPU), or a GPU with more memory (A100-40GB: 42.5 GB)');
  });

  it('is silent when the model fits or the block count is given', () => {
    expect(capacityProblem(getModel('Llama-3.1-8B'), getGpu('H100'), 1, ENGINE, TP_VALUES, GPUS)).toBeNull();
    expect(capacityProblem(getModel('Llama-3.1-70B'), getGpu('L4'), 1, { ...ENGINE, num_gpu_blocks: 100 }, TP_VALUES, GPUS)).toBeNull();
  });
});

describe('runs that cannot finish or measure nothing', () => {
  it('bounds the expected requests of rate × duration at 1e8', () => {
    // 1e6 req/s × 1e7 s = 1e13 requests.
    const text = scenario('gpu: H100, model: Llama-3.1-8B', '  arrival: {rate: 1000000}\n  input: 100\n  output: 10').replace('requests: 20', 'duration_s: 10000000');
    expect(errorOf(() => parseScenario(text, 's.yaml'))).toBe(
      's.yaml: duration_s: 1e6 req/s × duration_s 1e7 = 1e13 expected requests; a run is limited to 1e8 (fix: shorten the run or lower the rate, or set requests: <count> to stop it earlier)',
    );
  });

  it('expected arrivals follow the profile: spikes (overlapping, clipped) and a ladder scaled by a sweep rate', () => {
    const none = { stages: [], spikes: [], diurnal: null };
    // 10 req/s over 100 s = 1000.
    expect(expectedArrivals(10, none, 100)).toBe(1000);
    // Spikes ×3 on [10, 30) and ×2 on [20, 40): 10·(10 + 3·10 + 6·10 + 2·10 + 60) = 10·180 = 1800.
    const spikes = [
      { at_s: 10, duration_s: 20, multiplier: 3 },
      { at_s: 20, duration_s: 20, multiplier: 2 },
    ];
    expect(expectedArrivals(10, { ...none, spikes }, 100)).toBe(1800);
    // duration_s 25 clips them: 10·(10 + 3·10 + 6·5) = 700; without the spikes 250.
    expect(expectedArrivals(10, { ...none, spikes }, 25)).toBe(700);
    expect(expectedArrivals(10, { ...none, spikes }, 25, false)).toBe(250);
    // Ladder 2 req/s × 10 s + 4 req/s × 10 s = 60 (mean 3); at a sweep rate of 6 every stage doubles: 120.
    const ladder = { ...none, stages: [{ rate: 2, duration_s: 10 }, { rate: 4, duration_s: 10 }] };
    expect(expectedArrivals(3, ladder, null)).toBe(60);
    expect(expectedArrivals(6, ladder, null)).toBe(120);
    // duration_s 15 stops the ladder halfway through the second stage: 20 + 4·5 = 40.
    expect(expectedArrivals(3, ladder, 15)).toBe(40);
    // Nothing bounds the time: the run is bounded by requests.
    expect(expectedArrivals(10, none, null)).toBe(0);
  });

  it('counts spikes and sweep points on a ladder against the 1e8 limit', () => {
    // 5e4 req/s × 1000 s = 5e7 passes alone; a ×1000 spike over the whole run makes it 5e10.
    const spiked = scenario('gpu: H100, model: Llama-3.1-8B', '  arrival: {rate: 50000, spikes: [{at_s: 0, duration_s: 1000, multiplier: 1000}]}\n  input: 10\n  output: 2').replace('requests: 20', 'duration_s: 1000');
    expect(errorOf(() => parseScenario(spiked, 's.yaml'))).toBe(
      "s.yaml: workload.arrival.spikes: 50000 req/s × duration_s 1000 with the spikes' multipliers = 5e10 expected requests; a run is limited to 1e8 (fix: lower or shorten the spikes, or set requests: <count> to stop the run earlier)",
    );
    // A ladder of 10 req/s × 1e5 s = 1e6 requests (mean 10); a sweep point at 1e6 req/s scales it by 1e5: 1e11.
    const swept = scenario('gpu: H100, model: Llama-3.1-8B', '  arrival: {stages: [{rate: 10, duration_s: 100000}]}\n  input: 10\n  output: 2').replace('requests: 20\n', '').replace('policies:', 'sweep: {rates: [1000000]}\npolicies:');
    expect(errorOf(() => parseScenario(swept, 's.yaml'))).toMatch(/^s\.yaml: sweep\.rates\[0\]: the stages' Σ rate × duration_s scaled to a mean of 1e6 req\/s = 1e11 expected requests; a run is limited to 1e8/);
    // The same ladder at a sweep rate of 100 (1e7 requests) is fine.
    expect(() => parseScenario(swept.replace('1000000]', '100]'), 's.yaml')).not.toThrow();
  });

  it('bounds the simulated time of requests / rate at 1e7 s', () => {
    // 20 requests at 1e-6 req/s arrive over 20 / 1e-6 = 2e7 s.
    expect(errorOf(() => parseScenario(scenario('gpu: H100, model: Llama-3.1-8B', '  arrival: {rate: 0.000001}\n  input: 100\n  output: 10'), 's.yaml'))).toMatch(/^s\.yaml: workload\.arrival\.rate: at 1e-6 req\/s, 20 requests arrive over ~2e7 s/);
  });

  it('rejects a generated workload whose shortest request vLLM would reject', () => {
    // uniform 131,000–140,000 prompt + 100 output: the shortest is 131,100 > max_model_len 131,072.
    const text = scenario('gpu: H100, model: Llama-3.1-8B', '  arrival: {rate: 10}\n  input: {dist: uniform, min: 131000, max: 140000}\n  output: 100');
    expect(errorOf(() => parseScenario(text, 's.yaml'))).toMatch(/^s\.yaml: workload\.input: every request would be rejected: the shortest is 131100 tokens \(prompt \+ output\), longer than max_model_len 131072/);
    // 130,000 + 100 fits: some are rejected, which is a run with a warning, not an error.
    expect(() => parseScenario(text.replace('min: 131000', 'min: 130000'), 's.yaml')).not.toThrow();
  });

  it('lengthBounds ignores empirical values of weight 0', () => {
    expect(lengthBounds({ kind: 'empirical', values: [5, 100, 7], weights: [0, 1, 2] })).toEqual({ min: 7, max: 100 });
    expect(lengthBounds({ kind: 'normal', mean: 10, std: 1, min: 2, max: 30 })).toEqual({ min: 2, max: 30 });
  });
});

describe('run warnings', () => {
  const sc = parseScenario(scenario('gpu: H100, model: Llama-3.1-8B'), 's.yaml');
  const summary = (s: Partial<PolicySummary>): PolicySummary =>
    ({ arrived: 20, completed: 20, rejected: 0, rejected_by_reason: {}, dropped: 0, dropped_by_reason: {}, all_failed: false, ttft_ms: { p50: 1 }, ...s }) as unknown as PolicySummary;

  it('says nothing about a clean run', () => {
    expect(runWarnings('s.yaml', sc, [{ policy: 'a', summary: summary({}) }])).toEqual([]);
  });

  it('counts requests every replica rejects, once', () => {
    const s = summary({ completed: 17, rejected: 3, rejected_by_reason: { exceeds_max_model_len: 3 } });
    expect(runWarnings('s.yaml', sc, [{ policy: 'a', summary: s }, { policy: 'b', summary: s }])).toEqual([
      'routesim: warning: s.yaml: 3 of 20 requests are rejected by every replica, as vLLM rejects them (HTTP 400): 3 longer than max_model_len 131072 (prompt + output tokens); they are counted in rejected_by_reason',
    ]);
  });

  it('flags a policy whose every request was dropped', () => {
    const dropped = summary({ completed: 0, dropped: 20, dropped_by_reason: { 'no-candidates': 20 }, all_failed: true });
    expect(runWarnings('s.yaml', sc, [{ policy: 'ok', summary: summary({}) }, { policy: 'strict', summary: dropped }])).toEqual([
      'routesim: warning: policy strict: all 20 requests were dropped (dropped: 20 no-candidates); summary.all_failed is true',
    ]);
  });

  it('is an error when no request can run anywhere', () => {
    const s = summary({ completed: 0, rejected: 20, rejected_by_reason: { exceeds_kv_capacity: 20 }, all_failed: true });
    const kvTokens = kvCapacity(getModel('Llama-3.1-8B'), getGpu('H100'), 1, sc.fleet.engine).numGpuBlocks * 16;
    expect(errorOf(() => runWarnings('s.yaml', sc, [{ policy: 'a', summary: s }]))).toBe(
      `s.yaml: workload: every request (20) would be rejected by vLLM (HTTP 400): 20 larger than the whole KV cache of a replica (${kvTokens} tokens) (fix: shorten the prompts or outputs, or use a larger GPU or tp)`,
    );
  });

  it('gives the fix of each rejection reason (LoRA ones name the engine setting)', () => {
    const s = summary({ completed: 0, rejected: 20, rejected_by_reason: { lora_not_enabled: 20 }, all_failed: true });
    expect(errorOf(() => runWarnings('s.yaml', sc, [{ policy: 'a', summary: s }]))).toMatch(/\(fix: set fleet\.engine\.max_loras ≥ 1 /);
    const r = summary({ completed: 0, rejected: 20, rejected_by_reason: { lora_rank_too_large: 20 }, all_failed: true });
    expect(errorOf(() => runWarnings('s.yaml', sc, [{ policy: 'a', summary: r }]))).toMatch(/\(fix: raise fleet\.engine\.max_lora_rank/);
  });

  it('is an error when no request arrives', () => {
    const none = summary({ arrived: 0, completed: 0 });
    expect(errorOf(() => runWarnings('s.yaml', sc, [{ policy: 'a', summary: none }]))).toMatch(/^s\.yaml: workload: no request arrives within the run/);
  });
});
