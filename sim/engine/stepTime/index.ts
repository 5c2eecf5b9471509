/** Builds the configured step-time model and applies the multi-adapter LoRA overhead. */
import type { GpuSpec, ModelSpec } from '../../hardware/types.js';
import type { StepTimeConfig } from '../../scenario/types.js';
import type { BatchShape, StepTimeModel } from './batchShape.js';
import { NO_EXPERT_PARALLEL, type Parallelism } from '../modelMath.js';
import { LinearStepTime } from './linear.js';
import { PhysicsStepTime } from './physics.js';
import { ProfileStepTime } from './profile.js';
import { VidurStepTime } from './profile/vidurStep.js';

export type { BatchShape, StepTimeModel } from './batchShape.js';
export { emptyBatchShape } from './batchShape.js';

/** BLIS: step time × (1 + k·A) for A distinct adapters, k by max LoRA rank (engine.md §3). */
export function loraOverheadPerAdapter(maxLoraRank: number): number {
  if (maxLoraRank <= 8) return 0.02;
  if (maxLoraRank <= 16) return 0.035;
  return 0.06;
}

/** The configured model for replicas of `tp` GPUs; `par` (DP ranks, expert parallelism) matters to physics only. */
export function createStepTimeModel(cfg: StepTimeConfig, model: ModelSpec, gpu: GpuSpec, tp: number, par: Parallelism = NO_EXPERT_PARALLEL): StepTimeModel {
  if (cfg.model === 'profile') {
    return cfg.profile.format === 'vidur' ? new VidurStepTime(cfg.profile, model, gpu, tp, cfg.all_reduce) : new ProfileStepTime(cfg.profile, model, tp, cfg.all_reduce);
  }
  return cfg.model === 'physics' ? new PhysicsStepTime(model, gpu, tp, cfg.coefficients, par) : new LinearStepTime(cfg.coefficients, { model, gpu, tp });
}

/** Integer µs for a batch: the model's time, scaled by the LoRA overhead, at least 1 µs. */
export function stepDurationUs(m: StepTimeModel, b: BatchShape, loraK: number): number {
  const us = m.stepUs(b) * (b.adapters > 0 ? 1 + loraK * b.adapters : 1);
  return Math.max(1, Math.round(us));
}
