/**
 * BLIS "trained-physics" step time (engine.md §4.4): a weighted sum of roofline times of each
 * component at datasheet peak (no MFU), plus per-layer, per-request and per-step constants.
 *
 *   step = β1a·T_pf_compute + β1b·T_pf_kv + β2a·T_dc_compute + β2b·T_dc_kv + β3·T_weight
 *        + β4·T_tp + β5·L + β6·batch + β7 + β8·(MoE layers)
 *
 * FLOPs per token per layer (engine.md §4.3): QKV and O GEMMs 2(d² + 2·d·d_kv) + 2d², gated MLP
 * 2·3·d·d_ff (× top-k experts for MoE); attention 4·h·d_h·t·ctx with ctx = s + (t−1)/2.
 * KV bytes per token = 2·L·kv_heads·head_dim·dtype. All times are divided across TP GPUs.
 */
import type { GpuSpec, ModelSpec } from '../../hardware/types.js';
import type { PhysicsCoefficients } from '../../scenario/types.js';
import type { BatchShape } from './batchShape.js';
import { weightBytes } from '../modelMath.js';
import type { LinearInCoefficients } from './basis.js';

/** The coefficients in basis order (calibrate fits them; the scenario's `coefficients` keys). */
export const PHYSICS_TERMS = [
  'beta1a', 'beta1b', 'beta2a', 'beta2b', 'beta3', 'beta4',
  'beta5_us_per_layer', 'beta6_us_per_request', 'beta7_us_per_step', 'beta8_us_per_moe_layer',
] as const;

export class PhysicsStepTime implements LinearInCoefficients {
  readonly name = 'physics';
  readonly terms: readonly string[] = PHYSICS_TERMS;
  private readonly x = new Float64Array(PHYSICS_TERMS.length);
  private readonly beta: Float64Array;
  private readonly gemmFlopsPerToken: number;
  private readonly attnFlopsPerTokenCtx: number;
  private readonly kvBytesPerToken: number;
  private readonly tWeightUs: number;
  private readonly tpBytesPerToken: number;
  private readonly moeLayers: number;
  private readonly flopsPerUs: number;
  private readonly bytesPerUs: number;
  private readonly linkBytesPerUs: number;

  constructor(
    private readonly model: ModelSpec,
    gpu: GpuSpec,
    private readonly tp: number,
    c: PhysicsCoefficients,
  ) {
    const d = model.hidden;
    const dKv = model.kv_heads * model.head_dim;
    const mlpExperts = model.experts > 0 ? model.experts_top_k : 1;
    const perLayer = 2 * (d * d + 2 * d * dKv) + 2 * d * d + 2 * 3 * d * model.ffn * mlpExperts;
    this.gemmFlopsPerToken = perLayer * model.layers;
    this.attnFlopsPerTokenCtx = 4 * model.heads * model.head_dim * model.layers;
    this.kvBytesPerToken = 2 * model.layers * model.kv_heads * model.head_dim * model.dtype_bytes;
    this.flopsPerUs = (gpu.bf16_flops * tp) / 1e6;
    this.bytesPerUs = (gpu.hbm_bandwidth * tp) / 1e6;
    this.linkBytesPerUs = gpu.interconnect_bandwidth / 1e6;
    this.tWeightUs = weightBytes(model) / this.bytesPerUs;
    // Two all-reduces per layer, each moving tokens·d·B·2·(TP−1)/TP bytes.
    this.tpBytesPerToken = tp > 1 ? 2 * model.layers * d * model.dtype_bytes * 2 * ((tp - 1) / tp) : 0;
    this.moeLayers = model.experts > 0 ? model.layers : 0;
    this.beta = Float64Array.from(PHYSICS_TERMS, (k) => c[k]);
  }

  /** x(b): roofline times at datasheet peak (µs), layers, requests, 1, MoE layers. */
  basis(b: BatchShape, x: Float64Array): void {
    x[0] = (b.prefillTokens * this.gemmFlopsPerToken + b.prefillAttnWork * this.attnFlopsPerTokenCtx) / this.flopsPerUs;
    x[1] = (b.prefillKvTokens * this.kvBytesPerToken) / this.bytesPerUs;
    x[2] = (b.decodeSeqs * this.gemmFlopsPerToken + b.decodeContext * this.attnFlopsPerTokenCtx) / this.flopsPerUs;
    x[3] = ((b.decodeContext + b.decodeSeqs) * this.kvBytesPerToken) / this.bytesPerUs;
    x[4] = this.tWeightUs;
    x[5] = this.tp > 1 ? ((b.prefillTokens + b.decodeSeqs) * this.tpBytesPerToken) / this.linkBytesPerUs : 0;
    x[6] = this.model.layers;
    x[7] = b.batchSize;
    x[8] = 1;
    x[9] = this.moeLayers;
  }

  fixedUs(_b: BatchShape): number {
    return 0;
  }

  stepUs(b: BatchShape): number {
    const x = this.x;
    this.basis(b, x);
    const beta = this.beta;
    let us = 0;
    for (let i = 0; i < x.length; i++) us += beta[i]! * x[i]!;
    return us + this.fixedUs(b);
  }
}
