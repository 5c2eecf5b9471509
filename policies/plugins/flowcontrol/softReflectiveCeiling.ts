/**
 * `soft-reflective-ceiling-policy` (llm-d-router v0.10.0, Alpha, no parameters; `llm-d-router.md`
 * §4.8): a UsageLimitPolicy over all registered priority levels (n, highest first). Band 0 always
 * gets ceiling 1.0. Band i ≥ 1 has a reflective threshold rᵢ = 1 − i·s/(n − 1) for saturation s:
 *
 * - s < rᵢ → 1.0 (open);
 * - s ≥ 1 → 0.0 (closed);
 * - else open one call in `period`: open iff counter mod period = 0, period =
 *   max(1, round(s/(1 − s + 1e−9))), with one counter shared by all bands that advances once per
 *   call while 0.5 ≤ s < 1 (advanced before it is read, so the first call of a run is counter 1).
 *
 * "One call" is one `ceilings` evaluation, i.e. one dispatch attempt of the flow controller.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { UsageLimitPolicy } from '../../framework/types.js';
import type { BandAwareUsageLimitPolicy } from '../../flowcontrol/types.js';

export class SoftReflectiveCeilingPolicy implements UsageLimitPolicy, BandAwareUsageLimitPolicy {
  readonly type = 'soft-reflective-ceiling-policy';
  private counter = 0;
  private last: { levels: readonly number[]; out: number[] } = { levels: [], out: [] };
  constructor(readonly name: string) {}

  ceilings(s: number, priorities: readonly number[]): number[] {
    const n = priorities.length;
    if (s >= 0.5 && s < 1) this.counter++;
    const period = Math.max(1, Math.round(s / (1 - s + 1e-9)));
    const alternateOpen = this.counter % period === 0;
    const out = priorities.map((_, i) => {
      if (i === 0) return 1.0;
      const r = 1 - (i * s) / (n - 1);
      if (s < r) return 1.0;
      if (s >= 1) return 0.0;
      return alternateOpen ? 1.0 : 0.0;
    });
    this.last = { levels: priorities, out };
    return out;
  }

  /** Per-band form: the band's ceiling from the last `ceilings` call (1.0 when unseen). */
  ceiling(_saturation: number, priority: number): number {
    const i = this.last.levels.indexOf(priority);
    return i < 0 ? 1.0 : this.last.out[i]!;
  }
}

const params = z.strictObject({});

export const softReflectiveCeilingPolicy: PluginDefinition<typeof params> = {
  type: 'soft-reflective-ceiling-policy',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['UsageLimitPolicy'],
  source: 'llm-d-router v0.10.0',
  description:
    'Flow-control usage limit: the top level always open; level i of n open while saturation s < 1 − i·s/(n−1), closed at s ≥ 1, else open one dispatch attempt in round(s/(1−s)) (shared counter).',
  params,
  create: (name) => new SoftReflectiveCeilingPolicy(name),
};
