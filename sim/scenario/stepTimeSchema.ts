/**
 * The `step_time:` section of a scenario (and of a pool): the step-time models' default
 * coefficients (BLIS physics, the linear fit and its scaled form, the α overheads) and the strict
 * schema of every model (physics, linear, profile tables, a calibration file) with its CPU costs.
 * Re-exported by schema.ts, which embeds StepTimeSchema in the scenario and pool schemas.
 */
import { z } from 'zod';
import { kindOf } from './issues.js';
import { strict, withFix } from './zodStrict.js';
import { bounded, RANGES as R } from './bounds.js';
import type { LinearCoefficients, Overheads, PhysicsCoefficients } from './types.js';

/** BLIS "trained-physics" coefficients fitted on 15 H100 runs (engine.md §4.4). */
export const PHYSICS_DEFAULTS: PhysicsCoefficients = {
  beta1a: 0.152128,
  beta1b: 0,
  beta2a: 0,
  beta2b: 1.94710771,
  beta3: 1.36252915,
  beta4: 0.752037,
  beta5_us_per_layer: 32.095,
  beta6_us_per_request: 4.417,
  beta7_us_per_step: 126.02,
  beta8_us_per_moe_layer: 481.86,
};

/** Linear ("blackbox") step-time fit for Llama-3.1-8B on H100, vLLM 0.11, TP1 (engine.md §4.1). */
export const LINEAR_DEFAULTS: LinearCoefficients = {
  beta0_us: 6472,
  beta1_us_per_prefill_token: 19.8,
  beta2_us_per_decode_token: 304.4,
};

/**
 * The default linear model: the same fit, as scaled terms (sim/engine/stepTime/linear.ts), so it
 * rescales with the replica's weight-read time (β3 fixed, β5 per decode) and GEMM FLOP time per
 * token (β4 per prefill token) relative to LINEAR_REFERENCE (Llama-3.1-8B, H100, TP1), where it
 * equals LINEAR_DEFAULTS exactly.
 */
export const LINEAR_SCALED_DEFAULTS: LinearCoefficients = {
  beta0_us: 0,
  beta1_us_per_prefill_token: 0,
  beta2_us_per_decode_token: 0,
  beta3_us_scaled_by_weight_time: LINEAR_DEFAULTS.beta0_us,
  beta4_us_per_prefill_token_scaled_by_flop_time: LINEAR_DEFAULTS.beta1_us_per_prefill_token,
  beta5_us_per_decode_token_scaled_by_weight_time: LINEAR_DEFAULTS.beta2_us_per_decode_token,
};

const LINEAR_SCALED_KEYS = ['beta3_us_scaled_by_weight_time', 'beta4_us_per_prefill_token_scaled_by_flop_time', 'beta5_us_per_decode_token_scaled_by_weight_time'] as const;

/**
 * `coefficients:` of `model: linear` → the coefficients used. Only absolute terms (β0–β2) given:
 * today's model, missing ones from LINEAR_DEFAULTS, no scaling (backward compatible). Otherwise
 * (nothing given, or any scaled term): LINEAR_SCALED_DEFAULTS overridden by what is given.
 */
export function resolveLinearCoefficients(given: Partial<LinearCoefficients>): LinearCoefficients {
  const set = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<LinearCoefficients>;
  const anyGiven = Object.keys(set).length > 0;
  const anyScaled = LINEAR_SCALED_KEYS.some((k) => set[k] !== undefined);
  return anyGiven && !anyScaled ? { ...LINEAR_DEFAULTS, ...set } : { ...LINEAR_SCALED_DEFAULTS, ...set };
}

/** BLIS per-request CPU overheads α0/α1/α2 (engine.md §4.4); `overheads: true` selects these. */
export const BLIS_OVERHEADS: Overheads = { alpha0_us: 15563.2, alpha1_us: 777.3, alpha2_us: 45.9 };

/** `overheads: false`. */
export const NO_OVERHEADS: Overheads = { alpha0_us: 0, alpha1_us: 0, alpha2_us: 0 };

const nonNegPartial = <K extends string>(keys: readonly K[]) =>
  strict(Object.fromEntries(keys.map((k) => [k, bounded(R.coefficient).optional()])) as Record<K, z.ZodOptional<z.ZodNumber>>);

