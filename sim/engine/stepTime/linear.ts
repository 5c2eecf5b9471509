/**
 * Linear ("blackbox") step time, engine.md §4.1, made to scale with the model and the GPU:
 *
 *   step = β0 + β1·P + β2·D                       (absolute terms: today's model, µs)
 *        + β3·s_w + β4·P·s_f + β5·D·s_w            (scaled terms: µs on the reference hardware)
 *
 * P = uncached prefill tokens, D = decode sequences. The scale factors are physical times of the
 * replica relative to the REFERENCE the default fit was taken on (Llama-3.1-8B, H100, TP1, vLLM
 * 0.11; engine.md §4.1: β = 6472, 19.8, 304.4):
 *   s_w = T_weight / T_weight(ref),  T_weight = weight bytes / (HBM bandwidth · TP)  (a step reads every weight once)
 *   s_f = t_flop / t_flop(ref),      t_flop  = 2·(active GEMM params per token) / (bf16 peak · TP)
 * so the fixed cost and the per-decode cost (bandwidth-bound in that fit) grow with the bytes a
 * step reads, and the per-prefill-token cost with the GEMM FLOPs per token. On the reference
 * hardware s_w = s_f = 1 exactly (same arithmetic on the same specs).
 *
 * Defaults (schema.ts, resolveLinearCoefficients): no coefficients given → β0..β2 = 0 and β3..β5 =
 * 6472, 19.8, 304.4 (the fit, rescaled); only absolute terms given → today's model (missing
 * absolute terms from LINEAR_DEFAULTS, scaled terms 0), byte-identical to before. Without
 * hardware (tests, fixtures) the scale factors are 1.
 */
import type { GpuSpec, ModelSpec } from '../../hardware/types.js';
import { getGpu, getModel } from '../../hardware/catalog.js';
import type { LinearCoefficients } from '../../scenario/types.js';
import { weightBytes } from '../modelMath.js';
import type { BatchShape } from './batchShape.js';
import type { LinearInCoefficients } from './basis.js';

export const LINEAR_TERMS = [
  'beta0_us',
  'beta1_us_per_prefill_token',
  'beta2_us_per_decode_token',
  'beta3_us_scaled_by_weight_time',
  'beta4_us_per_prefill_token_scaled_by_flop_time',
  'beta5_us_per_decode_token_scaled_by_weight_time',
] as const;

/** The hardware the default coefficients were fitted on (engine.md §4.1). */
export const LINEAR_REFERENCE = { model: 'Llama-3.1-8B', gpu: 'H100', tp: 1 } as const;

export interface LinearHardware {
  readonly model: ModelSpec;
  readonly gpu: GpuSpec;
  readonly tp: number;
}

/** µs to read every weight of one TP shard once at datasheet HBM bandwidth. */
export function weightTimeUs(h: LinearHardware): number {
  return weightBytes(h.model) / ((h.gpu.hbm_bandwidth * h.tp) / 1e6);
}

/** µs of GEMM FLOPs per token at datasheet peak: 2·(QKV, O, gated MLP × top-k) params × L / (peak·TP). */
export function flopTimeUsPerToken(h: LinearHardware): number {
  const m = h.model;
  const d = m.hidden;
  const dKv = m.kv_heads * m.head_dim;
  const experts = m.experts > 0 ? m.experts_top_k : 1;
  const perLayer = 2 * (d * d + 2 * d * dKv) + 2 * d * d + 2 * 3 * d * m.ffn * experts;
  return (perLayer * m.layers) / ((h.gpu.bf16_flops * h.tp) / 1e6);
}

let reference: { w: number; f: number } | undefined;
function referenceTimes(): { w: number; f: number } {
  if (reference === undefined) {
    const ref = { model: getModel(LINEAR_REFERENCE.model), gpu: getGpu(LINEAR_REFERENCE.gpu), tp: LINEAR_REFERENCE.tp };
    reference = { w: weightTimeUs(ref), f: flopTimeUsPerToken(ref) };
  }
  return reference;
}

/** (s_w, s_f) of `h` relative to LINEAR_REFERENCE; (1, 1) without hardware. */
export function linearScales(h: LinearHardware | undefined): { weight: number; flop: number } {
  if (h === undefined) return { weight: 1, flop: 1 };
  const ref = referenceTimes();
  return { weight: weightTimeUs(h) / ref.w, flop: flopTimeUsPerToken(h) / ref.f };
}

export class LinearStepTime implements LinearInCoefficients {
  readonly name = 'linear';
  readonly terms: readonly string[] = LINEAR_TERMS;
  private readonly b0: number;
  private readonly b1: number;
  private readonly b2: number;
  private readonly b3: number;
  private readonly b4: number;
  private readonly b5: number;
  private readonly sw: number;
  private readonly sf: number;

  constructor(c: LinearCoefficients, hw?: LinearHardware) {
    this.b0 = c.beta0_us;
    this.b1 = c.beta1_us_per_prefill_token;
    this.b2 = c.beta2_us_per_decode_token;
    this.b3 = c.beta3_us_scaled_by_weight_time ?? 0;
    this.b4 = c.beta4_us_per_prefill_token_scaled_by_flop_time ?? 0;
    this.b5 = c.beta5_us_per_decode_token_scaled_by_weight_time ?? 0;
    const s = linearScales(hw);
    this.sw = s.weight;
    this.sf = s.flop;
  }

  basis(b: BatchShape, x: Float64Array): void {
    x[0] = 1;
    x[1] = b.prefillTokens;
    x[2] = b.decodeSeqs;
    x[3] = this.sw;
    x[4] = b.prefillTokens * this.sf;
    x[5] = b.decodeSeqs * this.sw;
  }

  fixedUs(_b: BatchShape): number {
    return 0;
  }

  stepUs(b: BatchShape): number {
    // The absolute part first, in the order it has always been summed (byte-identical results).
    const abs = this.b0 + this.b1 * b.prefillTokens + this.b2 * b.decodeSeqs;
    if (this.b3 === 0 && this.b4 === 0 && this.b5 === 0) return abs;
    const scaled = this.b3 * this.sw + this.b4 * b.prefillTokens * this.sf + this.b5 * b.decodeSeqs * this.sw;
    return abs === 0 ? scaled : abs + scaled;
  }
}
