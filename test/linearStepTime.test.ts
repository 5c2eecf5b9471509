/**
 * The linear step time scaled by model and GPU (sim/engine/stepTime/linear.ts, engine.md §4.1):
 * explicit absolute coefficients keep today's numbers on any hardware; the default equals the old
 * default exactly on the reference (Llama-3.1-8B, H100, TP1) and scales with the weight-read and
 * FLOP times elsewhere; the basis stays consistent with stepUs (calibrate fits against it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getGpu, getModel } from '../sim/hardware/catalog.js';
import { createStepTimeModel, emptyBatchShape, stepDurationUs, type BatchShape } from '../sim/engine/stepTime/index.js';
import { flopTimeUsPerToken, LINEAR_TERMS, LinearStepTime, weightTimeUs } from '../sim/engine/stepTime/linear.js';
import { LINEAR_DEFAULTS, LINEAR_SCALED_DEFAULTS, resolveLinearCoefficients } from '../sim/scenario/schema.js';
import { parseScenario } from '../sim/scenario/load.js';

const hw = (model: string, gpu: string, tp = 1) => ({ model: getModel(model), gpu: getGpu(gpu), tp });
const REF = hw('Llama-3.1-8B', 'H100');
const decode1: BatchShape = { ...emptyBatchShape(), decodeSeqs: 1, decodeContext: 1000, batchSize: 1 };
const old = (b: BatchShape) => LINEAR_DEFAULTS.beta0_us + LINEAR_DEFAULTS.beta1_us_per_prefill_token * b.prefillTokens + LINEAR_DEFAULTS.beta2_us_per_decode_token * b.decodeSeqs;
const arbShape = fc.record({ p: fc.integer({ min: 0, max: 8192 }), d: fc.integer({ min: 0, max: 512 }), a: fc.integer({ min: 0, max: 4 }) }).map(
  ({ p, d, a }): BatchShape => ({ ...emptyBatchShape(), prefillTokens: p, decodeSeqs: d, batchSize: d + (p > 0 ? 1 : 0), adapters: a }),
);

describe('resolveLinearCoefficients', () => {
  it('nothing given → the scaled default; only absolute terms → today’s model; a scaled term → scaled default overridden', () => {
    expect(resolveLinearCoefficients({})).toEqual(LINEAR_SCALED_DEFAULTS);
    expect(resolveLinearCoefficients({ beta0_us: 5000 })).toEqual({ ...LINEAR_DEFAULTS, beta0_us: 5000 });
    expect(resolveLinearCoefficients({ beta0_us: 1000, beta1_us_per_prefill_token: 10, beta2_us_per_decode_token: 100 })).toEqual({
      beta0_us: 1000,
      beta1_us_per_prefill_token: 10,
      beta2_us_per_decode_token: 100,
    });
    expect(resolveLinearCoefficients({ beta3_us_scaled_by_weight_time: 7000 })).toEqual({ ...LINEAR_SCALED_DEFAULTS, beta3_us_scaled_by_weight_time: 7000 });
  });
});

describe('backward compatibility', () => {
  it('explicit old coefficients give today’s numbers on any model and GPU (no scaling)', () => {
    for (const h of [REF, hw('Qwen3-32B', 'H100'), hw('Llama-3.1-70B', 'RTX4090', 4)]) {
      const m = new LinearStepTime({ beta0_us: 1000, beta1_us_per_prefill_token: 10, beta2_us_per_decode_token: 100 }, h);
      // 1000 + 10·100 + 100·3 = 2300
      expect(m.stepUs({ ...emptyBatchShape(), prefillTokens: 100, decodeSeqs: 3, batchSize: 4 })).toBe(2300);
    }
  });

  it('the default on Llama-3.1-8B / H100 / TP1 is the old default bit for bit (fast-check)', () => {
    const now = new LinearStepTime(LINEAR_SCALED_DEFAULTS, REF);
    const before = new LinearStepTime(LINEAR_DEFAULTS, REF);
    fc.assert(
      fc.property(arbShape, (b) => {
        expect(now.stepUs(b)).toBe(old(b));
        expect(before.stepUs(b)).toBe(old(b));
        expect(stepDurationUs(now, b, 0.035)).toBe(stepDurationUs(before, b, 0.035));
      }),
      { numRuns: 300 },
    );
  });

  it('a scenario with `model: linear` and no coefficients resolves to the scaled default; with the old keys, to them', () => {
    const base = 'name: t\nrequests: 5\nworkload: {arrival: {process: poisson, rate: 1}, input: 100, output: 10}\npolicies: [round-robin]\n';
    const a = parseScenario(`${base}fleet: {replicas: 1, gpu: H100, model: Qwen3-32B}\nstep_time: {model: linear}\n`, '/tmp/a.yaml');
    expect(a.step_time.coefficients).toEqual(LINEAR_SCALED_DEFAULTS);
    const m = createStepTimeModel(a.step_time, getModel('Qwen3-32B'), getGpu('H100'), 1);
    expect(m.stepUs(decode1)).toBeGreaterThan(3 * old(decode1));
    const b = parseScenario(`${base}fleet: {replicas: 1, gpu: H100, model: Qwen3-32B}\nstep_time: {model: linear, coefficients: {beta0_us: 6472}}\n`, '/tmp/b.yaml');
    expect(createStepTimeModel(b.step_time, getModel('Qwen3-32B'), getGpu('H100'), 1).stepUs(decode1)).toBe(old(decode1));
  });
});

describe('scaling with model and GPU (default coefficients)', () => {
  it('Qwen3-32B / Llama-3.1-70B decode steps are larger than 8B by the weight-bytes ratio', () => {
    // Parameters (modelMath.parameterCount): 8B = 32·(2·4096² + 2·4096·1024 + 3·4096·14336) + 128256·4096·2
    //   = 6,979,321,856 + 1,050,673,152 = 8,029,995,008;
    // Qwen3-32B = 64·(2·5120² + 2·5120·1024 + 3·5120·25600) + 151936·5120·2 = 29,192,355,840 + 1,555,824,640 = 30,748,180,480.
    // Same GPU and TP: s_w = 30,748,180,480 / 8,029,995,008 = 3.82916; a decode-only step (β0 + β2 terms) scales by s_w:
    //   (6472 + 304.4)·3.82916 = 25,948.0 µs vs 6776.4 µs.
    const sw = 30_748_180_480 / 8_029_995_008;
    const q = new LinearStepTime(LINEAR_SCALED_DEFAULTS, hw('Qwen3-32B', 'H100'));
    expect(q.stepUs(decode1)).toBeCloseTo((6472 + 304.4) * sw, 6);
    expect(q.stepUs(decode1)).toBeCloseTo(25948.0, 0);
    const l70 = new LinearStepTime(LINEAR_SCALED_DEFAULTS, hw('Llama-3.1-70B', 'H100'));
    expect(l70.stepUs(decode1)).toBeGreaterThan(q.stepUs(decode1));
    // TP4 divides the per-GPU weight read by 4
    expect(new LinearStepTime(LINEAR_SCALED_DEFAULTS, hw('Llama-3.1-70B', 'H100', 4)).stepUs(decode1)).toBeCloseTo(l70.stepUs(decode1) / 4, 6);
  });

  it('a slower GPU is slower: RTX4090 by the bandwidth ratio (decode) and the FLOP ratio (prefill)', () => {
    const rtx = new LinearStepTime(LINEAR_SCALED_DEFAULTS, hw('Llama-3.1-8B', 'RTX4090'));
    const h100 = new LinearStepTime(LINEAR_SCALED_DEFAULTS, REF);
    // 3.35 / 1.008 TB/s = 3.32341
    expect(rtx.stepUs(decode1)).toBeCloseTo(6776.4 * (3.35 / 1.008), 6);
    // prefill 512 tokens: 6472·3.32341 + 19.8·512·(989.5/165)
    const pre = { ...emptyBatchShape(), prefillTokens: 512, batchSize: 1 };
    expect(rtx.stepUs(pre)).toBeCloseTo(6472 * (3.35 / 1.008) + 19.8 * 512 * (989.5 / 165), 6);
    expect(rtx.stepUs(pre)).toBeGreaterThan(h100.stepUs(pre));
  });

  it('weight and FLOP times on the reference', () => {
    // 8,029,995,008·2 B / 3.35e6 B/µs = 4794.03 µs; 2·(218,103,808)·32 / 989.5e6 = 14.106 µs per token
    expect(weightTimeUs(REF)).toBeCloseTo((8_029_995_008 * 2) / 3.35e6, 6);
    expect(flopTimeUsPerToken(REF)).toBeCloseTo((2 * 218_103_808 * 32) / 989.5e6, 9);
  });
});

describe('calibration seam', () => {
  it('βᵀx(b) + fixed(b) = stepUs(b) for scaled and absolute terms together (fast-check)', () => {
    const c = { ...LINEAR_SCALED_DEFAULTS, beta0_us: 100, beta1_us_per_prefill_token: 2, beta2_us_per_decode_token: 7 };
    const m = new LinearStepTime(c, hw('Qwen3-32B', 'A100-80GB', 2));
    const x = new Float64Array(m.terms.length);
    expect(m.terms).toEqual(LINEAR_TERMS);
    fc.assert(
      fc.property(arbShape, (b) => {
        m.basis(b, x);
        const sum = LINEAR_TERMS.reduce((s, k, i) => s + (c[k] ?? 0) * x[i]!, 0) + m.fixedUs(b);
        expect(sum).toBeCloseTo(m.stepUs(b), 6);
      }),
      { numRuns: 100 },
    );
  });
});
