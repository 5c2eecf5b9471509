/**
 * Sizes derived from a model's shape: parameters, weight bytes (whole and per GPU under TP / EP),
 * KV bytes, LoRA adapter bytes. Sharding per calibration.md §2.7.
 */
import type { ModelSpec } from '../hardware/types.js';

/** Data and expert parallelism of a replica group (each routesim replica is one DP rank of TP GPUs). */
export interface Parallelism {
  /** DP ranks stepping together (the MoE collectives force lockstep when `ep`). */
  readonly dp: number;
  /** vLLM `enable_expert_parallel`: whole experts spread over TP·DP GPUs. */
  readonly ep: boolean;
}

/** No data or expert parallelism: what every scenario without `expert_parallel` runs. */
export const NO_EXPERT_PARALLEL: Parallelism = { dp: 1, ep: false };

/** What a fleet / replica group's optional `expert_parallel` / `data_parallel` fields mean (absent = false / 1). */
export function parallelismOf(g: { readonly expert_parallel?: boolean | undefined; readonly data_parallel?: number | undefined }): Parallelism {
  return { dp: g.data_parallel ?? 1, ep: g.expert_parallel ?? false };
}

/** Copies only the parallelism fields a scenario set, so a resolved scenario without them stays byte-identical. */
export function parallelKeys(o: { readonly expert_parallel?: boolean | undefined; readonly data_parallel?: number | undefined }): { expert_parallel?: boolean; data_parallel?: number } {
  return { ...(o.expert_parallel !== undefined ? { expert_parallel: o.expert_parallel } : {}), ...(o.data_parallel !== undefined ? { data_parallel: o.data_parallel } : {}) };
}

/** vLLM's census of MoE layers (moe_layers, else every layer of an MoE model). */
export function moeLayerCount(m: ModelSpec): number {
  return m.experts > 0 ? (m.moe_layers ?? m.layers) : 0;
}

/** Resident bytes of the routed experts over all layers (E·3·d·d_e per MoE layer, bf16 unless the config is quantized). */
export function routedExpertBytes(m: ModelSpec): number {
  if (m.experts === 0) return 0;
  return m.routed_expert_bytes ?? moeLayerCount(m) * m.experts * 3 * m.hidden * m.ffn * m.dtype_bytes;
}

/**
 * Weight bytes resident on one GPU (calibration.md §2.7): everything ÷TP; with expert parallelism
 * the routed experts are whole, E/(TP·DP) per GPU, so non-expert/TP + experts/(TP·DP).
 */
export function weightBytesPerGpu(m: ModelSpec, tp: number, par: Parallelism = NO_EXPERT_PARALLEL): number {
  if (!par.ep || m.experts === 0) return weightBytes(m) / tp;
  const experts = routedExpertBytes(m);
  return (weightBytes(m) - experts) / tp + experts / (tp * par.dp);
}

/** Parameter count: embeddings (+ untied LM head) and per layer Q,O (d²), K,V (d·d_kv), gated MLP (3·d·d_ff per expert). */
export function parameterCount(m: ModelSpec): number {
  if (m.parameter_count !== undefined) return m.parameter_count; // a config.json model (hardware/hfConfig.ts)
  const d = m.hidden;
  const dKv = m.kv_heads * m.head_dim;
  const experts = m.experts > 0 ? m.experts : 1;
  const perLayer = 2 * d * d + 2 * d * dKv + 3 * d * m.ffn * experts;
  const embeddings = m.vocab * d * (m.tie_embeddings ? 1 : 2);
  return perLayer * m.layers + embeddings;
}

export function weightBytes(m: ModelSpec): number {
  if (m.weight_bytes !== undefined) return m.weight_bytes; // quantized config.json model (hardware/hfConfig.ts)
  return parameterCount(m) * m.dtype_bytes;
}

/** KV bytes of one block on one GPU: block_size × 2 × layers × (kv_heads / TP) × head_dim × dtype. */
export function kvBytesPerBlockPerGpu(m: ModelSpec, blockSize: number, tp: number): number {
  if (m.kv_lora_rank !== undefined) return blockSize * m.layers * (m.kv_lora_rank + (m.qk_rope_head_dim ?? 0)) * m.dtype_bytes; // MLA latent, every TP rank holds it (calibration.md §2.4)
  return blockSize * 2 * m.layers * (m.kv_heads / tp) * m.head_dim * m.dtype_bytes;
}

/** Bytes of one LoRA adapter of rank r over the attention and MLP projections (A: d_in×r, B: r×d_out). */
export function loraAdapterBytes(m: ModelSpec, rank: number): number {
  const d = m.hidden;
  const dKv = m.kv_heads * m.head_dim;
  const dims = (d + d) /* q */ + (d + dKv) * 2 /* k, v */ + (d + d) /* o */ + (d + m.ffn) * 3; /* gate, up, down */
  return rank * dims * m.layers * m.dtype_bytes;
}
