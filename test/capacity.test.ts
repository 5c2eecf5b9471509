/**
 * KV capacity from GPU memory (engine.md §2), checked against block counts seen in vLLM logs:
 * Llama-2-7B TP1 on H100 ≈ 7,463 blocks and Llama-3.1-70B TP4 on H100 ≈ 30,300 blocks
 * (gpu_memory_utilization 0.9, block 16, max_num_batched_tokens 2048, max_num_seqs 256).
 */
import { describe, expect, it } from 'vitest';
import { getGpu, getModel } from '../sim/hardware/catalog.js';
import { kvCapacity, numGpuBlocks } from '../sim/engine/capacity.js';
import { DEFAULT_ENGINE } from '../sim/scenario/schema.js';
import type { EngineConfig } from '../sim/scenario/types.js';

const engine: EngineConfig = { ...DEFAULT_ENGINE, max_cpu_loras: 0 };
const h100 = getGpu('H100');

describe('num_gpu_blocks', () => {
  it('Llama-2-7B TP1 on H100 is within 0.5 % of 7,463', () => {
    // Usable 0.9·85.05e9 = 76.545e9 B; weights 6,738,149,376·2 = 13.476e9 B; per-block KV 16·2·32·32·128·2 = 8 MiB.
    const c = kvCapacity(getModel('Llama-2-7B'), h100, 1, engine);
    expect(c.kvBytesPerBlock).toBe(8_388_608);
    expect(Math.abs(c.numGpuBlocks - 7463) / 7463).toBeLessThan(0.005);
  });

  it('Llama-3.1-70B TP4 on H100 is within 0.5 % of 30,300, per GPU (not TP× over-stated)', () => {
    // Per GPU: weights 70.55e9·2/4 = 35.28e9 B; per-block KV 16·2·80·(8/4)·128·2 = 1.25 MiB.
    const c = kvCapacity(getModel('Llama-3.1-70B'), h100, 4, engine);
    expect(c.kvBytesPerBlock).toBe(1_310_720);
    expect(Math.abs(c.numGpuBlocks - 30300) / 30300).toBeLessThan(0.005);
  });

  it('an explicit num_gpu_blocks overrides the computation', () => {
    expect(numGpuBlocks(getModel('Llama-3.1-8B'), h100, 1, { ...engine, num_gpu_blocks: 1234 })).toBe(1234);
  });

  it('LoRA slots and higher utilisation move capacity the right way', () => {
    const m = getModel('Llama-3.1-8B');
    const base = kvCapacity(m, h100, 1, engine).numGpuBlocks;
    expect(kvCapacity(m, h100, 1, { ...engine, max_loras: 4, max_lora_rank: 64 }).numGpuBlocks).toBeLessThan(base);
    expect(kvCapacity(m, h100, 1, { ...engine, gpu_memory_utilization: 0.95 }).numGpuBlocks).toBeGreaterThan(base);
  });
});
