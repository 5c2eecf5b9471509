/** Scenario loading (schema, defaults, one-line errors) and the hardware catalog. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from '../sim/core/errors.js';
import { getGpu, getModel, gpuNames, modelNames } from '../sim/hardware/catalog.js';
import { loadScenarioFile, parseScenario } from '../sim/scenario/load.js';
import { BLIS_OVERHEADS, LINEAR_DEFAULTS, PHYSICS_DEFAULTS } from '../sim/scenario/schema.js';
import { numGpuBlocks } from '../sim/engine/capacity.js';

const SCENARIOS = fileURLToPath(new URL('../scenarios/', import.meta.url));
const FILE = 'scenarios/test.yaml';

/** A small valid scenario; tests edit it with string replacement. */
const MINIMAL = `
requests: 100
fleet:
  replicas: 2
  gpu: H100
  model: Llama-3.1-8B
workload:
  arrival: {rate: 10}
  input: 512
  output: 128
policies: [round-robin]
`;

/** Parse and return the UserError message (fails the test if parsing succeeds or throws something else). */
function errorOf(text: string): string {
  try {
    parseScenario(text, FILE);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as UserError).message;
  }
  throw new Error('expected a UserError');
}

/** One line, starting with the file and the given path, with a fix. */
function expectOneLine(msg: string, path: string): void {
  expect(msg).not.toContain('\n');
  expect(msg.startsWith(`${FILE}: ${path}: `)).toBe(true);
  expect(msg).toMatch(/\(fix: .+\)$/);
}

describe('scenario files', () => {
  const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'));

  it('finds the shipped scenarios', () => {
    expect(files).toEqual(expect.arrayContaining(['quickstart.yaml', 'high-prefix-reuse.yaml', 'multi-lora.yaml']));
  });

  it.for(files)('%s loads', (f, ctx) => {
    // Trace scenarios replay files from ../shared/data, which a bare clone may not have.
    const trace = /^\s*(?:path|dir|mlp|attention|all_reduce|table):\s*(\S*shared\/data\S*)/m.exec(readFileSync(join(SCENARIOS, f), 'utf8'))?.[1];
    if (trace && !existsSync(join(SCENARIOS, trace))) {
      console.log(`skipping ${f}: its trace ${join(SCENARIOS, trace)} is absent (../shared/data)`);
      ctx.skip();
    }
    const cfg = loadScenarioFile(join(SCENARIOS, f));
    expect(cfg.name).toBe(f.replace(/\.ya?ml$/, ''));
    expect(cfg.policies.length).toBeGreaterThan(0);
  });

  it('quickstart matches its description', () => {
    const cfg = loadScenarioFile(join(SCENARIOS, 'quickstart.yaml'));
    expect(cfg.fleet).toMatchObject({ replicas: 4, gpu: 'H100', model: 'Llama-3.1-8B', tp: 1 });
    expect(cfg.workload.shared_prefix).toEqual({
      num_groups: 256, num_prompts_per_group: 4, system_prompt_len: 4000, question_len: 200,
      enable_multi_turn_chat: false, max_turns: 0,
    });
    expect(cfg.workload.arrival).toMatchObject({ process: 'poisson', rate: 45 });
    expect(cfg.requests).toBe(4500);
    expect(cfg.workload.output).toEqual({ kind: 'normal', mean: 200, std: 60, min: 20, max: 400 });
    expect(cfg.policies.map((p) => p.name)).toEqual(['gaie-default', 'round-robin', 'random', 'load-only']);
    expect(cfg.policies[0]!.epp).toEqual({ kind: 'default' });
    expect(cfg.slo).toEqual({ ttft_ms: 1000, tpot_ms: 60 });
    // "256 × 4000 prefix tokens do not fit in one replica's KV cache but do fit in the fleet's."
    const tokensPerReplica = numGpuBlocks(getModel('Llama-3.1-8B'), getGpu('H100'), 1, cfg.fleet.engine) * cfg.fleet.engine.block_size;
    expect(256 * 4000).toBeGreaterThan(tokensPerReplica);
    expect(256 * 4000).toBeLessThan(4 * tokensPerReplica);
  });

  it('staleness compares the same policies at refresh 0 / 50 / 200 ms on the quickstart load', () => {
    const q = loadScenarioFile(join(SCENARIOS, 'quickstart.yaml'));
    const s = loadScenarioFile(join(SCENARIOS, 'staleness.yaml'));
    expect(s.workload).toEqual(q.workload);
    expect(s.fleet).toEqual(q.fleet);
    expect(s.policies.map((p) => p.refresh_metrics_ms)).toEqual([0, 50, 200, 0, 50, 200]);
  });

  it('multi-lora has 15 adapters split 60/30/10', () => {
    const cfg = loadScenarioFile(join(SCENARIOS, 'multi-lora.yaml'));
    const w = cfg.workload.adapters.map((a) => a.weight);
    expect(w).toHaveLength(15);
    const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
    expect([sum(w.slice(0, 5)), sum(w.slice(5, 10)), sum(w.slice(10))].map((x) => x / sum(w))).toEqual([0.6, 0.3, 0.1]);
    expect(cfg.fleet.engine).toMatchObject({ max_loras: 3, max_cpu_loras: 8 });
    expect(cfg.workload.adapters[0]).toEqual({ name: 'adapter-01', weight: 12, rank: 16 });
    // It compares at least one LoRA-aware EPP configuration against the adapter-blind ones.
    const loraAware = cfg.policies.filter((p) => p.epp?.kind === 'file' && /lora-affinity/.test(p.epp.text));
    expect(loraAware.map((p) => p.name)).toEqual(['lora-aware', 'legacy-v0.5']);
  });

  it('high-prefix-reuse includes the EPP default beside the prefix-blind baselines', () => {
    const cfg = loadScenarioFile(join(SCENARIOS, 'high-prefix-reuse.yaml'));
    expect(cfg.policies.map((p) => p.epp?.kind ?? p.type)).toEqual(['round-robin', 'random', 'least-requests', 'default']);
  });
});

