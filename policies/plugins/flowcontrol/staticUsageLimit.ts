/**
 * `static-usage-limit-policy` (GAIE v1.5.0, `epp.md` §2.10, the default): the same saturation
 * ceiling `threshold` (default 1.0) for every priority band; a band dispatches only while the pool's
 * saturation is below it.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { UsageLimitPolicy } from '../../framework/types.js';

export class StaticUsageLimitPolicy implements UsageLimitPolicy {
  readonly type = 'static-usage-limit-policy';
  constructor(
    readonly name: string,
    readonly threshold: number,
  ) {}

  ceiling(_saturation: number, _priority: number): number {
    return this.threshold;
  }
}

const params = z.strictObject({
  threshold: z.number().default(1.0).describe('Saturation ceiling of every priority band (dispatch while saturation < threshold).'),
});

export const staticUsageLimitPolicy: PluginDefinition<typeof params> = {
  type: 'static-usage-limit-policy',
  kinds: ['UsageLimitPolicy'],
  source: 'GAIE v1.5.0',
  description: 'Flow-control usage limit (default): every priority band dispatches only while pool saturation < threshold.',
  params,
  create: (name, p) => new StaticUsageLimitPolicy(name, p.threshold),
};
