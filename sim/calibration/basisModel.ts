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

/**
 * A linear calibration fits the three hardware-specific terms β0–β2 (linear.ts): on one GPU and
 * model the scaled terms β3–β5 are constants times β0 and β2 (collinear), so the file holds the
 * unscaled model of that GPU and model, and applies to it only.
 */
export const LINEAR_FITTED_TERMS = ['beta0_us', 'beta1_us_per_prefill_token', 'beta2_us_per_decode_token'] as const;

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
  return kind === 'linear' ? firstTerms(m, LINEAR_FITTED_TERMS.length) : m;
}

/** `m` restricted to its first `n` basis terms (the rest must have coefficient 0 in `m`). */
function firstTerms(m: LinearInCoefficients, n: number): LinearInCoefficients {
  const full = new Float64Array(m.terms.length);
  return {
    name: m.name,
    terms: m.terms.slice(0, n),
    basis: (b, x) => {
      m.basis(b, full);
      for (let i = 0; i < n; i++) x[i] = full[i]!;
    },
    fixedUs: (b) => m.fixedUs(b),
    stepUs: (b) => m.stepUs(b),
  };
}
