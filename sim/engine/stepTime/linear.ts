/**
 * Linear ("blackbox") step time, engine.md §4.1:
 * `β0 + β1·(uncached prefill tokens) + β2·(decode tokens)`.
 */
import type { LinearCoefficients } from '../../scenario/types.js';
import type { BatchShape, StepTimeModel } from './batchShape.js';

export class LinearStepTime implements StepTimeModel {
  readonly name = 'linear';
  constructor(private readonly c: LinearCoefficients) {}

  stepUs(b: BatchShape): number {
    return this.c.beta0_us + this.c.beta1_us_per_prefill_token * b.prefillTokens + this.c.beta2_us_per_decode_token * b.decodeSeqs;
  }
}
