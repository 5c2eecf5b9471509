/** GPU datasheet values and model shapes (engine.md §4); the numbers live in gpus.json / models.json. */
export interface GpuSpec {
  readonly name: string;
  /** Dense bf16 tensor throughput, FLOP/s. */
  readonly bf16_flops: number;
  /** HBM bandwidth, bytes/s. */
  readonly hbm_bandwidth: number;
  /** Device memory as the runtime reports it, bytes. */
  readonly memory_bytes: number;
  /** GPU-to-GPU link bandwidth, one direction (half the datasheet's bidirectional total), bytes/s. */
  readonly interconnect_bandwidth: number;
  /** What the TP/EP collectives run over (calibration.md §3.6, §7). */
  readonly link: GpuLink;
  /** Large-message all-reduce bus bandwidth (NCCL `busbw`), bytes/s; sources in catalog.ts GPU_LINK_SOURCES. */
  readonly allreduce_busbw: number;
  /** Fixed cost of one all-reduce call, µs (custom all-reduce over NVLink: a few µs; NCCL over PCIe: tens). */
  readonly allreduce_latency_us: number;
}

/** GPU-to-GPU interconnect kind. */
export type GpuLink = 'nvlink' | 'pcie' | 'infinity-fabric';

export interface ModelSpec {
  readonly name: string;
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly kv_heads: number;
  readonly head_dim: number;
  /** MLP intermediate size (per expert for MoE). */
  readonly ffn: number;
  readonly vocab: number;
  readonly max_model_len: number;
  readonly tie_embeddings: boolean;
  /** Bytes per weight / KV element (2 = bf16). */
  readonly dtype_bytes: number;
  readonly experts: number;
  readonly experts_top_k: number;

  // Optional fields, set only by models read from a Hugging Face config.json (hfConfig.ts,
  // calibration.md §2). Catalog entries leave them out, so their numbers do not change.

  /** Exact total parameter count from the config (§2.2–2.4); modelMath.parameterCount returns it when set. */
  readonly parameter_count?: number;
  /** Parameters touched per token (attention, dense layers, top-k + shared experts, router, embeddings, LM head). */
  readonly active_parameter_count?: number;
  /** Resident weight bytes when not all weights are `dtype_bytes` wide (FP8, MXFP4 experts); weightBytes returns it when set. */
  readonly weight_bytes?: number;
  /** Resident bytes of the routed experts, all layers (set for config.json MoE models; modelMath.routedExpertBytes). */
  readonly routed_expert_bytes?: number;
  /**
   * Llama-4 `interleave_moe_layer_step` as the config gives it (absent for every other model). BLIS's
   * fitted β8 applies only to such interleaved MoE, counting ⌊L/(step+1)⌋ MoE layers (calibration.md §6.1);
   * `moe_layers` keeps vLLM's census (⌊L/step⌋) for FLOPs and bytes.
   */
  readonly interleave_moe_layer_step?: number;
  /** Number of MoE layers (the rest are dense; absent = all layers when experts > 0). */
  readonly moe_layers?: number;
  /** MLP width of the dense layers of a mixed dense/MoE model (DeepSeek `intermediate_size`, Llama-4 `intermediate_size_mlp`). */
  readonly dense_ffn?: number;
  /** Total shared-expert width per MoE layer (DeepSeek n_shared·d_e, Llama-4 intermediate_size, Qwen2-MoE). */
  readonly shared_ffn?: number;
  /** MLA latent KV rank (DeepSeek-V2/V3): KV per token per layer is (kv_lora_rank + qk_rope_head_dim) elements, not divided by TP. */
  readonly kv_lora_rank?: number;
  /** MLA decoupled RoPE key width, stored next to the latent. */
  readonly qk_rope_head_dim?: number;
  /** Where the shape came from (the config.json path, and its `_source` model id). */
  readonly source?: string;
}
