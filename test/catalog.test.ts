/**
 * Catalog (issue 12): the GPUs added from calibration.md §7, the Hugging Face config.json reader
 * (sim/hardware/hfConfig.ts, calibration.md §2) and `model: <path>.json` in a scenario
 * (sim/hardware/modelFiles.ts). Existing catalog entries must keep their numbers.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getGpu, getModel } from '../sim/hardware/catalog.js';
import { hfParameterCounts, loadHfConfig, parseHfConfig } from '../sim/hardware/hfConfig.js';
import { kvBytesPerBlockPerGpu, parameterCount, weightBytes } from '../sim/engine/modelMath.js';
import { kvCapacity } from '../sim/engine/capacity.js';
import { DEFAULT_ENGINE } from '../sim/scenario/schema.js';
import { parseScenario } from '../sim/scenario/load.js';
import { UserError } from '../sim/core/errors.js';
import { runPolicy } from '../sim/simulation.js';

const CONFIGS = resolve(import.meta.dirname, '../sim/hardware/configs');

/**
 * Published parameter counts (billions) and where they come from; `active` where the publisher
 * gives one. Every shipped config must appear here.
 */
const PUBLISHED: Record<string, { total: number; active?: number; source: string }> = {
  'Llama-2-7B': { total: 6.74, source: 'HF meta-llama/Llama-2-7b-hf safetensors: 6.74B params' },
  'Llama-2-13B': { total: 13.0, source: 'HF meta-llama/Llama-2-13b-hf safetensors: 13B params' },
  'Llama-2-70B': { total: 69.0, source: 'HF meta-llama/Llama-2-70b-hf safetensors: 69B params' },
  'Llama-3-8B': { total: 8.03, source: 'HF meta-llama/Meta-Llama-3-8B safetensors: 8.03B params' },
  'Llama-3-70B': { total: 70.6, source: 'HF meta-llama/Meta-Llama-3-70B safetensors: 70.6B params' },
  'Llama-3.1-8B': { total: 8.03, source: 'HF meta-llama/Llama-3.1-8B safetensors: 8.03B params' },
  'Llama-3.1-70B': { total: 70.6, source: 'HF meta-llama/Llama-3.1-70B safetensors: 70.6B params' },
  'Llama-3.1-405B': { total: 405, source: 'Llama 3.1 model card: 405B' },
  'Llama-3.2-1B': { total: 1.24, source: 'HF meta-llama/Llama-3.2-1B safetensors: 1.24B params (card: 1.23B)' },
  'Llama-3.2-3B': { total: 3.21, source: 'HF meta-llama/Llama-3.2-3B safetensors: 3.21B params' },
  'Llama-3.3-70B': { total: 70.6, source: 'HF meta-llama/Llama-3.3-70B-Instruct safetensors: 70.6B params' },
  'CodeLlama-34B': { total: 33.7, source: 'HF codellama/CodeLlama-34b-hf safetensors: 33.7B params' },
  'Yi-34B': { total: 34.4, source: 'HF 01-ai/Yi-34B safetensors: 34.4B params' },
  'Mistral-Nemo-12B': { total: 12.2, source: 'HF mistralai/Mistral-Nemo-Base-2407 safetensors: 12.2B params' },
  'Qwen3-0.6B': { total: 0.6, source: 'Qwen/Qwen3-0.6B model card: 0.6B' },
  'Qwen3-1.7B': { total: 1.7, source: 'Qwen/Qwen3-1.7B model card: 1.7B' },
  'Qwen3-4B': { total: 4.0, source: 'Qwen/Qwen3-4B model card: 4.0B' },
  'Qwen3-8B': { total: 8.2, source: 'Qwen/Qwen3-8B model card: 8.2B' },
  'Qwen3-14B': { total: 14.8, source: 'Qwen/Qwen3-14B model card: 14.8B' },
  'Qwen3-32B': { total: 32.8, source: 'Qwen/Qwen3-32B model card: 32.8B' },
  'Qwen3-30B-A3B': { total: 30.5, active: 3.3, source: 'Qwen/Qwen3-30B-A3B model card: 30.5B total, 3.3B activated' },
  'Qwen3-235B-A22B': { total: 235, active: 22, source: 'Qwen/Qwen3-235B-A22B model card: 235B total, 22B activated' },
  'Mixtral-8x7B': { total: 46.7, active: 12.9, source: 'Mistral AI, "Mixtral of experts" (2024): 46.7B total, 12.9B active' },
  'Mixtral-8x22B': { total: 141, active: 39, source: 'Mistral AI, Mixtral 8x22B announcement: 141B total, 39B active' },
  'DeepSeek-V3': { total: 671, active: 37, source: 'DeepSeek-V3 technical report: 671B total (685B on HF includes the 14B MTP module), 37B activated' },
  // OpenAI counts the unembedding but not the embedding table as active: compared as active − V·d.
  'gpt-oss-20b': { total: 20.91, active: 3.61, source: 'OpenAI gpt-oss model card, table 1: 20.91B total, 3.61B active' },
  'gpt-oss-120b': { total: 116.83, active: 5.13, source: 'OpenAI gpt-oss model card, table 1: 116.83B total, 5.13B active' },
  // 109B includes the vision encoder; the config's text_config alone is ≈ 107.8B (−1.1 %).
  'Llama-4-Scout-17B-16E': { total: 109, active: 17, source: 'meta-llama/Llama-4-Scout-17B-16E model card: 109B total, 17B activated' },
  'Llama-4-Maverick-17B-128E': { total: 400, active: 17, source: 'meta-llama/Llama-4-Maverick-17B-128E model card: 400B total, 17B activated' },
};

