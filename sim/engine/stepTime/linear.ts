/**
 * Linear ("blackbox") step time, engine.md §4.1:
 * `β0 + β1·(uncached prefill tokens) + β2·(decode tokens)`.
 */
import type { LinearCoefficients } from '../../scenario/types.js';
import type { BatchShape } from './batchShape.js';
import type { LinearInCoefficients } from './basis.js';

export const LINEAR_TERMS = ['beta0_us', 'beta1_us_per_prefill_token', 'beta2_us_per_decode_token'] as const;

export class LinearStepTime implements LinearInCoefficients {
  readonly name = 'linear';
  readonly terms: readonly string[] = LINEAR_TERMS;
  constructor(private readonly c: LinearCoefficients) {}

  basis(b: BatchShape, x: Float64Array): void {
    x[0] = 1;
    x[1] = b.prefillTokens;
    x[2] = b.decodeSeqs;
  }

  fixedUs(_b: BatchShape): number {
    return 0;
  }

  stepUs(b: BatchShape): number {
    return this.c.beta0_us + this.c.beta1_us_per_prefill_token * b.prefillTokens + this.c.beta2_us_per_decode_token * b.decodeSeqs;
  }
}
