/**
 * The scenario keys of issue 11's autoscaling (gateway.md §5.1–5.3, §5.5 in
 * ../shared/reference/gateway.md): a pool's `autoscaling:` (Kubernetes HPA spelling in the
 * scenario's snake_case, durations as `_s` numbers of seconds) and `startup:`, and the top-level
 * `gpu_prices:`. The zod schemas check shape, types, ranges and cross-field rules (min ≤ max,
 * target per metric); issues go through describeIssue (schema.ts) like every other field, custom
 * ones in the `problem (fix: how)` form. The resolve functions fill in the Kubernetes defaults per
 * direction and the scaling group, which needs the pool's group count ({@link AutoscaleProblem}).
 *
 * ```yaml
 * pools:
 * - name: chat
 *   ...
 *   autoscaling:
 *     metric: queue            # queue | kv | running | saturation (WVA V1)
 *     target: 3                # per-pod average; kv: 0..1; saturation: default 1 (External AverageValue)
 *     min_replicas: 1
 *     max_replicas: 16         # required, ≤ 1000
 *     sync_period_s: 15
 *     tolerance: 0.1
 *     metric_delay_s: 15
 *     behavior:
 *       scale_up:   {stabilization_window_s: 0, policies: [{type: Pods, value: 4, period_s: 15}, {type: Percent, value: 100, period_s: 15}], select_policy: Max}
 *       scale_down: {stabilization_window_s: 300, policies: [{type: Percent, value: 100, period_s: 15}], select_policy: Max}
 *     group: 0                 # the replica group that scales; default the last
 *   startup: {scheduling_s: 30, container_s: 20, storage_gbps: 2, load_s: null, init_s: 20, warmup_s: 60, warmup_factor: 2}
 * gpu_prices: {H100: 2.5}      # $/GPU-hour, over sim/hardware/gpuPrices.json
 * ```
 */
import { z } from 'zod';
import { strict, withFix } from './zodStrict.js';
import { bounded, RANGES as R, type Range } from './bounds.js';
import { closestWord, formatPath } from '../../policies/util/text.js';
import { UserError } from '../core/errors.js';
import { gpuNames } from '../hardware/catalog.js';
import { DEFAULT_SCALE_DOWN, DEFAULT_SCALE_UP, HPA_DEFAULTS } from '../autoscale/hpa.js';
import { DEFAULT_STARTUP } from '../autoscale/startup.js';
import type { AutoscalingConfig, HpaScalingRules, StartupConfig } from './types.js';

/** Ranges of the autoscaling keys (Kubernetes API limits where it has them). */
export const AUTOSCALE_RANGES = {
  /** Per-pod target; the adapter's resolution is 0.001. */
  target: { min: 0.001, max: 1e6, unit: '' },
  replicas: R.replicas,
  syncPeriod: { min: 0, max: 3600, unit: 's', minExclusive: true },
  tolerance: { min: 0, max: 0.99, unit: '' },
  delay: { min: 0, max: 3600, unit: 's' },
  /** HPAScalingRules.stabilizationWindowSeconds: 0–3600. */
  window: { min: 0, max: 3600, unit: 's', int: true },
  /** HPAScalingPolicy.periodSeconds: 1–1800. */
  period: { min: 1, max: 1800, unit: 's', int: true },
  /** HPAScalingPolicy.value > 0 (pods or percent). */
  policyValue: { min: 1, max: 100000, unit: '', int: true },
  group: { min: 0, max: 63, unit: '', int: true },
  phase: { min: 0, max: 86400, unit: 's' },
  storage: R.bandwidth,
  warmupFactor: { min: 1, max: 100, unit: '' },
  price: { min: 0, max: 10000, unit: '$/GPU-hour' },
} as const satisfies Record<string, Range>;
const A = AUTOSCALE_RANGES;

export const METRICS = ['queue', 'kv', 'running', 'saturation'] as const;

const HpaPolicySchema = strict({
  type: z.enum(['Pods', 'Percent']),
  value: bounded(A.policyValue),
  period_s: bounded(A.period),
});

const ScalingRulesSchema = strict({
  stabilization_window_s: bounded(A.window).optional(),
  policies: z.array(HpaPolicySchema).min(1).max(10).optional(),
  select_policy: z.enum(['Max', 'Min', 'Disabled']).optional(),
});