const shipped = readdirSync(CONFIGS).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();

describe('shipped config.json files', () => {
  it('every shipped config has a published count and every listed model is shipped', () => {
    expect(shipped).toEqual(Object.keys(PUBLISHED).sort());
  });

  it.each(shipped)('%s: model-math parameter count within ±2 % of the published count', (name) => {
    const m = loadHfConfig(join(CONFIGS, `${name}.json`));
    const pub = PUBLISHED[name]!;
    expect(m.name).toBe(name);
    expect(m.source).toContain('/'); // the HF model id from `_source`
    expect(Math.abs(parameterCount(m) / (pub.total * 1e9) - 1)).toBeLessThanOrEqual(0.02);
    if (pub.active !== undefined) {
      const active = m.active_parameter_count! - (name.startsWith('gpt-oss') ? m.vocab * m.hidden : 0);
      expect(Math.abs(active / (pub.active * 1e9) - 1)).toBeLessThanOrEqual(0.02);
    } else {
      expect(m.active_parameter_count).toBe(m.parameter_count); // dense
    }
  });

  it('Llama-3.1-8B: exact count by hand', () => {
    // per layer: attention d·(q+2kv) + q·d = 4096·(4096+2·1024) + 4096·4096 = 41,943,040
    //            MLP 3·4096·14336 = 176,160,768; norms 2·4096 = 8,192 → 218,112,000
    // 32 layers = 6,979,584,000; embeddings + LM head 2·128256·4096 = 1,050,673,152; final norm 4,096
    // total 8,030,261,248 (the safetensors count of meta-llama/Llama-3.1-8B)
    expect(parameterCount(loadHfConfig(join(CONFIGS, 'Llama-3.1-8B.json')))).toBe(8_030_261_248);
  });

  it('Qwen3-32B: attention uses h·d_h = 8192, not hidden 5120 (§2.2, §6.2)', () => {
    const raw = { model_type: 'qwen3', hidden_size: 5120, intermediate_size: 25600, num_hidden_layers: 1, num_attention_heads: 64, num_key_value_heads: 8, head_dim: 128, vocab_size: 1, tie_word_embeddings: true };
    // one layer: attention 5120·(8192 + 2·1024) + 8192·5120 = 94,371,840, q/k norms 2·128 = 256,
    // MLP 3·5120·25600 = 393,216,000, norms 10,240; embeddings 1·5120 (tied); final norm 5,120
    expect(hfParameterCounts(raw, 'x.json').total).toBe(94_371_840 + 256 + 393_216_000 + 10_240 + 5_120 + 5_120);
  });

  it('KV bytes per 16-token block as in §2.6 (MLA latent not divided by TP)', () => {
    const kv = (n: string, tp = 1) => kvBytesPerBlockPerGpu(loadHfConfig(join(CONFIGS, `${n}.json`)), 16, tp);
    expect(kv('Llama-3.1-8B')).toBe(2 * 2 ** 20); // 16·2·32·8·128·2
    expect(kv('Llama-3.1-70B')).toBe(5 * 2 ** 20); // 16·2·80·8·128·2
    expect(kv('Qwen3-32B')).toBe(4 * 2 ** 20); // 16·2·64·8·128·2
    expect(kv('Qwen3-30B-A3B')).toBe(1.5 * 2 ** 20); // 16·2·48·4·128·2
    expect(kv('Llama-4-Scout-17B-16E')).toBe(3 * 2 ** 20); // 16·2·48·8·128·2
    expect(kv('DeepSeek-V3')).toBe(16 * 61 * (512 + 64) * 2); // 1,124,352 B ≈ 1.07 MiB
    expect(kv('DeepSeek-V3', 8)).toBe(kv('DeepSeek-V3', 1));
    expect(kv('Llama-3.1-8B', 4)).toBe(kv('Llama-3.1-8B', 1) / 4);
  });

  it('MoE layer census: DeepSeek dense prefix, Llama-4 interleave, shared experts', () => {
    const ds = loadHfConfig(join(CONFIGS, 'DeepSeek-V3.json'));
    expect([ds.moe_layers, ds.dense_ffn, ds.shared_ffn, ds.experts, ds.experts_top_k]).toEqual([58, 18432, 2048, 256, 8]); // 61 − first_k_dense_replace 3
    const scout = loadHfConfig(join(CONFIGS, 'Llama-4-Scout-17B-16E.json'));
    expect([scout.moe_layers, scout.dense_ffn, scout.shared_ffn]).toEqual([48, undefined, 8192]);
    const mav = loadHfConfig(join(CONFIGS, 'Llama-4-Maverick-17B-128E.json'));
    expect([mav.moe_layers, mav.dense_ffn, mav.shared_ffn]).toEqual([24, 16384, 8192]); // (i+1) mod 2 = 0
    const mix = loadHfConfig(join(CONFIGS, 'Mixtral-8x7B.json'));
    expect([mix.moe_layers, mix.ffn, mix.shared_ffn]).toEqual([32, 14336, undefined]);
  });

  it('weight bytes: bf16 = 2·params; FP8 DeepSeek ≈ 1 byte; MXFP4 gpt-oss experts 4.25 bits', () => {
    const l = loadHfConfig(join(CONFIGS, 'Llama-3.1-8B.json'));
    expect(weightBytes(l)).toBe(2 * 8_030_261_248);
    const ds = loadHfConfig(join(CONFIGS, 'DeepSeek-V3.json'));
    const emb = 2 * 129280 * 7168; // embeddings + LM head stay bf16
    expect(weightBytes(ds)).toBe(ds.parameter_count! - emb + 2 * emb);
    const g = loadHfConfig(join(CONFIGS, 'gpt-oss-120b.json'));
    // experts: 36 layers · 128 · (3·2880·2880 + biases 2·2880 + 2880) = 114,714,132,480 at 0.53125 B
    const experts = 36 * 128 * (3 * 2880 * 2880 + 3 * 2880);
    expect(weightBytes(g)).toBe(experts * 0.53125 + (g.parameter_count! - experts) * 2);
    expect(weightBytes(g) / 1e9).toBeCloseTo(65.2, 0); // the published checkpoint is ≈ 65 GB
  });
});

