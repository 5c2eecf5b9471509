/**
 * KV capacity per replica, as vLLM profiles it (engine.md §2), per GPU:
 *
 *   num_gpu_blocks = ⌊(memory × gpu_memory_utilization − weights/TP − activation peak − non-torch
 *                      − LoRA slots/TP) / (block_size × 2 × layers × (kv_heads/TP) × head_dim × dtype)⌋
 *
 * Activation peak = the profiling forward pass of max_num_batched_tokens tokens (hidden states and
 * the gated-MLP intermediate, sharded by TP) plus fp32 logits for max_num_seqs sequences. Non-torch
 * memory = CUDA context and allocator slack, plus NCCL buffers when TP > 1. The two constants were
 * set so the formula reproduces the block counts seen in vLLM logs (engine.md §2): Llama-2-7B TP1 on
 * H100 ≈ 7,463 and Llama-3.1-70B TP4 on H100 ≈ 30,300 (test/capacity.test.ts).
 */
import type { GpuSpec, ModelSpec } from '../hardware/types.js';
import type { EngineConfig } from '../scenario/types.js';
import { kvBytesPerBlockPerGpu, loraAdapterBytes, weightBytes } from './modelMath.js';

export const NON_TORCH_BYTES = 0.25e9;
export const TP_COMM_BUFFER_BYTES = 0.95e9;

export interface CapacityBreakdown {
  readonly usableBytes: number;
  readonly weightBytesPerGpu: number;
  readonly activationBytes: number;
  readonly nonTorchBytes: number;
  readonly loraBytesPerGpu: number;
  readonly kvBytesPerBlock: number;
  readonly numGpuBlocks: number;
}

export function kvCapacity(model: ModelSpec, gpu: GpuSpec, tp: number, engine: EngineConfig): CapacityBreakdown {
  const usableBytes = gpu.memory_bytes * engine.gpu_memory_utilization;
  const weightBytesPerGpu = weightBytes(model) / tp;
  const activationBytes =
    engine.max_num_batched_tokens * ((2 * model.ffn) / tp + 4 * model.hidden) * model.dtype_bytes + engine.max_num_seqs * model.vocab * 4;
  const nonTorchBytes = NON_TORCH_BYTES + (tp > 1 ? TP_COMM_BUFFER_BYTES : 0);
  const loraBytesPerGpu = (engine.max_loras * loraAdapterBytes(model, engine.max_lora_rank)) / tp;
  const kvBytesPerBlock = kvBytesPerBlockPerGpu(model, engine.block_size, tp);
  const free = usableBytes - weightBytesPerGpu - activationBytes - nonTorchBytes - loraBytesPerGpu;
  const numGpuBlocks = Math.max(0, Math.floor(free / kvBytesPerBlock));
  return { usableBytes, weightBytesPerGpu, activationBytes, nonTorchBytes, loraBytesPerGpu, kvBytesPerBlock, numGpuBlocks };
}

/** The block count a replica runs with: the explicit override, else the computed capacity. */
export function numGpuBlocks(model: ModelSpec, gpu: GpuSpec, tp: number, engine: EngineConfig): number {
  return engine.num_gpu_blocks ?? kvCapacity(model, gpu, tp, engine).numGpuBlocks;
}
