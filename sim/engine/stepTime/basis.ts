/**
 * Step-time models that are linear in their coefficients (physics, linear): step = fixed(b) + βᵀx(b).
 * `routesim calibrate` fits β by least squares on x(b) against target step times, so every such
 * model exposes its basis vector x(b) (one entry per coefficient, in `terms` order) and the part of
 * the step that no coefficient scales (`fixedUs`, e.g. a measured per-call all-reduce latency).
 */
import type { BatchShape, StepTimeModel } from './batchShape.js';

export interface LinearInCoefficients extends StepTimeModel {
  /** Coefficient names, in basis order (the keys of the scenario's `coefficients` mapping). */
  readonly terms: readonly string[];
  /** Write x(b) into `out` (length `terms.length`). */
  basis(b: BatchShape, out: Float64Array): void;
  /** µs of the step not scaled by any coefficient. */
  fixedUs(b: BatchShape): number;
}

export function isLinearInCoefficients(m: StepTimeModel): m is LinearInCoefficients {
  return typeof (m as Partial<LinearInCoefficients>).basis === 'function';
}