describe('parseHfConfig properties', () => {
  const dense = fc.record({
    h: fc.integer({ min: 1, max: 64 }),
    group: fc.integer({ min: 1, max: 8 }),
    dH: fc.integer({ min: 1, max: 256 }),
    L: fc.integer({ min: 1, max: 100 }),
    ff: fc.integer({ min: 1, max: 50000 }),
    V: fc.integer({ min: 1, max: 300000 }),
    tie: fc.boolean(),
  });

  it('with h·d_h = hidden and no head_dim, the config count = the catalog formula + norms (2d per layer + d)', () => {
    fc.assert(
      fc.property(dense, ({ h, group, dH, L, ff, V, tie }) => {
        const d = h * dH;
        const hKv = Math.max(1, Math.floor(h / group));
        if (h % hKv !== 0) return;
        const raw = { hidden_size: d, intermediate_size: ff, num_hidden_layers: L, num_attention_heads: h, num_key_value_heads: hKv, vocab_size: V, tie_word_embeddings: tie };
        const m = parseHfConfig(raw, 'p.json', 'p');
        const { parameter_count: _p, active_parameter_count: _a, source: _s, ...legacy } = m;
        expect(parameterCount(m)).toBe(parameterCount(legacy) + 2 * d * L + d);
        expect(kvBytesPerBlockPerGpu(m, 16, 1)).toBe(kvBytesPerBlockPerGpu(legacy, 16, 1));
      }),
    );
  });

  it('MoE: active ≤ total, equal iff every expert is picked; more experts → more parameters', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 8 }), (E, k0, step) => {
        const k = Math.min(E, k0);
        const base = { model_type: 'qwen3_moe', hidden_size: 64, intermediate_size: 128, moe_intermediate_size: 32, num_hidden_layers: 8, num_attention_heads: 4, vocab_size: 100, decoder_sparse_step: step };
        const a = hfParameterCounts({ ...base, num_experts: E, num_experts_per_tok: k }, 'q.json');
        const b = hfParameterCounts({ ...base, num_experts: E + 1, num_experts_per_tok: k }, 'q.json');
        expect(a.active).toBeLessThanOrEqual(a.total);
        expect(a.active === a.total).toBe(k === E);
        expect(b.total).toBeGreaterThan(a.total);
        expect(b.total - a.total).toBe(Math.floor(8 / step) * (3 * 64 * 32 + 64)); // one expert + one router row per MoE layer
      }),
    );
  });

  it('Qwen3-MoE census: mlp_only_layers and decoder_sparse_step', () => {
    const raw = { model_type: 'qwen3_moe', hidden_size: 8, intermediate_size: 16, moe_intermediate_size: 4, num_hidden_layers: 6, num_attention_heads: 2, vocab_size: 10, num_experts: 4, num_experts_per_tok: 2, decoder_sparse_step: 2, mlp_only_layers: [3] };
    // layers 1, 3, 5 satisfy (i+1) mod 2 = 0; 3 is listed as MLP-only → MoE layers 1 and 5
    const m = parseHfConfig(raw, 'q.json', 'q');
    expect([m.moe_layers, m.dense_ffn, m.ffn]).toEqual([2, 16, 4]);
  });
});