describe('defaults', () => {
  const cfg = parseScenario(MINIMAL, 'dir/my-run.yaml');

  it('top level', () => {
    expect(cfg.name).toBe('my-run');
    expect(cfg.description).toBe('');
    expect(cfg.seed).toBe(42);
    expect(cfg.requests).toBe(100);
    expect(cfg.duration_s).toBeNull();
    expect(cfg.slo).toEqual({ ttft_ms: null, tpot_ms: null });
    expect(cfg.gateway).toEqual({ refresh_metrics_ms: 50, chars_per_token: 4, kv_events_delay_ms: 10, model_rewrites: [] });
    expect(cfg.lora_load).toEqual({ base_us: 1500, host_gbps: 25, disk_gbps: 2 });
  });

  it('engine', () => {
    expect(cfg.fleet.tp).toBe(1);
    expect(cfg.fleet.engine).toEqual({
      max_num_seqs: 256, max_num_batched_tokens: 2048, long_prefill_token_threshold: 0, block_size: 16,
      gpu_memory_utilization: 0.9, num_gpu_blocks: null, enable_prefix_caching: true, max_loras: 0,
      max_cpu_loras: 0, max_lora_rank: 16, scheduling: 'fcfs', max_model_len: null,
    });
  });

  it('max_cpu_loras follows max_loras', () => {
    const c = parseScenario(MINIMAL.replace('  model: Llama-3.1-8B', '  model: Llama-3.1-8B\n  engine: {max_loras: 4}'), FILE);
    expect(c.fleet.engine.max_cpu_loras).toBe(4);
  });

  it('step time: physics with BLIS coefficients and overheads', () => {
    expect(cfg.step_time.model).toBe('physics');
    expect(cfg.step_time.coefficients).toEqual(PHYSICS_DEFAULTS);
    expect(cfg.step_time.coefficients).toMatchObject({ beta2b: 1.94710771, beta7_us_per_step: 126.02 });
    expect(cfg.step_time.overheads).toEqual({ alpha0_us: 15563.2, alpha1_us: 777.3, alpha2_us: 45.9 });
  });

  it('step time overrides', () => {
    const linear = parseScenario(`${MINIMAL}step_time: {model: linear, coefficients: {beta0_us: 5000}, overheads: false}\n`, FILE);
    expect(linear.step_time).toEqual({
      model: 'linear',
      coefficients: { ...LINEAR_DEFAULTS, beta0_us: 5000 },
      overheads: { alpha0_us: 0, alpha1_us: 0, alpha2_us: 0 },
    });
    const partial = parseScenario(`${MINIMAL}step_time: {overheads: {alpha0_us: 1000}}\n`, FILE);
    expect(partial.step_time.overheads).toEqual({ ...BLIS_OVERHEADS, alpha0_us: 1000 });
  });

  it('workload', () => {
    expect(cfg.workload.arrival).toEqual({ process: 'poisson', rate: 10, cv: 1 });
    expect(cfg.workload.input).toEqual({ kind: 'constant', value: 512 });
    expect(cfg.workload.output).toEqual({ kind: 'constant', value: 128 });
    expect(cfg.workload.shared_prefix).toBeUndefined();
    expect(cfg.workload.adapters).toEqual([]);
    expect(cfg.workload.base_model_weight).toBe(0);
    expect(cfg.workload.priorities).toEqual([]);
  });

  it('length distributions: min defaults to 1, max to round(mean + 10·std)', () => {
    const c = parseScenario(MINIMAL.replace('input: 512', 'input: {dist: lognormal, mean: 300.4, std: 50}'), FILE);
    expect(c.workload.input).toEqual({ kind: 'lognormal', mean: 300.4, std: 50, min: 1, max: 800 });
    const e = parseScenario(MINIMAL.replace('output: 128', 'output: {dist: empirical, values: [10, 20], weights: [3, 1]}'), FILE);
    expect(e.workload.output).toEqual({ kind: 'empirical', values: [10, 20], weights: [3, 1] });
  });

  it('policies: bare strings and named entries', () => {
    const c = parseScenario(MINIMAL.replace('policies: [round-robin]', 'policies: [random, {name: lr, type: least-requests}]'), FILE);
    expect(c.policies).toEqual([{ name: 'random', type: 'random' }, { name: 'lr', type: 'least-requests' }]);
  });
});

