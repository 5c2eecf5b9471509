/**
 * Per-GPU constants of BLIS's fitted trained-physics basis, from a model shape
 * (../shared/reference/calibration.md §2.2–2.3, §2.5, §2.7, §6.1, §6.2, §6.7):
 *
 * - layers: vLLM's census (dense vs MoE: `moe_layers`) for FLOPs and bytes; BLIS's own count
 *   ⌊L/(step+1)⌋ for β8, only for interleaved MoE (Llama-4 `interleave_moe_layer_step`), else 0;
 * - linear FLOPs per token: attention projections 2·d·(q + 2kv) + 2·q·d with q = h·d_h,
 *   kv = h_kv·d_h (head_dim, not d/h); dense layers 6·d·d_ff with their own width (`dense_ffn`);
 *   MoE layers k·6·d·d_e (routed) + 6·d·d_s (shared experts, every token) + 2·d·E (router,
 *   replicated on every GPU); everything but the router ÷TP;
 * - attention 4·(h/TP)·d_h per (query, key) pair and layer; KV 2·max(1, h_kv/TP)·d_h·2 bytes per token
 *   and layer (2-byte elements, as the basis fixes them; MLA: the whole latent on every GPU);
 * - weights read per step: no embeddings, no LM head; per GPU ÷TP; routed experts charged as
 *   min(E, max(k, T·k)) touched experts per MoE layer, spread over the expert group (TP, or TP·DP
 *   whole experts with expert parallelism, T then being the padded global count DP·T_own).
 *
 * Not modelled: MLA's absorbed decode attention (pairs priced at 4·h·d_h with d_h = d_n + d_r), sliding-window / chunked attention caps, the LM head FLOPs (as in the fitted basis).
 */
import type { ModelSpec } from '../../../hardware/types.js';
import { moeLayerCount, type Parallelism, parameterCount, routedExpertBytes, weightBytes } from '../../modelMath.js';

export interface PhysicsCensus {
  readonly layers: number;
  /** vLLM's census of MoE layers (FLOPs, bytes, collectives). */
  readonly moeLayers: number;
  readonly denseLayers: number;
  /** What β8 multiplies: ⌊L/(step+1)⌋ for interleaved MoE (Llama-4), 0 otherwise (BLIS@638a7d33). */
  readonly blisMoeLayers: number;
  /** Linear-layer FLOPs per new token on one GPU, all layers. */
  readonly gemmFlopsPerToken: number;
  /** Attention FLOPs per (query, key) pair on one GPU, all layers: 4·(h/TP)·d_h·L. */
  readonly attnFlopsPerPair: number;
  /** KV bytes per token on one GPU, all layers. */
  readonly kvBytesPerToken: number;
  /** Weight bytes every step reads on one GPU besides the routed experts (attention, dense MLP, shared experts, router). */
  readonly fixedWeightBytes: number;
  /** Bytes of one whole routed expert over all MoE layers (3·d·d_e·B_w·n_MoE), before sharding. */
  readonly expertBytes: number;
  readonly experts: number;
  readonly topK: number;
  /** Expert parallelism in effect (an MoE model, `expert_parallel`, TP·DP > 1). */
  readonly expertParallel: boolean;
  /** GPUs the routed experts are spread over: TP, or TP·DP with expert parallelism. */
  readonly expertGroup: number;
  /** MoE rows per own token: DP with expert parallelism (T_pad = DP·T_own, ranks assumed balanced), else 1. */
  readonly moeTokenScale: number;
}

/**
 * Attention projection parameters per layer, d·(q + 2kv) + q·d (calibration.md §6.2). An MLA model
 * (DeepSeek, §2.4) has low-rank projections the spec does not list: its per-layer share of the
 * config's exact parameter count once embeddings, norms, MLPs, experts and routers are taken out.
 */
