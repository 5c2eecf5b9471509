/**
 * Fitting physics/linear coefficients from profile tables (../shared/reference/calibration.md
 * §4.2): each batch of the design (design.ts) is composed from the tables by ProfileStepTime
 * (§3.2, the target y), its basis vector x is computed at datasheet peaks by the model being
 * fitted, and fit.ts solves the relative-weighted NNLS. Residuals are reported by regime.
 */
import type { GpuSpec, ModelSpec } from '../hardware/types.js';
import type { AllReduceCost, ProfileSource } from '../scenario/types.js';
import { createStepTimeModel } from '../engine/stepTime/index.js';
import { NO_OVERHEADS } from '../scenario/schema.js';
import type { DesignBatch, Regime } from './design.js';
import { fitLinear, type FitOptions, type FitResult } from './fit.js';
import { basisModel, priorOf, type FitModel } from './basisModel.js';
import { summariseRelErrors, type ResidualSummary } from './residuals.js';

export interface ProfileFit extends FitResult {
  readonly residuals: Record<Regime | 'all', ResidualSummary>;
  readonly batches: number;
}

export function fitFromProfile(
  kind: FitModel,
  src: ProfileSource,
  allReduce: AllReduceCost | null,
  model: ModelSpec,
  gpu: GpuSpec,
  tp: number,
  design: readonly DesignBatch[],
  opts: FitOptions = {},
): ProfileFit {
  const table = createStepTimeModel({ model: 'profile', profile: src, all_reduce: allReduce, overheads: NO_OVERHEADS }, model, gpu, tp);
  const m = basisModel(kind, model, gpu, tp);
  const x = design.map((d) => {
    const v = new Float64Array(m.terms.length);
    m.basis(d.shape, v);
    return v;
  });
  const y = design.map((d) => table.stepUs(d.shape));
  const fixed = design.map((d) => m.fixedUs(d.shape));
  const fit = fitLinear(m.terms, priorOf(kind), { x, y, fixed }, opts);
  const rel = (keep: (r: Regime) => boolean): number[] => design.flatMap((d, i) => (keep(d.regime) ? [(fit.predicted[i]! - y[i]!) / y[i]!] : []));
  return {
    ...fit,
    batches: design.length,
    residuals: {
      all: summariseRelErrors(rel(() => true)),
      'decode-only': summariseRelErrors(rel((r) => r === 'decode-only')),
      'prefill-only': summariseRelErrors(rel((r) => r === 'prefill-only')),
      mixed: summariseRelErrors(rel((r) => r === 'mixed')),
    },
  };
}
