/** Sizes derived from a model's shape: parameters, weight bytes, KV bytes, LoRA adapter bytes. */
import type { ModelSpec } from '../hardware/types.js';

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