describe('bad config.json: one line naming the file and the field', () => {
  const base = { hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, vocab_size: 100 };
  const cases: [string, unknown, RegExp][] = [
    ['missing field', { ...base, hidden_size: undefined }, /^bad\.json: hidden_size: missing \(fix: /],
    ['not an integer', { ...base, num_hidden_layers: 2.5 }, /^bad\.json: num_hidden_layers: expected an integer ≥ 1, got 2\.5/],
    ['a string', { ...base, vocab_size: '100' }, /^bad\.json: vocab_size: expected an integer/],
    ['kv heads not dividing heads', { ...base, num_key_value_heads: 3 }, /^bad\.json: num_key_value_heads: 3 does not divide/],
    ['experts without top-k', { ...base, num_local_experts: 8 }, /^bad\.json: num_experts_per_tok: missing/],
    ['top-k above experts', { ...base, num_local_experts: 2, num_experts_per_tok: 3 }, /^bad\.json: num_experts_per_tok: 3 is more than/],
    ['hidden not divisible by heads, no head_dim', { ...base, num_attention_heads: 3 }, /^bad\.json: head_dim: missing/],
    ['text_config field', { text_config: { ...base, vocab_size: -1 } }, /^bad\.json: text_config\.vocab_size: expected an integer/],
    ['MLA without rope dim', { ...base, kv_lora_rank: 512 }, /^bad\.json: qk_nope_head_dim: missing/],
    ['not an object', [1, 2], /^bad\.json: not a JSON object/],
  ];
  it.each(cases)('%s', (_what, raw, re) => {
    let err: unknown;
    try {
      parseHfConfig(raw, 'bad.json', 'bad');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    const msg = (err as Error).message;
    expect(msg).toMatch(re);
    expect(msg).not.toContain('\n');
  });

  it('invalid JSON names the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cat-'));
    writeFileSync(join(dir, 'broken.json'), '{"hidden_size": 4096,');
    expect(() => loadHfConfig(join(dir, 'broken.json'))).toThrow(/broken\.json: not valid JSON \(.*\) \(fix: /);
  });
});

