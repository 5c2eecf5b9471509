/**
 * Vidur profile-table step time (calibration.md §3.5), plus what Vidur leaves out:
 *
 *   step = L · [ input_layernorm + attn_pre_proj + attn_rope + attn_post_proj
 *                + post_attention_layernorm + mlp_up_proj + mlp_act + mlp_down_proj + add
 *                + attention(b) + [TP>1: 2·AR(T₈·d·2 bytes)] ]                (Vidur, per layer)
 *        + emb(T₈) + input_layernorm(T₈)                                     (embedding gather, final norm)
 *        + LM head(R) + sampler(R)                                           (roofline, see below)
 *
 * Operators come from the Vidur mlp table at the replicas' TP (vidur.ts), at T₈ = the step's new
 * tokens rounded up to a multiple of 8 (Vidur's lookup grid, §3.4). Attention (attention.ts) comes
 * from a Vidur-style table when `attention` is given, else roofline. The all-reduce (§3.6) comes
 * from the Vidur NCCL table (`profile.all_reduce`: num_workers = devices_per_node = TP, size =
 * T₈·d·2 bytes, + 0.02 ms launch per call) or from `step_time.all_reduce`.
 * Vidur omits embedding, LM head and sampler (§3.5, "a visible omission for 128k-vocab models");
 * here the embedding and final norm use the table's own `emb` and `input_layernorm` rows, and
 *   LM head(R) = max(2·V·d·R / (peak·TP), V·d·B / (HBM BW·TP))   (R sequences, vocab-parallel)
 *   sampler(R) = R·V·4 B·2 / HBM BW                               (write and read fp32 logits once)
 * at datasheet peak / bandwidth.
 */
import type { GpuSpec, ModelSpec } from '../../../hardware/types.js';
import type { AllReduceCost, VidurSource } from '../../../scenario/types.js';
import { inputError, UserError } from '../../../core/errors.js';
import type { BatchShape, StepTimeModel } from '../batchShape.js';
import { type AttentionModel, RooflineAttention, TableAttention } from './attention.js';
import { curveAt, type Grid } from './grid.js';
import { allReduceCurve, allReduceUs, loadAllReduceTable } from './networkTable.js';
import { loadVidurMlp, MLP_FIX, VIDUR_OPS, vidurOpsAt } from './vidur.js';

/** Vidur's default per-call CPU launch cost of a collective (0.02 ms, §3.6). */
export const VIDUR_AR_LAUNCH_US = 20;

const LAYER_OPS = VIDUR_OPS.filter((o) => o !== 'emb');

/** All-reduce of `bytes`, µs per call. */
export type AllReduceFn = (bytes: number) => number;

/** The per-call all-reduce cost from `step_time.all_reduce` (latency + busbw, or a table), or null. */
export function allReduceFn(ar: AllReduceCost | null, tp: number, field: string): AllReduceFn | null {
  if (ar === null || tp <= 1) return null;
  if (ar.table !== undefined) {
    const g = allReduceCurve(loadAllReduceTable(ar.table), tp, field);
    const launch = ar.launch_us;
    return (bytes) => launch + allReduceUs(g, bytes);
  }
  const { latency_us, busbw_gbps } = ar;
  const f = (2 * (tp - 1)) / tp / (busbw_gbps * 1e3);
  return (bytes) => latency_us + bytes * f;
}

export class VidurStepTime implements StepTimeModel {
  readonly name = 'profile';
  private readonly layerOps: Grid[];
  private readonly emb: Grid;
  private readonly norm: Grid;
  private readonly attention: AttentionModel;
  private readonly ar: AllReduceFn | null;
  private readonly layers: number;
  private readonly arBytesPerToken: number;
  private readonly lmFlopUsPerSeq: number;
  private readonly lmWeightUs: number;
  private readonly samplerUsPerSeq: number;

  constructor(src: VidurSource, model: ModelSpec, gpu: GpuSpec, tp: number, ar: AllReduceCost | null) {
    const table = loadVidurMlp(src.mlp);
    if (table.hidden !== model.hidden) {
      throw inputError(src.mlp, 'n_embd', `the table is for hidden size ${table.hidden}, model ${model.name} has ${model.hidden}`, MLP_FIX.replace('point', 'point step_time.profile.mlp at the table of this model, or'));
    }
    const ops = vidurOpsAt(table, tp);
    this.layerOps = LAYER_OPS.map((o) => ops.get(o)!);
    this.emb = ops.get('emb')!;
    this.norm = ops.get('input_layernorm')!;
    this.attention = src.attention !== undefined ? new TableAttention(src.attention, model, tp) : new RooflineAttention(model, gpu, tp);
    if (tp > 1 && src.all_reduce !== undefined) {
      this.ar = allReduceFn({ table: src.all_reduce, launch_us: VIDUR_AR_LAUNCH_US }, tp, 'step_time.profile.all_reduce');
    } else if (tp > 1 && ar !== null) {
      this.ar = allReduceFn(ar, tp, 'step_time.all_reduce.table');
    } else if (tp > 1) {
      throw new UserError(`step_time.profile.all_reduce: TP${tp} needs the all-reduce cost, the tables time one shard (fix: add profile.all_reduce: ../shared/data/calibration/vidur/vidur_network_h100_dgx_all_reduce.csv.gz, or step_time.all_reduce: {latency_us, busbw_gbps})`);
    } else this.ar = null;
    this.layers = model.layers;
    this.arBytesPerToken = model.hidden * 2; // Vidur converts size = tokens·d·2 (fp16)
    const vd = model.vocab * model.hidden;
    this.lmFlopUsPerSeq = (2 * vd) / ((gpu.bf16_flops * tp) / 1e6);
    this.lmWeightUs = (vd * model.dtype_bytes) / ((gpu.hbm_bandwidth * tp) / 1e6);
    this.samplerUsPerSeq = (model.vocab * 4 * 2) / (gpu.hbm_bandwidth / 1e6);
  }

  stepUs(b: BatchShape): number {
    const T = b.prefillTokens + b.decodeSeqs;
    if (T === 0) return 0;
    const t8 = Math.ceil(T / 8) * 8;
    let layer = 0;
    for (const g of this.layerOps) layer += curveAt(g, t8);
    layer += this.attention.layerUs(b);
    if (this.ar !== null) layer += 2 * this.ar(t8 * this.arBytesPerToken);
    const R = b.batchSize;
    const lmHead = R > 0 ? Math.max(R * this.lmFlopUsPerSeq, this.lmWeightUs) : 0;
    return this.layers * layer + curveAt(this.emb, t8) + curveAt(this.norm, t8) + lmHead + R * this.samplerUsPerSeq;
  }
}
