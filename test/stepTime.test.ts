/** Step-time models against numbers computed by hand from engine.md §4 (Llama-3.1-8B on H100, TP1). */
import { describe, expect, it } from 'vitest';
import { getGpu, getModel } from '../sim/hardware/catalog.js';
import { PhysicsStepTime } from '../sim/engine/stepTime/physics.js';
import { LinearStepTime } from '../sim/engine/stepTime/linear.js';
import { emptyBatchShape } from '../sim/engine/stepTime/batchShape.js';
import { loraOverheadPerAdapter, stepDurationUs } from '../sim/engine/stepTime/index.js';
import { parameterCount } from '../sim/engine/modelMath.js';
import { LINEAR_DEFAULTS, PHYSICS_DEFAULTS } from '../sim/scenario/schema.js';

const model = getModel('Llama-3.1-8B');
const h100 = getGpu('H100');

describe('physics step time (BLIS trained-physics coefficients)', () => {
  const m = new PhysicsStepTime(model, h100, 1, PHYSICS_DEFAULTS);

  it('counts Llama-3.1-8B parameters from its shape', () => {
    // Per layer: Q,O 2·4096² = 33,554,432; K,V 2·4096·(8·128) = 8,388,608; MLP 3·4096·14336 = 176,160,768
    // → 218,103,808 × 32 = 6,979,321,856; embeddings + LM head 2·128256·4096 = 1,050,673,152.
    expect(parameterCount(model)).toBe(8_029_995_008);
  });

  it('counts Llama-3.1-70B parameters from its shape', () => {
    // Per layer: Q,O 2·8192² = 134,217,728; K,V 2·8192·(8·128) = 16,777,216; MLP 3·8192·28672 = 704,643,072
    // → 855,638,016 × 80 = 68,451,041,280; embeddings + LM head 2·128256·8192 = 2,101,346,304.
    expect(parameterCount(getModel('Llama-3.1-70B'))).toBe(70_552_387_584);
  });

  it('prices one decode step with 1000 tokens of context', () => {
    // T_weight (BLIS's basis, calibration.md §6.7: no embeddings, no LM head) = 2·32·218,103,808 B
    //   = 13,958,643,712 B / 3.35e12 B/s = 4166.759 µs; × β3 1.36252915 = 5677.33
    //   (was 2·8,029,995,008 B → 6531.95 before issue 12: the 1,050,673,152 embedding + LM-head
    //   parameters are no longer read, −854.67 µs)
    // T_dc_kv = (1000 context tokens read + 1 new token written) × 131,072 B per token (2·32·8·128·2)
    //   / 3.35e12 B/s = 39.165 µs; × β2b 1.94710771 = 76.26
    // β5·L = 32.095·32 = 1027.04; β6·1 = 4.417; β7 = 126.02 → 6911.07 µs.
    const b = { ...emptyBatchShape(), decodeSeqs: 1, decodeContext: 1000, batchSize: 1 };
    expect(m.stepUs(b)).toBeCloseTo(6911.067, 2);
  });

  it('prices a 512-token prefill chunk with its quadratic attention term', () => {
    // GEMM FLOPs per token = 32·(2(4096² + 2·4096·1024) + 2·4096² + 6·4096·14336) = 13,958,643,712;
    // attention = 4·32·128·32 = 524,288 per (query, key) pair × BLIS's Σ t(P + t/2) = 512·(512 + 256)
    //   = 393,216 for an unchunked 512-token prompt (§6.7; was Σ t(s + (t−1)/2) = 130,816).
    // T_pf_compute = (512·13,958,643,712 + 524,288·393,216) / 989.5e12 = 7431.01 µs; × β1a 0.152128 = 1130.46
    // + weights 5677.33 + 1027.04 + 4.417 + 126.02 → 7965.27 µs (T_pf_kv has β1b = 0).
    const b = { ...emptyBatchShape(), prefillTokens: 512, prefillAttnWork: 512 * 255.5, prefillPromptWork: 512 * (512 + 256), prefillKvTokens: 512, batchSize: 1 };
    expect(m.stepUs(b)).toBeCloseTo(7965.273, 2);
  });

  it('is faster at TP2 than TP1: per-GPU work halves and outweighs the added all-reduce', () => {
    const tp2 = new PhysicsStepTime(model, h100, 2, PHYSICS_DEFAULTS);
    const b = { ...emptyBatchShape(), decodeSeqs: 8, decodeContext: 8000, batchSize: 8 };
    expect(tp2.stepUs(b)).toBeLessThan(m.stepUs(b));
  });
});

describe('linear step time', () => {
  it('is β0 + β1·prefill + β2·decode', () => {
    const m = new LinearStepTime(LINEAR_DEFAULTS);
    // 6472 + 19.8·100 + 304.4·3 = 9365.2
    expect(m.stepUs({ ...emptyBatchShape(), prefillTokens: 100, decodeSeqs: 3, batchSize: 4 })).toBeCloseTo(9365.2, 6);
  });
});

describe('LoRA multi-adapter overhead', () => {
  it('multiplies by 1 + k·A with k by max rank', () => {
    expect([8, 16, 32, 64].map(loraOverheadPerAdapter)).toEqual([0.02, 0.035, 0.06, 0.06]);
    const m = new LinearStepTime({ beta0_us: 1000, beta1_us_per_prefill_token: 0, beta2_us_per_decode_token: 0 });
    // 1000 · (1 + 0.035·3) = 1105
    expect(stepDurationUs(m, { ...emptyBatchShape(), adapters: 3 }, 0.035)).toBe(1105);
    expect(stepDurationUs(m, emptyBatchShape(), 0.035)).toBe(1000);
  });
});