describe('model: <path>.json in a scenario', () => {
  const scenario = (model: string) => `name: s
seed: 1
requests: 20
fleet: {replicas: 2, gpu: H100, model: ${model}}
workload:
  arrival: {process: poisson, rate: 10}
  input: {dist: constant, value: 100}
  output: {dist: constant, value: 10}
policies: [round-robin]
`;

  it('resolves relative to the scenario file, registers the model under the path as written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cat-'));
    const cfg = { _source: 'test/tiny', hidden_size: 1024, intermediate_size: 4096, num_hidden_layers: 4, num_attention_heads: 8, num_key_value_heads: 2, vocab_size: 1000, max_position_embeddings: 2048 };
    writeFileSync(join(dir, 'tiny.json'), JSON.stringify(cfg));
    const s = parseScenario(scenario('tiny.json'), join(dir, 'scenario.yaml'));
    expect(s.fleet.model).toBe('tiny.json');
    const m = getModel('tiny.json');
    // per layer 1024·(1024+2·256) + 1024·1024 + 3·1024·4096 + 2·1024 = 15,206,400; ×4 = 60,825,600
    // + embeddings and LM head 2·1000·1024 = 2,048,000 + final norm 1,024 → 62,874,624
    expect(parameterCount(m)).toBe(62_874_624);
    expect([m.max_model_len, m.kv_heads, m.head_dim]).toEqual([2048, 2, 128]);
  });

  it('falls back to the routesim package (shipped configs) and sizes the KV cache from it', () => {
    const s = parseScenario(scenario('sim/hardware/configs/Qwen3-8B.json'), join(tmpdir(), 'elsewhere.yaml'));
    const m = getModel(s.fleet.model);
    expect(m.parameter_count).toBe(loadHfConfig(join(CONFIGS, 'Qwen3-8B.json')).parameter_count);
    expect(kvCapacity(m, getGpu('H100'), 1, { ...DEFAULT_ENGINE, max_cpu_loras: 0 }).numGpuBlocks).toBeGreaterThan(0);
  });

  it('runs end to end: DeepSeek-V3 (MLA, FP8) on 2 × 8 B200, every request completes', () => {
    const text = scenario('sim/hardware/configs/DeepSeek-V3.json').replace('gpu: H100,', 'gpu: B200, tp: 8,');
    const s = parseScenario(text, join(tmpdir(), 'ds.yaml'));
    const out = runPolicy(s, s.policies[0]!);
    expect(out.records.map((r) => r.outcome)).toEqual(Array.from({ length: 20 }, () => 'completed'));
    // KV per GPU: 191.3e9·0.9 usable − 672.9e9/8 weights − activations − buffers, in 1,124,352-byte blocks
    const m = getModel(s.fleet.model);
    const c = kvCapacity(m, getGpu('B200'), 8, { ...DEFAULT_ENGINE, max_cpu_loras: 0 });
    expect(c.kvBytesPerBlock).toBe(1_124_352);
    expect(c.weightBytesPerGpu).toBe(weightBytes(m) / 8);
    expect(c.numGpuBlocks).toBeGreaterThan(70_000);
  });

  it('pools: each pool may name a config.json; a bad one is reported at pools[i].model', () => {
    const pools = (b: string) => `name: p
seed: 1
requests: 20
pools:
  - {name: a, model: Llama-3.1-8B, gpu: H100, replicas: 1, picker: round-robin}
  - {name: b, model: ${b}, gpu: H100, replicas: 1, picker: round-robin}
routes:
  - rules: [{backendRefs: [{name: a}, {name: b}]}]
workload:
  arrival: {process: poisson, rate: 10}
  input: {dist: constant, value: 100}
  output: {dist: constant, value: 10}
`;
    const s = parseScenario(pools('sim/hardware/configs/Qwen3-30B-A3B.json'), join(tmpdir(), 'p.yaml'));
    expect(s.pools!.map((p) => p.model)).toEqual(['Llama-3.1-8B', 'sim/hardware/configs/Qwen3-30B-A3B.json']);
    expect(getModel(s.pools![1]!.model).experts).toBe(128);
    expect(() => parseScenario(pools('missing.json'), join(tmpdir(), 'p.yaml'))).toThrow(/p\.yaml: pools\[1\]\.model: model config file "missing\.json" not found/);
  });

  it('a missing file is one line naming the scenario field', () => {
    expect(() => parseScenario(scenario('nope.json'), join(tmpdir(), 's.yaml'))).toThrow(/s\.yaml: fleet\.model: model config file "nope\.json" not found/);
  });

  it('a bad config is one line naming the config file and its field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cat-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ hidden_size: 64 }));
    expect(() => parseScenario(scenario('bad.json'), join(dir, 's.yaml'))).toThrow(/bad\.json: num_hidden_layers: missing/);
  });

  it('an unknown name that is not a .json path still lists the catalog and mentions config files', () => {
    expect(() => parseScenario(scenario('Llama-9'), join(tmpdir(), 's.yaml'))).toThrow(/unknown model "Llama-9".*config\.json/);
  });
});

