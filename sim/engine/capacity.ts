/**
 * KV capacity per replica, as vLLM profiles it (engine.md §2), per GPU:
 *
 *   num_gpu_blocks = ⌊(memory × gpu_memory_utilization − weights/TP − activation peak − non-torch
 *                      − LoRA slots/TP) / (block_size × 2 × layers × (kv_heads/TP) × head_dim × dtype)⌋
 *
 * Activation peak (calibration.md §5.2) = the profiling forward pass of max_num_batched_tokens tokens
 * (hidden states and the gated-MLP intermediate, sharded by TP), fp32 logits for max_num_seqs
 * sequences and the sampler's temporaries over them (2 more fp32 copies of the logits: vLLM's
 * profile_run ends with a dummy sampler pass), and for MoE models the permuted-token buffers of
 * the expert dispatch (2 × max_num_batched_tokens × top-k × hidden). Non-torch memory = CUDA
 * context, cuBLAS workspaces and allocator slack, plus NCCL / custom all-reduce buffers when TP > 1.
 * The two constants (0.1845 GB, 0.7529 GB) were set so the formula reproduces the block counts seen
 * in vLLM logs (engine.md §2): Llama-2-7B TP1 on H100 ≈ 7,463 and Llama-3.1-70B TP4 on H100 ≈ 30,300
 * (test/capacity.test.ts). A 24 GB card's residual is under-estimated this way (§5.3): set
 * num_gpu_blocks or kv_cache_memory_gb from the startup log when it matters.
 *
 * Two explicit engine settings (calibration.md §5.1, §6.6), both in GiB (2^30 bytes, as vLLM logs them):
 * - cuda_graph_memory_gb, M_cg, subtracted as well (default 0: vLLM < 0.21 captured graphs inside the
 *   1 − utilisation headroom; ≥ 0.21 estimates and subtracts it, public values 0.36–1.3 GiB);
 * - kv_cache_memory_gb (vLLM --kv-cache-memory): no profiling, the KV cache gets exactly that.
 */
import type { GpuSpec, ModelSpec } from '../hardware/types.js';
import type { EngineConfig } from '../scenario/types.js';
import { kvBytesPerBlockPerGpu, loraAdapterBytes, NO_EXPERT_PARALLEL, type Parallelism, weightBytesPerGpu as modelWeightBytesPerGpu } from './modelMath.js';

export const NON_TORCH_BYTES = 0.1845e9;
export const TP_COMM_BUFFER_BYTES = 0.7529e9;
/** fp32 copies of the logits the profiling sampler pass holds besides the logits themselves. */
const SAMPLER_LOGIT_COPIES = 2;
/** Permuted-token buffers of an MoE layer's dispatch, in units of max_num_batched_tokens × top-k × hidden activations. */
const MOE_PERMUTE_BUFFERS = 2;
export const GIB = 2 ** 30;

export interface CapacityBreakdown {
  readonly usableBytes: number;
  readonly weightBytesPerGpu: number;
  readonly activationBytes: number;
  readonly nonTorchBytes: number;
  readonly loraBytesPerGpu: number;
  /** CUDA-graph memory M_cg per GPU (cuda_graph_memory_gb). */
  readonly cudaGraphBytes: number;
  /** Bytes left for the KV cache per GPU (kv_cache_memory_gb when set, else what profiling leaves). */
  readonly kvCacheBytes: number;
  readonly kvBytesPerBlock: number;
  readonly numGpuBlocks: number;
}

export function kvCapacity(model: ModelSpec, gpu: GpuSpec, tp: number, engine: EngineConfig, par: Parallelism = NO_EXPERT_PARALLEL): CapacityBreakdown {
  const usableBytes = gpu.memory_bytes * engine.gpu_memory_utilization;
  const weightBytesPerGpu = modelWeightBytesPerGpu(model, tp, par);
  const moeBuffers = model.experts > 0 ? MOE_PERMUTE_BUFFERS * engine.max_num_batched_tokens * model.experts_top_k * model.hidden * model.dtype_bytes : 0;
  const activationBytes =
    engine.max_num_batched_tokens * ((2 * model.ffn) / tp + 4 * model.hidden) * model.dtype_bytes +
    engine.max_num_seqs * model.vocab * 4 * (1 + SAMPLER_LOGIT_COPIES) +
    moeBuffers;
  const nonTorchBytes = NON_TORCH_BYTES + (tp > 1 ? TP_COMM_BUFFER_BYTES : 0);
  const loraBytesPerGpu = (engine.max_loras * loraAdapterBytes(model, engine.max_lora_rank)) / tp;
  const kvBytesPerBlock = kvBytesPerBlockPerGpu(model, engine.block_size, tp);
  const cudaGraphBytes = (engine.cuda_graph_memory_gb ?? 0) * GIB;
  const explicit = engine.kv_cache_memory_gb ?? null;
  const kvCacheBytes =
    explicit !== null ? explicit * GIB : usableBytes - weightBytesPerGpu - activationBytes - nonTorchBytes - loraBytesPerGpu - cudaGraphBytes;
  const numGpuBlocks = Math.max(0, Math.floor(kvCacheBytes / kvBytesPerBlock));
  return { usableBytes, weightBytesPerGpu, activationBytes, nonTorchBytes, loraBytesPerGpu, cudaGraphBytes, kvCacheBytes, kvBytesPerBlock, numGpuBlocks };
}

