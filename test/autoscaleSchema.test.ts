/**
 * The scenario keys `autoscaling:` and `startup:` of a pool and the top-level `gpu_prices:`
 * (sim/scenario/autoscaleSchema.ts; gateway.md §5.1, §5.5): defaults, what they resolve to, and
 * the one-line message for each mistake (schema issues through describeIssue as the loader reports
 * them, the group check as an AutoscaleProblem).
 */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { describeIssue, firstIssue } from '../sim/scenario/schema.js';
import {
  AutoscaleProblem,
  AutoscalingSchema,
  GpuPricesSchema,
  resolveAutoscaling,
  resolveGpuPrices,
  resolveStartup,
  StartupSchema,
} from '../sim/scenario/autoscaleSchema.js';
import { DEFAULT_SCALE_DOWN, DEFAULT_SCALE_UP } from '../sim/autoscale/hpa.js';
import { DEFAULT_STARTUP } from '../sim/autoscale/startup.js';

/** Parse `data` with `schema` at `path`; throws the message the user would read (minus the file). */
function parse<S extends z.ZodType>(schema: S, data: unknown, path: string): z.output<S> {
  const parsed = schema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const r = describeIssue(firstIssue(parsed.error.issues)!, [path]);
    throw new Error(`${r.path}: ${r.problem} (fix: ${r.fix})`);
  }
  return parsed.data;
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a problem');
}

const auto = (data: unknown, groups = 1) => resolveAutoscaling(parse(AutoscalingSchema, data, 'autoscaling'), groups);
const autoMsg = (data: unknown, groups = 1) => messageOf(() => auto(data, groups));

describe('autoscaling: accepted', () => {
  it('fills in the Kubernetes defaults and scales the last group', () => {
    expect(auto({ metric: 'queue', target: 3, max_replicas: 8 }, 2)).toEqual({
      metric: 'queue',
      target: 3,
      min_replicas: 1,
      max_replicas: 8,
      sync_period_s: 15,
      tolerance: 0.1,
      metric_delay_s: 15,
      behavior: { scale_up: DEFAULT_SCALE_UP, scale_down: DEFAULT_SCALE_DOWN },
      group: 1,
    });
  });

  it('takes the full YAML form; a partial direction keeps that direction’s other defaults', () => {
    const yaml = `
metric: kv
target: 0.7
min_replicas: 2
max_replicas: 12
sync_period_s: 30
tolerance: 0.05
metric_delay_s: 30
behavior:
  scale_up: {stabilization_window_s: 60, policies: [{type: Pods, value: 2, period_s: 60}], select_policy: Min}
  scale_down: {select_policy: Disabled}
group: 0
`;
    expect(auto(parseYaml(yaml), 2)).toEqual({
      metric: 'kv',
      target: 0.7,
      min_replicas: 2,
      max_replicas: 12,
      sync_period_s: 30,
      tolerance: 0.05,
      metric_delay_s: 30,
      behavior: {
        scale_up: { stabilization_window_s: 60, policies: [{ type: 'Pods', value: 2, period_s: 60 }], select_policy: 'Min' },
        scale_down: { ...DEFAULT_SCALE_DOWN, select_policy: 'Disabled' },
      },
      group: 0,
    });
  });

  it('saturation needs no target: External AverageValue 1 on WVA’s desired count', () => {
    expect(auto({ metric: 'saturation', max_replicas: 4 }).target).toBe(1);
  });
});