describe('catalog', () => {
  it('existing entries keep the old formula (no config fields, same hand-derived numbers)', () => {
    const m = getModel('Llama-3.1-8B');
    expect(m.parameter_count).toBeUndefined();
    // per layer 2·4096² + 2·4096·1024 + 3·4096·14336 = 218,103,808; ×32 = 6,979,321,856
    // + 2·128256·4096 = 1,050,673,152 → 8,029,995,008
    expect(parameterCount(m)).toBe(8_029_995_008);
    expect(kvBytesPerBlockPerGpu(m, 16, 1)).toBe(2 * 2 ** 20);
    // Issue 12 adds the collective fields (catalog.ts GPU_LINK_SOURCES): NVLink, Vidur DGX busbw 345 GB/s, 5 µs per call.
    expect(getGpu('H100')).toEqual({ name: 'H100', bf16_flops: 989.5e12, hbm_bandwidth: 3.35e12, memory_bytes: 85.05e9, interconnect_bandwidth: 450e9, link: 'nvlink', allreduce_busbw: 345e9, allreduce_latency_us: 5 });
  });

  it.each([
    // name, BF16 dense FLOP/s, bandwidth B/s, datasheet GB, interconnect B/s (half the bidirectional total)
    ['H100-PCIe', 756e12, 2.0e12, 80, 64e9], // PCIe5 x16 128 GB/s (NVLink bridge pairs only)
    ['A100-40GB', 312e12, 1.555e12, 40, 300e9], // NVLink3 600 GB/s
    ['B200', 2250e12, 8.0e12, 180, 900e9], // NVLink5 1.8 TB/s
    ['RTXPRO6000', 504e12, 1.597e12, 96, 64e9], // ≈504 derived: 4 PFLOPS FP4 sparse ÷ 8; PCIe5, no NVLink
    ['MI300X', 1307.4e12, 5.3e12, 192, 448e9], // Infinity Fabric 896 GB/s
    ['MI325X', 1307.4e12, 6.0e12, 256, 448e9],
  ] as const)('%s as in calibration.md §7', (name, flops, bw, gb, link) => {
    const g = getGpu(name);
    expect([g.bf16_flops, g.hbm_bandwidth, g.interconnect_bandwidth]).toEqual([flops, bw, link]);
    // memory: N GiB less 1 % (the rule that reproduces H100's 85.05e9 from 80 GB), to 4 digits
    expect(g.memory_bytes / (gb * 2 ** 30 * 0.99)).toBeCloseTo(1, 3);
  });

  it('H100 memory rule check: 80 GiB less 1 % = 85.04e9 ≈ the existing 85.05e9', () => {
    expect(getGpu('H100').memory_bytes / (80 * 2 ** 30 * 0.99)).toBeCloseTo(1, 3);
  });
});