describe('errors are one line naming file, path and fix', () => {
  // [case, edited scenario text, dotted path the message names, texts the message contains]
  const cases: [string, string, string, string[]][] = [
    ['unknown top-level key', `${MINIMAL}seeed: 1\n`, 'seeed', ['did you mean "seed"', 'workload']],
    ['unknown nested key lists the allowed keys', MINIMAL.replace('  model: Llama-3.1-8B', '  model: Llama-3.1-8B\n  engine: {max_num_seq: 8}'), 'fleet.engine.max_num_seq', ['did you mean "max_num_seqs"', 'max_num_batched_tokens']],
    ['wrong type', MINIMAL.replace('replicas: 2', 'replicas: two'), 'fleet.replicas', ['"two"']],
    ['non-integer count', MINIMAL.replace('replicas: 2', 'replicas: 2.5'), 'fleet.replicas', []],
    ['negative rate', MINIMAL.replace('rate: 10', 'rate: -5'), 'workload.arrival.rate', ['between 1e-6 and 1e6 req/s', 'got -5']],
    ['unknown gpu lists the catalog', MINIMAL.replace('gpu: H100', 'gpu: B300'), 'fleet.gpu', gpuNames()],
    ['unknown model lists the catalog', MINIMAL.replace('model: Llama-3.1-8B', 'model: Llama-4'), 'fleet.model', modelNames()],
    ['adapters while max_loras is 0', MINIMAL.replace('  output: 128', '  output: 128\n  adapters: [{name: a, weight: 1}]'), 'fleet.engine.max_loras', ['set max_loras ≥ 1']],
    ['neither requests nor duration_s', MINIMAL.replace('requests: 100', ''), 'requests', ['duration_s']],
    ['duplicate policy names', MINIMAL.replace('policies: [round-robin]', 'policies: [random, {name: random, type: least-requests}]'), 'policies[1]', ['"random"']],
    ['unknown policy type', MINIMAL.replace('policies: [round-robin]', 'policies: [round-robin, randm]'), 'policies[1]', ['did you mean "random"']],
    ["length: unknown dist", MINIMAL.replace('output: 128', 'output: {dist: gaussian, mean: 1}'), 'workload.output.dist', []],
    ["length: misspelt key", MINIMAL.replace('output: 128', 'output: {dist: normal, mean: 100, sd: 3}'), 'workload.output.sd', []],
    ["length: min > max", MINIMAL.replace('output: 128', 'output: {dist: uniform, min: 10, max: 5}'), 'workload.output.max', []],
    ["length: negative constant", MINIMAL.replace('output: 128', 'output: -1'), 'workload.output', []],
    ["length: weights shorter than values", MINIMAL.replace('output: 128', 'output: {dist: empirical, values: [1, 2], weights: [1]}'), 'workload.output.weights', []],
    ["max_cpu_loras below max_loras", MINIMAL.replace('  model: Llama-3.1-8B', '  model: Llama-3.1-8B\n  engine: {max_loras: 4, max_cpu_loras: 2}'), 'fleet.engine.max_cpu_loras', []],
    ["tp not dividing the heads", MINIMAL.replace('  model: Llama-3.1-8B', '  model: Qwen2.5-7B\n  tp: 8'), 'fleet.tp', []],
    ["max_model_len above the model's", MINIMAL.replace('  model: Llama-3.1-8B', '  model: Llama-2-7B\n  engine: {max_model_len: 8192}'), 'fleet.engine.max_model_len', []],
    ["input beside shared_prefix", MINIMAL.replace('input: 512', 'input: 512\n  shared_prefix: {num_groups: 1, num_prompts_per_group: 1, system_prompt_len: 10, question_len: 10}'), 'workload.input', []],
    ["neither input nor shared_prefix", MINIMAL.replace('  input: 512\n', ''), 'workload.input', []],
    ["cv without gamma", MINIMAL.replace('{rate: 10}', '{rate: 10, cv: 3}'), 'workload.arrival.cv', []],
  ];

  it.each(cases)('%s', (_case, text, path, contains) => {
    const msg = errorOf(text);
    expectOneLine(msg, path);
    for (const c of contains) expect(msg).toContain(c);
  });

  it('bad YAML syntax reports line and column', () => {
    const msg = errorOf('fleet:\n  replicas: 2\n   gpu: [H100\n');
    expect(msg).not.toContain('\n');
    expect(msg).toMatch(/^scenarios\/test\.yaml:\d+:\d+: YAML syntax error: .+ \(fix: .+\)$/);
  });

  it('duplicate YAML keys', () => {
    expect(errorOf(MINIMAL.replace('requests: 100', 'requests: 100\nrequests: 200'))).toMatch(/^scenarios\/test\.yaml:3:1: .*unique.*\(fix: /);
  });

  it('a non-mapping file', () => {
    const msg = errorOf('');
    expect(msg).not.toContain('\n');
    expect(msg).toMatch(/^scenarios\/test\.yaml: .*mapping.*\(fix: /);
  });

  it('a missing file', () => {
    expect(() => loadScenarioFile(join(SCENARIOS, 'no-such-file.yaml'))).toThrow(UserError);
  });
});

describe('hardware catalog', () => {
  it('looks up GPUs', () => {
    expect(getGpu('H100')).toEqual({
      name: 'H100', bf16_flops: 989.5e12, hbm_bandwidth: 3.35e12, memory_bytes: 85.05e9, interconnect_bandwidth: 450e9,
      link: 'nvlink', allreduce_busbw: 345e9, allreduce_latency_us: 5,
    });
    expect(getGpu('A100-80GB').bf16_flops).toBe(312e12);
    expect(gpuNames()).toEqual(['H100', 'H200', 'A100-80GB', 'L40S', 'L4', 'RTX4090', 'H100-PCIe', 'A100-40GB', 'B200', 'RTXPRO6000', 'MI300X', 'MI325X']);
  });

  it('looks up models', () => {
    expect(getModel('Mixtral-8x7B')).toMatchObject({ experts: 8, experts_top_k: 2, vocab: 32000 });
    expect(getModel('Qwen3-30B-A3B')).toMatchObject({ experts: 128, experts_top_k: 8, ffn: 768 });
    expect(getModel('Llama-2-7B')).toMatchObject({ kv_heads: 32, max_model_len: 4096 });
    expect(modelNames()).toHaveLength(9);
  });

  it('unknown names throw a UserError listing the known ones', () => {
    expect(() => getGpu('B300')).toThrow(UserError);
    expect(() => getGpu('B300')).toThrow(/H100.*RTX4090/);
    expect(() => getModel('GPT-5')).toThrow(/Llama-3\.1-8B.*Qwen3-30B-A3B/);
  });

  it('catalog JSON is shipped with the sources', () => {
    const here = fileURLToPath(new URL('../sim/hardware/', import.meta.url));
    expect(Object.keys(JSON.parse(readFileSync(join(here, 'gpus.json'), 'utf8')) as object)).toEqual(gpuNames());
  });
});
