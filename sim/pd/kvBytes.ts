/**
 * Size of a P/D KV transfer (gateway.md §4.4): bytes of K and V for every layer per prompt token,
 * and the share of them one GPU's link carries.
 */
import type { ModelSpec } from '../hardware/types.js';

/**
 * K + V over all layers for one token: 2 · L · n_kv_heads · d_head · dtype bytes (Llama-3.1-8B:
 * 131,072); MLA models (DeepSeek-V3) keep one latent per layer instead, L · (kv_lora_rank +
 * qk_rope_head_dim) · bytes (≈ 70,272 B, gateway.md §4.4), replicated on every TP rank.
 */
export function kvBytesPerToken(model: ModelSpec): number {
  if (model.kv_lora_rank !== undefined) return model.layers * (model.kv_lora_rank + (model.qk_rope_head_dim ?? 0)) * model.dtype_bytes;
  return 2 * model.layers * model.kv_heads * model.head_dim * model.dtype_bytes;
}

/**
 * Bytes one GPU sends / receives to move `tokens` tokens of KV from a TP `tpPrefill` pod to a TP
 * `tpDecode` pod, whole bytes (ceil). Each rank holds kv_heads / TP heads when kv_heads ≥ TP;
 * with fewer KV heads than ranks the heads are replicated, so a rank holds 1/kv_heads of the KV:
 * per rank = 1 / min(TP, kv_heads) (gateway.md §4.4; BLIS divides by TP regardless, which §4.4 flags
 * as optimistic). With different TPs the side holding the larger share per GPU is the bottleneck
 * (§4.5 example: TP 1 prefill feeding TP 4 decode, one NIC carries all of it), hence
 * min(tpPrefill, tpDecode, kv_heads). MLA models are not in the catalog and not modelled here.
 */
export function kvTransferBytesPerGpu(model: ModelSpec, tokens: number, tpPrefill: number, tpDecode: number): number {
  // An MLA latent is replicated on every rank: each rank moves all of it.
  const ways = model.kv_lora_rank !== undefined ? 1 : Math.min(tpPrefill, tpDecode, model.kv_heads);
  return Math.ceil((tokens * kvBytesPerToken(model)) / ways);
}