export function attentionProjectionParams(m: ModelSpec): number {
  if (m.kv_lora_rank !== undefined && m.parameter_count !== undefined) {
    const d = m.hidden;
    const nMoe = moeLayerCount(m);
    const mlp = (m.layers - nMoe) * 3 * d * (m.dense_ffn ?? m.ffn) + nMoe * (m.experts * 3 * d * m.ffn + d * m.experts + 3 * d * (m.shared_ffn ?? 0));
    const rest = m.vocab * d * (m.tie_embeddings ? 1 : 2) + d + m.layers * 2 * d;
    return (m.parameter_count - rest - mlp) / m.layers;
  }
  const q = m.heads * m.head_dim;
  const kv = m.kv_heads * m.head_dim;
  return m.hidden * (q + 2 * kv) + q * m.hidden;
}

/** β8's layer count: BLIS gates it on `interleave_moe_layer_step > 0` and counts ⌊L/(step+1)⌋ (§6.1). */
export function blisMoeLayerCount(m: ModelSpec): number {
  const step = m.interleave_moe_layer_step ?? 0;
  return m.experts > 0 && step > 0 ? Math.floor(m.layers / (step + 1)) : 0;
}

/** Bytes per non-expert linear weight: dtype_bytes, or for a quantized config.json model the average its weight_bytes implies. */
function linearBytesPerParam(m: ModelSpec): number {
  if (m.weight_bytes === undefined) return m.dtype_bytes;
  const embParams = m.vocab * m.hidden * (m.tie_embeddings ? 1 : 2);
  const routedParams = moeLayerCount(m) * m.experts * 3 * m.hidden * m.ffn;
  return (weightBytes(m) - routedExpertBytes(m) - embParams * m.dtype_bytes) / (parameterCount(m) - embParams - routedParams);
}

export function physicsCensus(m: ModelSpec, tp: number, par: Parallelism): PhysicsCensus {
  const d = m.hidden;
  const L = m.layers;
  const nMoe = moeLayerCount(m);
  const nDense = L - nMoe;
  const dFf = m.experts > 0 ? (m.dense_ffn ?? m.ffn) : m.ffn;
  const dS = m.shared_ffn ?? 0;
  const E = m.experts;
  const k = m.experts_top_k;
  const bLin = linearBytesPerParam(m);
  const attn = attentionProjectionParams(m);
  // Parameters of one GPU's TP shard touched by every token (routed experts apart).
  const sharded = L * attn + nDense * 3 * d * dFf + nMoe * 3 * d * dS;
  const router = nMoe * d * E;
  const routedActive = nMoe * k * 3 * d * m.ffn;
  const ep = par.ep && E > 0 && tp * par.dp > 1;
  const kvPerLayer = m.kv_lora_rank !== undefined ? m.kv_lora_rank + (m.qk_rope_head_dim ?? 0) : 2 * Math.max(1, m.kv_heads / tp) * m.head_dim;
  return {
    layers: L,
    moeLayers: nMoe,
    denseLayers: nDense,
    blisMoeLayers: blisMoeLayerCount(m),
    gemmFlopsPerToken: (2 * (sharded + routedActive)) / tp + 2 * router,
    attnFlopsPerPair: 4 * (m.heads / tp) * m.head_dim * L,
    kvBytesPerToken: kvPerLayer * L * 2,
    fixedWeightBytes: (sharded * bLin) / tp + router * bLin,
    expertBytes: E > 0 ? routedExpertBytes(m) / E : 0,
    experts: E,
    topK: k,
    expertParallel: ep,
    expertGroup: ep ? tp * par.dp : tp,
    moeTokenScale: ep ? par.dp : 1,
  };
}

/** Weight bytes one GPU reads in a step of `tokens` new tokens (the β3 term's numerator, §6.1, §6.7). */
export function weightBytesRead(c: PhysicsCensus, tokens: number): number {
  if (c.experts === 0) return c.fixedWeightBytes;
  const rows = tokens * c.moeTokenScale * c.topK;
  const touched = Math.min(c.experts, Math.max(c.topK, rows));
  return c.fixedWeightBytes + (touched * c.expertBytes) / c.expertGroup;
}
