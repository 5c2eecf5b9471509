/**
 * `least-queue-filter` (GAIE v0.5.0, `epp.md` §2.11): keeps `min ≤ q ≤ min + ⌊(max − min)/n⌋`
 * (integer division, max starting at 0) — the lowest-queue slice of the candidates.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Filter, LLMRequest, SchedEndpoint } from '../../framework/types.js';
import { leastQueue } from './common.js';

export class LeastQueueFilter implements Filter {
  readonly type = 'least-queue-filter';
  constructor(readonly name: string) {}

  filter(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    return leastQueue(endpoints);
  }
}

export const leastQueueFilter: PluginDefinition = {
  type: 'least-queue-filter',
  kinds: ['Filter'],
  source: 'GAIE v0.5.0',
  description: 'Legacy v0.5 filter: keeps endpoints with min ≤ waiting ≤ min + ⌊(max − min)/n⌋ (Go integer division).',
  params: z.strictObject({}),
  create: (name) => new LeastQueueFilter(name),
};
