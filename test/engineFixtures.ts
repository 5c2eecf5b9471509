/**
 * A replica built directly (no scenario) for engine-level tests: the linear step-time model
 * β0 1000 µs + 10 µs per prefill token + 100 µs per decode token, no α overheads, and an engine
 * whose knobs the test sets (defaults: 8 sequences, 2048-token budget, block 16, 200 blocks,
 * prefix caching on, no LoRA).
 */
import { Replica } from '../sim/engine/replica.js';
import { LinearStepTime } from '../sim/engine/stepTime/linear.js';
import type { EngineConfig } from '../sim/scenario/types.js';

export interface EngineOpts {
  blocks?: number;
  bs?: number;
  maxSeqs?: number;
  budget?: number;
  threshold?: number;
  caching?: boolean;
  maxLoras?: number;
}

export function engineOf(o: EngineOpts = {}): EngineConfig {
  return {
    max_num_seqs: o.maxSeqs ?? 8,
    max_num_batched_tokens: o.budget ?? 2048,
    long_prefill_token_threshold: o.threshold ?? 0,
    block_size: o.bs ?? 16,
    gpu_memory_utilization: 0.9,
    num_gpu_blocks: o.blocks ?? 200,
    enable_prefix_caching: o.caching ?? true,
    max_loras: o.maxLoras ?? 0,
    max_cpu_loras: o.maxLoras ?? 0,
    max_lora_rank: 16,
    scheduling: 'fcfs',
    max_model_len: null,
  };
}

export function linearReplica(name: string, o: EngineOpts = {}, loraBaseUs = 1500): Replica {
  const engine = engineOf(o);
  return new Replica({
    name,
    engine,
    numGpuBlocks: engine.num_gpu_blocks!,
    maxModelLen: 1_000_000,
    stepTime: new LinearStepTime({ beta0_us: 1000, beta1_us_per_prefill_token: 10, beta2_us_per_decode_token: 100 }),
    loraK: 0,
    loraLoad: { base_us: loraBaseUs, host_gbps: 25, disk_gbps: 2 },
    adapterBytes: () => 0,
    overheads: { alpha0_us: 0, alpha1_us: 0, alpha2_us: 0 },
  });
}