/** The block count a replica runs with: the explicit override, else the computed capacity. */
export function numGpuBlocks(model: ModelSpec, gpu: GpuSpec, tp: number, engine: EngineConfig, par: Parallelism = NO_EXPERT_PARALLEL): number {
  return engine.num_gpu_blocks ?? kvCapacity(model, gpu, tp, engine, par).numGpuBlocks;
}

/** Gigabytes with one decimal, as vLLM logs them (1 GB = 1e9 bytes here, like the GPU datasheets). */
function gb(bytes: number): string {
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

/** A problem and its fix, for a scenario error at fleet.* */
export interface CapacityProblem {
  readonly path: string;
  readonly problem: string;
  readonly fix: string;
}

/**
 * Why a replica would have no room for the KV cache (null when it has at least one block), in the
 * terms vLLM reports at start-up: the weights per GPU against the GPU's memory, or what is left
 * after weights, activations, runtime buffers and LoRA slots. The fix names the smallest tensor
 * parallelism in `tpValues` (dividing the model's heads) that leaves room, or a larger GPU.
 */
export function capacityProblem(model: ModelSpec, gpu: GpuSpec, tp: number, engine: EngineConfig, tpValues: readonly number[], gpus: readonly GpuSpec[], par: Parallelism = NO_EXPERT_PARALLEL): CapacityProblem | null {
  if (engine.num_gpu_blocks !== null) return null;
  const c = kvCapacity(model, gpu, tp, engine, par);
  if (c.numGpuBlocks >= 1) return null;
  if ((engine.kv_cache_memory_gb ?? null) !== null) {
    return {
      path: 'fleet.engine.kv_cache_memory_gb',
      problem: `kv_cache_memory_gb ${engine.kv_cache_memory_gb} holds less than one KV block of ${model.name} at tp ${tp} (${(c.kvBytesPerBlock / 2 ** 20).toFixed(2)} MiB per block per GPU)`,
      fix: `raise kv_cache_memory_gb to at least ${(c.kvBytesPerBlock / GIB).toPrecision(3)}, or remove it to profile`,
    };
  }
  const fits = (g: GpuSpec, t: number): boolean => model.heads % t === 0 && kvCapacity(model, g, t, engine).numGpuBlocks >= 1;
  const tpOk = tpValues.find((t) => t > tp && fits(gpu, t));
  const bigger = gpus.filter((g) => g.memory_bytes > gpu.memory_bytes && fits(g, tp)).sort((a, b) => a.memory_bytes - b.memory_bytes)[0];
  const alternatives = [
    ...(tpOk !== undefined ? [`use tp ≥ ${tpOk} (${gb(kvCapacity(model, gpu, tpOk, engine).weightBytesPerGpu)} of weights per GPU)`] : []),
    ...(bigger ? [`a GPU with more memory (${bigger.name}: ${gb(bigger.memory_bytes)})`] : []),
  ];
  const fix = alternatives.length > 0 ? alternatives.join(', or ') : `no GPU and tp up to ${Math.max(...tpValues)} holds ${model.name}: choose a smaller model`;
  if (c.weightBytesPerGpu >= c.usableBytes) {
    return {
      path: 'fleet.model',
      problem: `${model.name} needs ${gb(c.weightBytesPerGpu)} of weights per GPU at tp ${tp}, the ${gpu.name} has ${gb(gpu.memory_bytes)} (${gb(c.usableBytes)} usable at gpu_memory_utilization ${engine.gpu_memory_utilization}): no room for the KV cache`,
      fix,
    };
  }
  const others = c.activationBytes + c.nonTorchBytes + c.loraBytesPerGpu + c.cudaGraphBytes;
  return {
    path: 'fleet.engine',
    problem:
      `no room for the KV cache on the ${gpu.name}: of ${gb(c.usableBytes)} usable, ${model.name}'s weights take ${gb(c.weightBytesPerGpu)} per GPU at tp ${tp}, ` +
      `activations for max_num_batched_tokens ${engine.max_num_batched_tokens} / max_num_seqs ${engine.max_num_seqs} ${gb(c.activationBytes)}, runtime buffers ${gb(c.nonTorchBytes)}` +
      (c.loraBytesPerGpu > 0 ? `, LoRA slots ${gb(c.loraBytesPerGpu)}` : '') +
      (c.cudaGraphBytes > 0 ? `, CUDA graphs ${gb(c.cudaGraphBytes)} (cuda_graph_memory_gb ${engine.cuda_graph_memory_gb})` : '') +
      (others + c.weightBytesPerGpu > c.usableBytes ? `: ${gb(others + c.weightBytesPerGpu - c.usableBytes)} more than there is` : ': less than one KV block is left'),
    fix: `lower max_num_batched_tokens, max_num_seqs or max_loras${c.cudaGraphBytes > 0 ? ', or cuda_graph_memory_gb' : ''}, or ${fix}`,
  };
}
