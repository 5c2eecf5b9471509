/**
 * `low-queue-filter` (GAIE v0.5.0, `epp.md` §2.11): keeps endpoints with waiting queue ≤ threshold
 * (v0.5 uses ≤ where v0.3's low-queueing predicate used <).
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Filter, LLMRequest, SchedEndpoint } from '../../framework/types.js';
import { waiting } from '../scorer/metrics.js';

export class LowQueueFilter implements Filter {
  readonly type = 'low-queue-filter';
  constructor(readonly name: string, readonly threshold: number) {}

  filter(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    return endpoints.filter((e) => waiting(e) <= this.threshold);
  }
}

const params = z.strictObject({
  threshold: z.number().int().default(128).describe('Keep endpoints whose waiting queue is ≤ this.'),
});

export const lowQueueFilter: PluginDefinition<typeof params> = {
  type: 'low-queue-filter',
  kinds: ['Filter'],
  source: 'GAIE v0.5.0',
  description: 'Legacy v0.5 filter: keeps endpoints with waiting queue ≤ threshold (may return none; use inside a decision-tree-filter).',
  params,
  create: (name, p) => new LowQueueFilter(name, p.threshold),
};
