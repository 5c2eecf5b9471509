/**
 * The step-time model whose coefficients are fitted, built through the public seam
 * (createStepTimeModel + LinearInCoefficients, sim/engine/stepTime/basis.ts) so the fit follows
 * whatever basis physics/linear compute. Priors: PHYSICS_DEFAULTS / LINEAR_DEFAULTS.
 */
import type { GpuSpec, ModelSpec } from '../hardware/types.js';
import { createStepTimeModel } from '../engine/stepTime/index.js';
import { isLinearInCoefficients, type LinearInCoefficients } from '../engine/stepTime/basis.js';
import { LINEAR_DEFAULTS, NO_OVERHEADS, PHYSICS_DEFAULTS } from '../scenario/schema.js';
import type { LinearCoefficients, PhysicsCoefficients } from '../scenario/types.js';

export type FitModel = 'physics' | 'linear';

export function priorOf(kind: FitModel): Record<string, number> {
  return kind === 'physics' ? { ...PHYSICS_DEFAULTS } : { ...LINEAR_DEFAULTS };
}

/** The model with coefficients `c` (default: the prior). */
export function basisModel(kind: FitModel, model: ModelSpec, gpu: GpuSpec, tp: number, c?: Readonly<Record<string, number>>): LinearInCoefficients {
  const coefficients = { ...priorOf(kind), ...(c ?? {}) };
  const m = kind === 'physics'
    ? createStepTimeModel({ model: 'physics', coefficients: coefficients as unknown as PhysicsCoefficients, overheads: NO_OVERHEADS }, model, gpu, tp)
    : createStepTimeModel({ model: 'linear', coefficients: coefficients as unknown as LinearCoefficients, overheads: NO_OVERHEADS }, model, gpu, tp);
  if (!isLinearInCoefficients(m)) throw new Error(`step-time model ${kind} does not expose its basis`);
  return m;
}
