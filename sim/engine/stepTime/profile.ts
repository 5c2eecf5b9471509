/**
 * Profile-table step time (../shared/reference/calibration.md §3.2–3.4, LLMServingSim v1
 * semantics): a mixed batch's step is composed from per-layer tables measured on the GPU,
 *
 *   step = embedding(T) + final_layernorm(T)
 *        + L · [ 2·layernorm(T) + qkv_proj(T) + [qk_norm(T)] + rotary_emb(T) + o_proj(T)
 *                + gate_up_proj(T) + act_fn(T) + down_proj(T)
 *                + attention(pc, kp, nd, kv_mean) + [TP>1: 2·AR(T·d·B)] ]
 *        + lm_head(R) + sampler(R)
 *
 * with T = new tokens (prefill chunk tokens + one per decode), pc = Σ prefill chunk tokens,
 * kp = Σ tokens already computed before those chunks (prefillKvTokens − prefillTokens),
 * nd = decoding sequences, kv_mean = ⌊Σ decode contexts / nd⌋, R = sequences in the step,
 * L = the model's layers. One attention lookup covers prefill and decode jointly (§3.3).
 * Lookups: linear in the value between samples, clamped below, extrapolated linearly from the
 * top two samples above, every table monotone non-decreasing (profile/grid.ts, §3.4).
 * Decode-length skew: LSS's blend toward t(kv_max) with the profile meta's pooled α
 * (profile/skew.ts; the RTX 4090 profile has none). Not modelled: MoE tables. TP>1 adds two all-reduces per layer from `all_reduce` (§3.6): latency_us +
 * bytes·2(TP−1)/TP / busbw, or `{table}` a Vidur NCCL table (profile/networkTable.ts) + launch_us
 * per call; the tables themselves must be the TP shard's (prefix …_tp<N>).
 * The Vidur format (profile: {format: vidur, …}) is profile/vidurStep.ts.
 */
import type { ModelSpec } from '../../hardware/types.js';
import type { AllReduceCost, LlmServingSimSource } from '../../scenario/types.js';
import { UserError } from '../../core/errors.js';
import type { BatchShape, StepTimeModel } from './batchShape.js';
import { curveAt, type Grid, lookup } from './profile/grid.js';
import { type AllReduceFn, allReduceFn } from './profile/vidurStep.js';
import { skewAlpha } from './profile/skew.js';
import { BLOCK_OPS, loadLlmServingSim, OPTIONAL_BLOCK_OPS, STEP_OPS } from './profile/llmservingsim.js';

export class ProfileStepTime implements StepTimeModel {
  readonly name = 'profile';
  private readonly perStep: Grid[];
  private readonly perBlock: Grid[];
  private readonly perSeq: Grid[];
  private readonly attention: Grid;
  private readonly layers: number;
  /** µs per new token of the two per-layer all-reduces, summed over layers. */
  private readonly arUsPerToken: number;
  /** µs of the all-reduces' latency per step (2L calls). */
  private readonly arUsPerStep: number;
  /** `all_reduce: {table}`: µs of one call vs bytes; null otherwise. */
  private readonly arTable: AllReduceFn | null;
  private readonly arBytesPerToken: number;
  private readonly q = [0, 0, 0, 0];
  /** LSS's pooled decode-length skew α (profile/skew.ts); 0 = no blend. */
  readonly skewAlpha: number;

  constructor(src: LlmServingSimSource, model: ModelSpec, tp: number, ar: AllReduceCost | null) {
    const m = /_tp(\d+)$/.exec(src.prefix);
    if (m && Number(m[1]) !== tp) {
      throw new UserError(`step_time.profile.prefix: ${src.prefix} is a TP${m[1]} profile but the replicas run TP${tp} (fix: use the …_tp${tp} tables of the same GPU and model)`);
    }
    if (tp > 1 && ar === null) {
      throw new UserError(`step_time.all_reduce: TP${tp} needs the all-reduce cost, the tables time one shard (fix: add all_reduce: {latency_us: 20, busbw_gbps: 16}, values measured on your GPUs, or {table: <a Vidur NCCL all_reduce csv>})`);
    }
    const t = loadLlmServingSim(src.dir, src.prefix);
    this.perStep = STEP_OPS.map((o) => t.dense.get(o)!);
    this.perBlock = [...BLOCK_OPS, 'layernorm', ...OPTIONAL_BLOCK_OPS].filter((o) => t.dense.has(o)).map((o) => t.dense.get(o)!);
    this.perSeq = [...t.perSequence.values()];
    this.attention = t.attention;
    this.skewAlpha = src.skew === false ? 0 : skewAlpha(src.dir, src.prefix, tp);
    this.layers = model.layers;
    const calls = 2 * model.layers;
    this.arBytesPerToken = model.hidden * model.dtype_bytes;
    this.arTable = ar !== null && ar.table !== undefined ? allReduceFn(ar, tp, 'step_time.all_reduce.table') : null;
    if (tp > 1 && ar !== null && ar.table === undefined) {
      this.arUsPerStep = calls * ar.latency_us;
      this.arUsPerToken = (calls * model.hidden * model.dtype_bytes * 2 * ((tp - 1) / tp)) / (ar.busbw_gbps * 1e3);
    } else {
      this.arUsPerStep = 0;
      this.arUsPerToken = 0;
    }
  }

  stepUs(b: BatchShape): number {
    const T = b.prefillTokens + b.decodeSeqs;
    let perStep = 0;
    for (const g of this.perStep) perStep += curveAt(g, T);
    let perBlock = 0;
    for (const g of this.perBlock) perBlock += curveAt(g, T);
    const q = this.q;
    q[0] = b.prefillTokens;
    q[1] = b.prefillKvTokens - b.prefillTokens;
    q[2] = b.decodeSeqs;
    q[3] = b.decodeSeqs > 0 ? Math.floor(b.decodeContext / b.decodeSeqs) : 0;
    const attn = lookup(this.attention, q);
    perBlock += attn;
    // Decode-length skew (profile/skew.ts): blend toward the lookup at the longest decode context.
    if (this.skewAlpha !== 0 && b.decodeSeqs > 1 && b.decodeContextMax > q[3]! && b.decodeContextMin < b.decodeContextMax) {
      q[3] = b.decodeContextMax;
      const atMax = lookup(this.attention, q);
      if (atMax > attn) perBlock += this.skewAlpha * (atMax - attn);
    }
    let perSeq = 0;
    for (const g of this.perSeq) perSeq += curveAt(g, b.batchSize);
    const ar = this.arTable !== null ? 2 * this.layers * this.arTable(T * this.arBytesPerToken) : this.arUsPerStep > 0 ? this.arUsPerStep + this.arUsPerToken * T : 0;
    return perStep + this.layers * perBlock + perSeq + ar;
  }
}
