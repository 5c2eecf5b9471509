/** GPU datasheet values and model shapes (engine.md §4); the numbers live in gpus.json / models.json. */
export interface GpuSpec {
  readonly name: string;
  /** Dense bf16 tensor throughput, FLOP/s. */
  readonly bf16_flops: number;
  /** HBM bandwidth, bytes/s. */
  readonly hbm_bandwidth: number;
  /** Device memory as the runtime reports it, bytes. */
  readonly memory_bytes: number;
  /** GPU-to-GPU bandwidth used by tensor-parallel all-reduce, bytes/s. */
  readonly interconnect_bandwidth: number;
}

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
}