describe('autoscaling: one-line messages', () => {
  it('min above max', () => {
    expect(autoMsg({ metric: 'queue', target: 3, min_replicas: 5, max_replicas: 4 })).toBe(
      'autoscaling.min_replicas: min_replicas 5 is above max_replicas 4 (fix: lower min_replicas or raise max_replicas to at least 5)',
    );
  });

  it('max over 1000, max missing, min 0', () => {
    expect(autoMsg({ metric: 'queue', target: 3, max_replicas: 1001 })).toMatch(/^autoscaling\.max_replicas: must be a whole number between 1 and 1000 replicas, got 1001 \(fix: /);
    expect(autoMsg({ metric: 'queue', target: 3 })).toBe('autoscaling.max_replicas: missing required key "max_replicas" (fix: add max_replicas: <a number>)');
    expect(autoMsg({ metric: 'queue', target: 3, min_replicas: 0, max_replicas: 4 })).toMatch(/^autoscaling\.min_replicas: must be a whole number between 1 and 1000/);
  });

  it('target: missing for a per-pod metric, 0, a kv fraction above 1', () => {
    expect(autoMsg({ metric: 'running', max_replicas: 4 })).toBe(
      'autoscaling.target: metric running needs a target (the per-pod average to aim at) (fix: add target: 64 (requests running per pod))',
    );
    expect(autoMsg({ metric: 'queue', target: 0, max_replicas: 4 })).toMatch(/^autoscaling\.target: must be between 0\.001 and 1e6, got 0 \(fix: /);
    expect(autoMsg({ metric: 'kv', target: 80, max_replicas: 4 })).toBe(
      'autoscaling.target: a kv target is a fraction of the KV cache, got 80 (fix: use a value between 0.001 and 1, e.g. target: 0.7)',
    );
  });

  it('metric, policy type and select_policy typos; unknown keys', () => {
    expect(autoMsg({ metric: 'queu', target: 3, max_replicas: 4 })).toBe('autoscaling.metric: unknown value "queu" (fix: did you mean "queue"? use one of queue, kv, running, saturation)');
    const policy = (p: unknown) => ({ metric: 'queue', target: 3, max_replicas: 4, behavior: { scale_up: { policies: [p] } } });
    expect(autoMsg(policy({ type: 'pods', value: 1, period_s: 15 }))).toBe(
      'autoscaling.behavior.scale_up.policies[0].type: unknown value "pods" (fix: did you mean "Pods"? use one of Pods, Percent)',
    );
    expect(autoMsg(policy({ type: 'Pods', value: 1, period_s: 1801 }))).toMatch(/^autoscaling\.behavior\.scale_up\.policies\[0\]\.period_s: must be a whole number between 1 and 1800 s, got 1801/);
    expect(autoMsg(policy({ type: 'Pods', value: 0, period_s: 15 }))).toMatch(/^autoscaling\.behavior\.scale_up\.policies\[0\]\.value: must be a whole number between 1 and 100000, got 0 \(fix: /);
    expect(autoMsg({ metric: 'queue', target: 3, max_replicas: 4, behavior: { scale_down: { select_policy: 'max' } } })).toMatch(
      /^autoscaling\.behavior\.scale_down\.select_policy: unknown value "max" \(fix: did you mean "Max"\?/,
    );
    expect(autoMsg({ metric: 'queue', target: 3, max_replicas: 4, behavior: { scale_down: { stabilization_window_s: 3601 } } })).toMatch(
      /^autoscaling\.behavior\.scale_down\.stabilization_window_s: must be a whole number between 0 and 3600 s/,
    );
    expect(autoMsg({ metric: 'queue', target: 3, max_replicas: 4, sync_period: 15 })).toMatch(/^autoscaling\.sync_period: unknown key "sync_period" \(fix: did you mean "sync_period_s"\?/);
  });

  it('a group the pool does not have', () => {
    const e = messageOf(() => resolveAutoscaling(parse(AutoscalingSchema, { metric: 'queue', target: 3, max_replicas: 4, group: 2 }, 'autoscaling'), 2, ['pools', 1, 'autoscaling']));
    expect(e).toBe('pools[1].autoscaling.group: group 2 does not exist: the pool has 2 replica groups (fix: use an index from 0 to 1, or leave group out to scale the last group)');
    expect(() => resolveAutoscaling(parse(AutoscalingSchema, { metric: 'queue', target: 3, max_replicas: 4, group: 2 }, 'autoscaling'), 2)).toThrow(AutoscaleProblem);
  });
});

describe('startup and gpu_prices', () => {
  it('startup: defaults, overrides, ranges', () => {
    expect(resolveStartup(undefined)).toEqual(DEFAULT_STARTUP);
    expect(resolveStartup(parse(StartupSchema, {}, 'startup'))).toEqual(DEFAULT_STARTUP);
    expect(resolveStartup(parse(StartupSchema, { load_s: 90, storage_gbps: 0.5 }, 'startup'))).toEqual({ ...DEFAULT_STARTUP, load_s: 90, storage_gbps: 0.5 });
    expect(messageOf(() => parse(StartupSchema, { warmup_factor: 0.5 }, 'startup'))).toMatch(/^startup\.warmup_factor: must be between 1 and 100, got 0\.5 \(fix: /);
    expect(messageOf(() => parse(StartupSchema, { init: 20 }, 'startup'))).toMatch(/^startup\.init: unknown key "init" \(fix: did you mean "init_s"\?/);
  });

  it('gpu_prices: catalog GPUs only, a price range', () => {
    expect(resolveGpuPrices(parse(GpuPricesSchema, { H100: 2.5, L4: 0.6 }, 'gpu_prices'))).toEqual({ H100: 2.5, L4: 0.6 });
    expect(resolveGpuPrices(undefined)).toEqual({});
    expect(messageOf(() => parse(GpuPricesSchema, { H10: 2.5 }, 'gpu_prices'))).toMatch(/^gpu_prices\.H10: unknown GPU "H10" in gpu_prices \(fix: did you mean "H100"\? use one of H100, /);
    expect(messageOf(() => parse(GpuPricesSchema, { H100: -1 }, 'gpu_prices'))).toMatch(/^gpu_prices\.H100: must be between 0 and 10000 \$\/GPU-hour, got -1 \(fix: /);
  });
});
