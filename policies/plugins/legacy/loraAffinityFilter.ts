/**
 * `lora-affinity-filter` (GAIE v0.5.0, `epp.md` §2.11): endpoints that have the target adapter
 * running OR waiting ("affinity"), or failing that those with a free slot (|running| + |waiting| <
 * max_lora, "available"); when both groups are non-empty, affinity with probability `threshold`
 * (drawn from ctx.rng), else available.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Filter, LLMRequest, SchedEndpoint } from '../../framework/types.js';
import { loraSoftAffinity } from './common.js';

export class LoraAffinityFilter implements Filter {
  readonly type = 'lora-affinity-filter';
  constructor(readonly name: string, readonly threshold: number) {}

  filter(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    return loraSoftAffinity(endpoints, req.targetModel, this.threshold, ctx.rng, 'v0.5');
  }
}

const params = z.strictObject({
  threshold: z.number().default(0.999).describe('Probability of choosing the affinity group when both groups are non-empty.'),
});

export const loraAffinityFilter: PluginDefinition<typeof params> = {
  type: 'lora-affinity-filter',
  kinds: ['Filter'],
  source: 'GAIE v0.5.0',
  description:
    "Legacy v0.5 filter: endpoints with the request's adapter running or waiting (affinity), else those with |running| + |waiting| < max_lora (available); when both exist, affinity with probability threshold. May return none.",
  params,
  create: (name, p) => new LoraAffinityFilter(name, p.threshold),
};
