/**
 * `priority-holdback-policy` (llm-d-router v0.10.0, Alpha; `llm-d-router.md` §4.8): a UsageLimitPolicy
 * that holds lower priority levels back earlier. It sees all registered priority levels (configured
 * or created on demand, even if empty), highest first, and gives level i a saturation ceiling:
 *
 * - one level → maxCeiling;
 * - domain `rank`: cᵢ = max − i·(max − min)/(n − 1);
 * - domain `value`: cᵢ = min + (pᵢ − p_min)/(p_max − p_min)·(max − min) (all equal → max).
 *
 * The flow controller stops a dispatch cycle at the first non-empty band whose ceiling the
 * saturation reaches (head-of-line blocking). `shape` has one value, `linear`.
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import type { UsageLimitPolicy } from '../../framework/types.js';
import type { BandAwareUsageLimitPolicy } from '../../flowcontrol/types.js';

export interface HoldbackParams {
  readonly minCeiling: number;
  readonly maxCeiling: number;
  readonly domain: 'rank' | 'value';
}

/** Ceilings for `priorities` (highest first). */
export function holdbackCeilings(p: HoldbackParams, priorities: readonly number[]): number[] {
  const n = priorities.length;
  if (n === 0) return [];
  if (n === 1) return [p.maxCeiling];
  const span = p.maxCeiling - p.minCeiling;
  if (p.domain === 'rank') return priorities.map((_, i) => p.maxCeiling - (i * span) / (n - 1));
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of priorities) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  if (hi === lo) return priorities.map(() => p.maxCeiling);
  return priorities.map((x) => p.minCeiling + ((x - lo) / (hi - lo)) * span);
}

export class PriorityHoldbackPolicy implements UsageLimitPolicy, BandAwareUsageLimitPolicy {
  readonly type = 'priority-holdback-policy';
  /** Levels seen by the last `ceilings` call, so the per-band `ceiling` agrees with it. */
  private levels: readonly number[] = [];
  constructor(readonly name: string, readonly params: HoldbackParams) {}

  ceilings(_saturation: number, priorities: readonly number[]): number[] {
    this.levels = priorities;
    return holdbackCeilings(this.params, priorities);
  }

  /** Per-band form (a controller without level lists): the band's ceiling among the last levels seen, else maxCeiling. */
  ceiling(_saturation: number, priority: number): number {
    const i = this.levels.indexOf(priority);
    return i < 0 ? this.params.maxCeiling : holdbackCeilings(this.params, this.levels)[i]!;
  }
}

const params = z.strictObject({
  minCeiling: z.number().optional().describe('Required. Ceiling of the lowest level, in [0, 1).'),
  maxCeiling: z.number().default(1.0).describe('Ceiling of the highest level, in (0, 1] and > minCeiling.'),
  shape: z.enum(['linear']).default('linear').describe('Interpolation shape (only linear).'),
  domain: z.enum(['rank', 'value']).default('rank').describe('Interpolate by rank among levels or by priority value.'),
});

export const priorityHoldbackPolicy: PluginDefinition<typeof params> = {
  type: 'priority-holdback-policy',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['UsageLimitPolicy'],
  source: 'llm-d-router v0.10.0',
  description:
    'Flow-control usage limit: ceilings interpolated linearly from maxCeiling (highest registered priority level) down to minCeiling (lowest), by rank or by priority value; one level → maxCeiling.',
  params,
  create: (name, p) => {
    if (p.minCeiling === undefined) throw new ParamError('minCeiling', 'minCeiling is required (a number in [0, 1))');
    if (!(p.minCeiling >= 0 && p.minCeiling < 1)) throw new ParamError('minCeiling', `minCeiling must be in [0, 1) (got ${p.minCeiling})`);
    if (!(p.maxCeiling > 0 && p.maxCeiling <= 1)) throw new ParamError('maxCeiling', `maxCeiling must be in (0, 1] (got ${p.maxCeiling})`);
    if (!(p.maxCeiling > p.minCeiling)) throw new ParamError('maxCeiling', `maxCeiling must be > minCeiling (got ${p.maxCeiling} ≤ ${p.minCeiling})`);
    return new PriorityHoldbackPolicy(name, { minCeiling: p.minCeiling, maxCeiling: p.maxCeiling, domain: p.domain });
  },
};