const PhysicsCoefficientsSchema = nonNegPartial(Object.keys(PHYSICS_DEFAULTS) as (keyof PhysicsCoefficients)[]);
const LinearCoefficientsSchema = nonNegPartial(Object.keys(LINEAR_SCALED_DEFAULTS) as (keyof LinearCoefficients)[]);

/** `true` = BLIS values, `false` = zeros, or a partial override of the BLIS values. */
const OverheadsSchema = z.union(
  [z.boolean(), strict({ alpha0_us: bounded(R.microseconds).optional(), alpha1_us: bounded(R.microseconds).optional(), alpha2_us: bounded(R.microseconds).optional() })],
  {
    error: (iss) =>
      iss.code === 'invalid_union'
        ? withFix(`expected true, false or a mapping, got ${kindOf(iss.input)}`, 'write overheads: true (BLIS values), false (none) or {alpha0_us, alpha1_us, alpha2_us}')
        : undefined,
  },
);

/** Engine-core CPU time per step and frontend egress (calibration.md §1.2, §6.4), µs; each defaults to 0. */
const StepCpuSchema = strict({
  schedule_us: bounded(R.microseconds).default(0),
  per_request_us: bounded(R.microseconds).default(0),
  egress_us_per_step: bounded(R.microseconds).default(0),
  egress_us_per_request: bounded(R.microseconds).default(0),
});

export const StepTimeSchema = z.preprocess(
  (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) && !('model' in v) ? { ...v, model: 'calibration' in v ? 'calibration' : 'physics' } : v),
  z.discriminatedUnion('model', [
    strict({ model: z.literal('physics'), coefficients: PhysicsCoefficientsSchema.optional(), overheads: OverheadsSchema.default(true), cpu: StepCpuSchema.optional() }),
    strict({ model: z.literal('linear'), coefficients: LinearCoefficientsSchema.optional(), overheads: OverheadsSchema.default(true), cpu: StepCpuSchema.optional() }),
    // Per-layer profile tables (sim/engine/stepTime/profile.ts); paths are relative to the scenario file.
    // format llmservingsim: {dir, prefix}; format vidur: {mlp, all_reduce?, attention?} (profile/vidurStep.ts).
    // all_reduce: {latency_us, busbw_gbps} or {table: <Vidur NCCL all_reduce csv>, launch_us: 20}.
    strict({
      model: z.literal('profile'),
      profile: z.discriminatedUnion('format', [
        strict({ format: z.literal('llmservingsim'), dir: z.string().min(1), prefix: z.string().min(1), skew: z.boolean().optional() }),
        strict({ format: z.literal('vidur'), mlp: z.string().min(1), all_reduce: z.string().min(1).optional(), attention: z.string().min(1).optional() }),
      ]),
      all_reduce: strict({
        latency_us: bounded(R.microseconds).optional(),
        busbw_gbps: bounded(R.bandwidth).optional(),
        table: z.string().min(1).optional(),
        launch_us: bounded(R.microseconds).optional(),
      })
        .refine((a) => (a.table !== undefined ? a.latency_us === undefined && a.busbw_gbps === undefined : a.latency_us !== undefined && a.busbw_gbps !== undefined && a.launch_us === undefined), {
          error: withFix('give either latency_us and busbw_gbps, or table (with optional launch_us)', 'write all_reduce: {latency_us: 20, busbw_gbps: 16} or {table: <a Vidur NCCL all_reduce csv>}'),
        })
        .transform((a) => (a.table !== undefined ? { table: a.table, launch_us: a.launch_us ?? 20 } : { latency_us: a.latency_us!, busbw_gbps: a.busbw_gbps! }))
        .optional(),
      overheads: OverheadsSchema.default(true),
      cpu: StepCpuSchema.optional(),
    }),
    // Issue 12: coefficients from a `routesim calibrate` file (sim/calibration/calibrationFile.ts), path relative to the scenario file.
    strict({ model: z.literal('calibration'), calibration: z.string().min(1), overheads: OverheadsSchema.default(true), cpu: StepCpuSchema.optional() }),
  ]),
);

