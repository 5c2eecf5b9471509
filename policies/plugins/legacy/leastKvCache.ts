/**
 * `least-kv-cache-filter` (GAIE v0.5.0, `epp.md` §2.11): keeps `min ≤ kv ≤ min + (max − min)/n`
 * (float arithmetic, max starting at 0).
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Filter, LLMRequest, SchedEndpoint } from '../../framework/types.js';
import { leastKvCache } from './common.js';

export class LeastKvCacheFilter implements Filter {
  readonly type = 'least-kv-cache-filter';
  constructor(readonly name: string) {}

  filter(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    return leastKvCache(endpoints);
  }
}

export const leastKvCacheFilter: PluginDefinition = {
  type: 'least-kv-cache-filter',
  kinds: ['Filter'],
  source: 'GAIE v0.5.0',
  description: 'Legacy v0.5 filter: keeps endpoints with min ≤ kv ≤ min + (max − min)/n (KV-cache usage fraction).',
  params: z.strictObject({}),
  create: (name) => new LeastKvCacheFilter(name),
};
