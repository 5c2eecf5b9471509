/**
 * BLIS "trained-physics" step time (engine.md §4.4): a weighted sum of roofline times of each
 * component at datasheet peak (no MFU), plus per-layer, per-request and per-step constants, in the
 * basis the published coefficients were fitted on (BLIS@638a7d33; ../shared/reference/calibration.md
 * §2.2–2.3, §2.5, §2.7, §6.1–6.3, §6.7):
 *
 *   step = β1a·T_pf_compute + β1b·T_pf_kv + β2a·T_dc_compute + β2b·T_dc_kv + β3·T_weight
 *        + β4·T_tp + β5·L + β6·batch + β7 + β8·n_MoE(BLIS) + fixedUs
 *
 * - T_pf_compute: linear FLOPs of the prefill tokens + attention 4·(h/TP)·d_h·L·Σ t_i·(P_i + t_i/2)
 *   with P_i the full prompt (BatchShape.prefillPromptWork), at the GPU's bf16 peak;
 * - T_pf_kv: KV bytes of the new prefill tokens only; T_dc_kv: decode contexts read + 1 written;
 * - T_dc_compute: decode tokens' linear FLOPs + attention over their contexts;
 * - T_weight: non-embedding weights per GPU, MoE experts min(E, max(k, T·k)) (physics/census.ts);
 * - T_tp: collectives in the fitted H100-HBM unit, scaled by the GPU's link (physics/allReduce.ts);
 * - n_MoE(BLIS): ⌊L/(step+1)⌋ for interleaved MoE (Llama-4) only, 0 for uniform MoE and dense.
 * Per-GPU figures divide by TP (attention heads, shards); EP/DP as physics/census.ts says.
 */
import type { GpuSpec, ModelSpec } from '../../hardware/types.js';
import type { PhysicsCoefficients } from '../../scenario/types.js';
import type { BatchShape } from './batchShape.js';
import { NO_EXPERT_PARALLEL, type Parallelism } from '../modelMath.js';
import type { LinearInCoefficients } from './basis.js';
import { type PhysicsCensus, physicsCensus, weightBytesRead } from './physics/census.js';
import { type CommTerm, commTerm } from './physics/allReduce.js';

/** The coefficients in basis order (calibrate fits them; the scenario's `coefficients` keys). */
export const PHYSICS_TERMS = [
  'beta1a', 'beta1b', 'beta2a', 'beta2b', 'beta3', 'beta4',
  'beta5_us_per_layer', 'beta6_us_per_request', 'beta7_us_per_step', 'beta8_us_per_moe_layer',
] as const;

export class PhysicsStepTime implements LinearInCoefficients {
  readonly name = 'physics';
  readonly terms: readonly string[] = PHYSICS_TERMS;
  readonly census: PhysicsCensus;
  readonly comm: CommTerm;
  private readonly x = new Float64Array(PHYSICS_TERMS.length);
  private readonly beta: Float64Array;
  private readonly flopsPerUs: number;
  private readonly bytesPerUs: number;

  constructor(model: ModelSpec, gpu: GpuSpec, tp: number, c: PhysicsCoefficients, par: Parallelism = NO_EXPERT_PARALLEL) {
    this.census = physicsCensus(model, tp, par);
    this.comm = commTerm(this.census, gpu, tp, model.hidden);
    // Per GPU: every census figure is already one GPU's share.
    this.flopsPerUs = gpu.bf16_flops / 1e6;
    this.bytesPerUs = gpu.hbm_bandwidth / 1e6;
    this.beta = Float64Array.from(PHYSICS_TERMS, (k) => c[k]);
  }

  /** x(b): roofline times at datasheet peak (µs), layers, requests, 1, BLIS's MoE layer count. */
  basis(b: BatchShape, x: Float64Array): void {
    const c = this.census;
    const tokens = b.prefillTokens + b.decodeSeqs;
    x[0] = (b.prefillTokens * c.gemmFlopsPerToken + b.prefillPromptWork * c.attnFlopsPerPair) / this.flopsPerUs;
    x[1] = (b.prefillTokens * c.kvBytesPerToken) / this.bytesPerUs;
    x[2] = (b.decodeSeqs * c.gemmFlopsPerToken + b.decodeContext * c.attnFlopsPerPair) / this.flopsPerUs;
    x[3] = ((b.decodeContext + b.decodeSeqs) * c.kvBytesPerToken) / this.bytesPerUs;
    x[4] = weightBytesRead(c, tokens) / this.bytesPerUs;
    x[5] = (tokens * this.comm.bytesPerToken) / this.comm.bytesPerUs;
    x[6] = c.layers;
    x[7] = b.batchSize;
    x[8] = 1;
    x[9] = c.blisMoeLayers;
  }

  /** The collectives' per-call latency beyond the H100's, which the fitted β4 already holds. */
  fixedUs(_b: BatchShape): number {
    return this.comm.fixedUs;
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
