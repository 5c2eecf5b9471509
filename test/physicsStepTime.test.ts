/**
 * The physics step time in BLIS's fitted basis (issue 12; ../shared/reference/calibration.md §2.2–2.3,
 * §2.7, §6.1–6.3, §6.7): head_dim projections, β8 only for interleaved MoE, the TP all-reduce in the
 * fitted H100-HBM unit scaled by the link, expert parallelism, monotonicity, and the scenario fields.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getGpu, getModel } from '../sim/hardware/catalog.js';
import { loadHfConfig } from '../sim/hardware/hfConfig.js';
import type { ModelSpec } from '../sim/hardware/types.js';
import { PhysicsStepTime, PHYSICS_TERMS } from '../sim/engine/stepTime/physics.js';
import { attentionProjectionParams, physicsCensus, weightBytesRead } from '../sim/engine/stepTime/physics/census.js';
import { emptyBatchShape, type BatchShape } from '../sim/engine/stepTime/batchShape.js';
import { createStepTimeModel } from '../sim/engine/stepTime/index.js';
import { NO_EXPERT_PARALLEL, routedExpertBytes, weightBytes, weightBytesPerGpu } from '../sim/engine/modelMath.js';
import { kvCapacity } from '../sim/engine/capacity.js';
import { DEFAULT_ENGINE, PHYSICS_DEFAULTS } from '../sim/scenario/schema.js';
import { parseScenario } from '../sim/scenario/load.js';
import { UserError } from '../sim/core/errors.js';
import type { EngineConfig } from '../sim/scenario/types.js';

const CONFIGS = join(import.meta.dirname, '..', 'sim', 'hardware', 'configs');
const config = (name: string): ModelSpec => loadHfConfig(join(CONFIGS, `${name}.json`));
const h100 = getGpu('H100');
const NO_BETA8 = { ...PHYSICS_DEFAULTS, beta8_us_per_moe_layer: 0 };

describe('(a) attention projections use head_dim (§2.2, §6.2)', () => {
  it('Qwen3-32B: 94.4 M parameters per layer, twice that in FLOPs per token', () => {
    // d = 5120, q = h·d_h = 64·128 = 8192 (≠ d), kv = h_kv·d_h = 8·128 = 1024:
    // d·(q + 2kv) + q·d = 5120·10,240 + 8192·5120 = 52,428,800 + 41,943,040 = 94,371,840 (§2.2: 94.4 M; d² convention 62.9 M)
    const m = getModel('Qwen3-32B');
    expect(attentionProjectionParams(m)).toBe(94_371_840);
    expect(attentionProjectionParams(config('Qwen3-32B'))).toBe(94_371_840);
    // Linear FLOPs per token, TP1: 64 layers · (2·94,371,840 + 6·5120·25,600 = 188,743,680 + 786,432,000)
    //   = 64 · 975,175,680 = 62,411,243,520
    expect(physicsCensus(m, 1, NO_EXPERT_PARALLEL).gemmFlopsPerToken).toBe(62_411_243_520);
    // Attention per (query, key) pair: 4·h·d_h·L = 4·64·128·64 = 2,097,152; at TP2 half the heads.
    expect(physicsCensus(m, 2, NO_EXPERT_PARALLEL).attnFlopsPerPair).toBe(1_048_576);
  });

  it('DeepSeek-V3 (MLA): the per-layer attention share of the exact parameter count (§2.4)', () => {
    // W_qa 7168·1536 + q norm 1536 + W_qb 1536·128·(128+64) = 11,010,048 + 1536 + 37,748,736
    // + W_kva 7168·(512+64) = 4,128,768 + kv norm 512 + W_kvb 512·128·(128+128) = 16,777,216
    // + W_o 128·128·7168 = 117,440,512 → 187,107,328
    expect(attentionProjectionParams(config('DeepSeek-V3'))).toBe(187_107_328);
  });

  it('Llama models (d_h = d/h) keep the d² numbers: 2(d² + 2·d·d_kv) + 2d² per layer', () => {
    const m = getModel('Llama-3.1-8B');
    // 4096·(4096 + 2048) + 4096² = 25,165,824 + 16,777,216 = 41,943,040 = 2·4096² + 2·4096·1024
    expect(attentionProjectionParams(m)).toBe(41_943_040);
  });
});

describe('(b) β8 only for interleaved MoE (§6.1)', () => {
  const beta8Us = (m: ModelSpec, tp: number): number => {
    const b = { ...emptyBatchShape(), decodeSeqs: 32, decodeContext: 32 * 1024, batchSize: 32 };
    return new PhysicsStepTime(m, h100, tp, PHYSICS_DEFAULTS).stepUs(b) - new PhysicsStepTime(m, h100, tp, NO_BETA8).stepUs(b);
  };

  it('Mixtral (uniform MoE, catalog and config) and dense models get no β8', () => {
    expect(beta8Us(getModel('Mixtral-8x7B'), 2)).toBe(0);
    expect(beta8Us(config('Mixtral-8x7B'), 2)).toBe(0);
    expect(beta8Us(config('Qwen3-30B-A3B'), 1)).toBe(0);
    expect(beta8Us(getModel('Llama-3.1-8B'), 1)).toBe(0);
  });

  it('Llama-4 Scout gets β8·24 (BLIS counts ⌊48/(1+1)⌋), Maverick β8·16 (⌊48/3⌋); vLLM census stays 48 / 24', () => {
    const scout = config('Llama-4-Scout-17B-16E');
    expect(scout.interleave_moe_layer_step).toBe(1);
    expect(beta8Us(scout, 4)).toBeCloseTo(481.86 * 24, 6); // 11,564.64 µs
    expect(physicsCensus(scout, 4, NO_EXPERT_PARALLEL).moeLayers).toBe(48);
    const mav = config('Llama-4-Maverick-17B-128E');
    expect(physicsCensus(mav, 8, NO_EXPERT_PARALLEL).blisMoeLayers).toBe(16);
    expect(physicsCensus(mav, 8, NO_EXPERT_PARALLEL).moeLayers).toBe(24);
    expect(config('Mixtral-8x7B').interleave_moe_layer_step).toBeUndefined();
  });
});

describe('(c) TP all-reduce in the fitted unit (§6.3)', () => {
  const llama = getModel('Llama-3.1-8B');
  const b: BatchShape = { ...emptyBatchShape(), decodeSeqs: 32, decodeContext: 32 * 1024, batchSize: 32 };
  const tpTerm = (gpu: string): { x5: number; fixed: number } => {
    const m = new PhysicsStepTime(llama, getGpu(gpu), 2, PHYSICS_DEFAULTS);
    const x = new Float64Array(PHYSICS_TERMS.length);
    m.basis(b, x);
    return { x5: x[5]!, fixed: m.fixedUs(b) };
  };

  it('H100 TP2 reproduces units·T·d·B_a·2(TP−1)/TP / BW_HBM with no fixed part', () => {
    // units = 2·32 dense layers = 64; 64·32 tokens·4096·2 B·2·(1/2) = 16,777,216 B / 3.35e12 B/s = 5.008124 µs
    const { x5, fixed } = tpTerm('H100');
    expect(x5).toBeCloseTo(16_777_216 / 3.35e6, 9);
    expect(fixed).toBe(0);
  });

  it('a PCIe GPU pays the busbw ratio and its per-call latency above the H100', () => {
    // H100-PCIe: busbw 25 GB/s vs 345 → × 13.8 = 69.112 µs; fixedUs = 64 calls · (20 − 5) µs = 960 µs
    const { x5, fixed } = tpTerm('H100-PCIe');
    expect(x5).toBeCloseTo((16_777_216 / 3.35e6) * (345 / 25), 9);
    expect(fixed).toBe(960);
    // …and the step includes both: β4·x5 through the coefficient, 960 µs whatever the coefficients
    const m = new PhysicsStepTime(llama, getGpu('H100-PCIe'), 2, PHYSICS_DEFAULTS);
    const noTp = new PhysicsStepTime(llama, getGpu('H100-PCIe'), 2, { ...PHYSICS_DEFAULTS, beta4: 0 });
    expect(m.stepUs(b) - noTp.stepUs(b)).toBeCloseTo(0.752037 * x5, 6);
    const zero = Object.fromEntries(PHYSICS_TERMS.map((k) => [k, 0])) as unknown as typeof PHYSICS_DEFAULTS;
    expect(new PhysicsStepTime(llama, getGpu('H100-PCIe'), 2, zero).stepUs(b)).toBe(960);
  });

  it('TP1 has neither term', () => {
    const m = new PhysicsStepTime(llama, getGpu('L40S'), 1, PHYSICS_DEFAULTS);
    const x = new Float64Array(PHYSICS_TERMS.length);
    m.basis(b, x);
    expect([x[5], m.fixedUs(b)]).toEqual([0, 0]);
  });
});

describe('(d) expert parallelism (§2.7, §6.1)', () => {
  const mix = getModel('Mixtral-8x7B');
  const ep = { dp: 4, ep: true };

  it('keeps whole experts, E/(TP·DP) per GPU', () => {
    // Catalog Mixtral: experts 32 layers · 8 · 3·4096·14336 = 45,097,156,608 params (90,194,313,216 B);
    // the rest 46,701,477,888 − 45,097,156,608 = 1,604,321,280 params (3,208,642,560 B).
    expect(routedExpertBytes(mix)).toBe(90_194_313_216);
    expect(weightBytes(mix)).toBe(2 * 46_701_477_888);
    // TP2 DP4 EP: 3,208,642,560/2 + 90,194,313,216/8 = 1,604,321,280 + 11,274,289,152 = 12,878,610,432 B
    expect(weightBytesPerGpu(mix, 2, ep)).toBe(12_878_610_432);
    // without EP every GPU holds 1/TP of every expert
    expect(weightBytesPerGpu(mix, 2, NO_EXPERT_PARALLEL)).toBe(weightBytes(mix) / 2);
    expect(weightBytesPerGpu(mix, 2, { dp: 4, ep: false })).toBe(weightBytes(mix) / 2);
    // the freed memory goes to the KV cache of each rank
    const engine: EngineConfig = { ...DEFAULT_ENGINE, max_cpu_loras: 0 };
    expect(kvCapacity(mix, h100, 2, engine, ep).numGpuBlocks).toBeGreaterThan(kvCapacity(mix, h100, 2, engine).numGpuBlocks);
  });

  it('reads E/(TP·DP) experts per step once the padded global batch touches them all, and adds dispatch/combine', () => {
    const c = physicsCensus(mix, 2, ep);
    expect([c.expertGroup, c.moeTokenScale]).toEqual([8, 4]);
    // One own token → T_pad = 4 rows·k 2 = 8 ≥ E: all 8 experts, 11,274,289,152 B of them per GPU.
    expect(weightBytesRead(c, 1) - c.fixedWeightBytes).toBe(11_274_289_152);
    // Communication per own token: 32 MoE layers · attention AR 4096·2·2·(1/2) = 8192 B
    //   + dispatch/combine 2·(7/8)·4 (T_pad/T)·4096·2 = 57,344 B → 32·65,536 = 2,097,152 B
    const m = new PhysicsStepTime(mix, h100, 2, PHYSICS_DEFAULTS, ep);
    expect(m.comm.bytesPerToken).toBeCloseTo(2_097_152, 6);
    expect(m.comm.calls).toBe(32 + 2 * 32);
    expect(m.comm.fixedUs).toBe(0); // H100: its latency is in β4
  });

  it('profile and linear models ignore the parallelism; physics takes it through createStepTimeModel', () => {
    const cfg = { model: 'physics' as const, coefficients: PHYSICS_DEFAULTS, overheads: { alpha0_us: 0, alpha1_us: 0, alpha2_us: 0 } };
    const b = { ...emptyBatchShape(), decodeSeqs: 8, decodeContext: 8000, batchSize: 8 };
    expect(createStepTimeModel(cfg, mix, h100, 2, ep).stepUs(b)).toBe(new PhysicsStepTime(mix, h100, 2, PHYSICS_DEFAULTS, ep).stepUs(b));
    expect(createStepTimeModel(cfg, mix, h100, 2).stepUs(b)).toBe(new PhysicsStepTime(mix, h100, 2, PHYSICS_DEFAULTS).stepUs(b));
  });
});

describe('(e) step time is non-decreasing in the work of the batch', () => {
  const setups: readonly [string, () => PhysicsStepTime][] = [
    ['Llama-3.1-8B H100 TP1', () => new PhysicsStepTime(getModel('Llama-3.1-8B'), h100, 1, PHYSICS_DEFAULTS)],
    ['Mixtral-8x7B H100 TP2', () => new PhysicsStepTime(getModel('Mixtral-8x7B'), h100, 2, PHYSICS_DEFAULTS)],
    ['Qwen3-30B-A3B L40S TP2', () => new PhysicsStepTime(getModel('Qwen3-30B-A3B'), getGpu('L40S'), 2, PHYSICS_DEFAULTS)],
    ['Scout H100 TP4 EP DP2', () => new PhysicsStepTime(config('Llama-4-Scout-17B-16E'), h100, 4, PHYSICS_DEFAULTS, { dp: 2, ep: true })],
  ];
  const shapeArb = fc.record({
    prefill: fc.array(fc.record({ t: fc.integer({ min: 1, max: 2048 }), before: fc.integer({ min: 0, max: 8192 }) }), { maxLength: 4 }),
    decode: fc.array(fc.integer({ min: 1, max: 32768 }), { maxLength: 64 }),
  });
  const shapeOf = (s: { prefill: { t: number; before: number }[]; decode: number[] }): BatchShape => {
    const b = emptyBatchShape();
    for (const { t, before } of s.prefill) {
      b.prefillTokens += t;
      b.prefillAttnWork += t * (before + (t - 1) / 2);
      b.prefillPromptWork += t * (before + t + t / 2); // prompt = tokens before + this chunk (its last)
      b.prefillKvTokens += before + t;
    }
    for (const c of s.decode) {
      b.decodeSeqs += 1;
      b.decodeContext += c;
    }
    b.batchSize = s.prefill.length + s.decode.length;
    return b;
  };

  it.each(setups)('%s', (_name, make) => {
    const m = make();
    fc.assert(
      fc.property(shapeArb, fc.integer({ min: 1, max: 2048 }), fc.integer({ min: 1, max: 32768 }), (s, t, c) => {
        const base = m.stepUs(shapeOf(s));
        const morePrefill = m.stepUs(shapeOf({ ...s, prefill: [...s.prefill, { t, before: 0 }] }));
        const moreDecode = m.stepUs(shapeOf({ ...s, decode: [...s.decode, c] }));
        const longerContext = s.decode.length > 0 ? m.stepUs(shapeOf({ ...s, decode: [s.decode[0]! + c, ...s.decode.slice(1)] })) : base;
        return morePrefill >= base && moreDecode >= base && longerContext >= base;
      }),
      { numRuns: 200 },
    );
  });
});

describe('(f) scenario: expert_parallel and data_parallel', () => {
  const FILE = 'scenarios/ep.yaml';
  const scenario = (fleet: string): string => `
requests: 10
fleet:
  replicas: 6
  gpu: H100
  model: Mixtral-8x7B
  tp: 2
${fleet}
workload:
  arrival: {rate: 10}
  input: 512
  output: 16
policies: [round-robin]
`;
  const errorOf = (text: string): string => {
    try {
      parseScenario(text, FILE);
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      return (err as UserError).message;
    }
    throw new Error('expected a UserError');
  };

  it('a data_parallel that does not divide the replicas is a one-line error with a fix', () => {
    const msg = errorOf(scenario('  expert_parallel: true\n  data_parallel: 4'));
    expect(msg).not.toContain('\n');
    expect(msg).toBe(`${FILE}: fleet.replicas: 6 replicas are not a multiple of data_parallel 4 (each replica is one DP rank) (fix: write replicas: 4 or 8, or a data_parallel dividing 6)`);
  });

  it('the same for a replica group count', () => {
    const msg = errorOf(`
requests: 10
pools:
  - name: moe
    model: Mixtral-8x7B
    replicas: [{gpu: H100, count: 3, tp: 2, expert_parallel: true, data_parallel: 2}]
workload:
  arrival: {rate: 10}
  input: 512
  output: 16
`);
    expect(msg).not.toContain('\n');
    expect(msg).toMatch(/^scenarios\/ep\.yaml: pools\[0\]\.replicas\[0\]\.count: 3 replicas are not a multiple of data_parallel 2 .*\(fix: write count: 2 or 4, /);
  });

  it('expert parallelism makes a model fit that TP alone cannot hold (KV capacity per rank, §2.7)', () => {
    // DeepSeek-V3 (FP8, 672.9 GB) at TP8 on H100: 84 GB of weights per GPU > 76.5 GB usable.
    // With EP over DP2 × TP8: (19.0 GB non-expert)/8 + (653.9 GB experts)/16 ≈ 43.3 GB per GPU.
    const ds = (more: string): string => `
requests: 10
fleet:
  replicas: 2
  gpu: H100
  model: sim/hardware/configs/DeepSeek-V3.json
  tp: 8
${more}
workload:
  arrival: {rate: 10}
  input: 512
  output: 16
policies: [round-robin]
`;
    expect(errorOf(ds(''))).toMatch(/^scenarios\/ep\.yaml: fleet\.model: .*no room for the KV cache/);
    expect(parseScenario(ds('  expert_parallel: true\n  data_parallel: 2'), FILE).fleet).toMatchObject({ tp: 8, expert_parallel: true, data_parallel: 2 });
  });

  it('accepted fields reach the replica groups; absent ones stay absent (outputs unchanged)', () => {
    const cfg = parseScenario(scenario('  expert_parallel: true\n  data_parallel: 3'), FILE);
    expect(cfg.fleet).toMatchObject({ expert_parallel: true, data_parallel: 3 });
    const plain = parseScenario(scenario(''), FILE);
    expect('expert_parallel' in plain.fleet || 'data_parallel' in plain.fleet).toBe(false);
  });
});