/** A pool's `autoscaling:`. */
export const AutoscalingSchema = strict({
  metric: z.enum(METRICS),
  target: bounded(A.target).optional(),
  min_replicas: bounded(A.replicas).default(HPA_DEFAULTS.min_replicas),
  max_replicas: bounded(A.replicas),
  sync_period_s: bounded(A.syncPeriod).default(HPA_DEFAULTS.sync_period_s),
  tolerance: bounded(A.tolerance).default(HPA_DEFAULTS.tolerance),
  metric_delay_s: bounded(A.delay).default(HPA_DEFAULTS.metric_delay_s),
  behavior: strict({ scale_up: ScalingRulesSchema.optional(), scale_down: ScalingRulesSchema.optional() }).prefault({}),
  group: bounded(A.group).optional(),
}).superRefine((a, ctx) => {
  if (a.min_replicas > a.max_replicas) {
    ctx.addIssue({
      code: 'custom',
      path: ['min_replicas'],
      message: withFix(`min_replicas ${a.min_replicas} is above max_replicas ${a.max_replicas}`, `lower min_replicas or raise max_replicas to at least ${a.min_replicas}`),
    });
  }
  if (a.target === undefined && a.metric !== 'saturation') {
    ctx.addIssue({
      code: 'custom',
      path: ['target'],
      message: withFix(`metric ${a.metric} needs a target (the per-pod average to aim at)`, a.metric === 'kv' ? 'add target: 0.7 (KV use 0..1)' : `add target: ${a.metric === 'queue' ? 3 : 64} (requests ${a.metric === 'queue' ? 'waiting' : 'running'} per pod)`),
    });
  }
  if (a.metric === 'kv' && a.target !== undefined && a.target > 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['target'],
      message: withFix(`a kv target is a fraction of the KV cache, got ${a.target}`, 'use a value between 0.001 and 1, e.g. target: 0.7'),
    });
  }
});
export type AutoscalingInput = z.output<typeof AutoscalingSchema>;

/** A pool's `startup:`. */
export const StartupSchema = strict({
  scheduling_s: bounded(A.phase).default(DEFAULT_STARTUP.scheduling_s),
  container_s: bounded(A.phase).default(DEFAULT_STARTUP.container_s),
  storage_gbps: bounded(A.storage).default(DEFAULT_STARTUP.storage_gbps),
  load_s: bounded(A.phase).nullable().default(DEFAULT_STARTUP.load_s),
  init_s: bounded(A.phase).default(DEFAULT_STARTUP.init_s),
  warmup_s: bounded(A.phase).default(DEFAULT_STARTUP.warmup_s),
  warmup_factor: bounded(A.warmupFactor).default(DEFAULT_STARTUP.warmup_factor),
});
export type StartupInput = z.output<typeof StartupSchema>;

/** Top-level `gpu_prices:` — $/GPU-hour by catalog GPU name. */
export const GpuPricesSchema = z.record(z.string(), bounded(A.price)).superRefine((m, ctx) => {
  const names = gpuNames();
  for (const k of Object.keys(m)) {
    if (names.includes(k)) continue;
    const guess = closestWord(k, names, 4);
    ctx.addIssue({
      code: 'custom',
      path: [k],
      message: withFix(`unknown GPU ${JSON.stringify(k)} in gpu_prices`, `${guess ? `did you mean ${JSON.stringify(guess)}? ` : ''}use one of ${names.join(', ')}`),
    });
  }
});

/** A problem found while resolving (needs the pool); the loader reports it with inputError(file, path, problem, fix). */
export class AutoscaleProblem extends UserError {
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${path}: ${problem} (fix: ${fix})`);
    this.name = 'AutoscaleProblem';
  }
}

function rules(input: AutoscalingInput['behavior']['scale_up'], defaults: HpaScalingRules): HpaScalingRules {
  return {
    stabilization_window_s: input?.stabilization_window_s ?? defaults.stabilization_window_s,
    policies: input?.policies ?? defaults.policies,
    select_policy: input?.select_policy ?? defaults.select_policy,
  };
}

/**
 * The typed autoscaler of a pool with `groupCount` replica groups: Kubernetes defaults per
 * direction (missing fields of a direction take that direction's defaults, as the API server
 * fills them), target 1 for `saturation`, the last group unless `group` is given. `path` is where
 * the key sits, e.g. ['pools', 0, 'autoscaling'].
 */
export function resolveAutoscaling(input: AutoscalingInput, groupCount: number, path: readonly PropertyKey[] = ['autoscaling']): AutoscalingConfig {
  const group = input.group ?? groupCount - 1;
  if (group >= groupCount) {
    throw new AutoscaleProblem(
      formatPath([...path, 'group']),
      `group ${group} does not exist: the pool has ${groupCount} replica group${groupCount === 1 ? '' : 's'}`,
      `use an index from 0 to ${groupCount - 1}, or leave group out to scale the last group`,
    );
  }
  return {
    metric: input.metric,
    target: input.target ?? 1,
    min_replicas: input.min_replicas,
    max_replicas: input.max_replicas,
    sync_period_s: input.sync_period_s,
    tolerance: input.tolerance,
    metric_delay_s: input.metric_delay_s,
    behavior: { scale_up: rules(input.behavior.scale_up, DEFAULT_SCALE_UP), scale_down: rules(input.behavior.scale_down, DEFAULT_SCALE_DOWN) },
    group,
  };
}

/** The typed start-up config (absent key = DEFAULT_STARTUP). */
export function resolveStartup(input: StartupInput | undefined): StartupConfig {
  return input ? { ...input } : DEFAULT_STARTUP;
}

/** $/GPU-hour overrides as given (absent = none; cost.ts gpuPrices merges them with the table). */
export function resolveGpuPrices(input: Readonly<Record<string, number>> | undefined): Readonly<Record<string, number>> {
  return input ? { ...input } : {};
}
