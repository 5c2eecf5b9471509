/**
 * `multicluster-kv-cache-utilization-scorer` (llm-d-router v0.10.0, Alpha, `llm-d-router.md` §4.3):
 * 1 − the scalar endpoint attribute `llm-d.ai/multicluster-kv-cache-utilization` (written by
 * multicluster-metrics-extractor); candidates lacking it are left out of the result (contribute 0).
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';
import { scalarAttr } from '../filter/endpointAttribute.js';

export const MULTICLUSTER_KV_CACHE_UTILIZATION = 'llm-d.ai/multicluster-kv-cache-utilization';

export class MulticlusterKvCacheUtilizationScorer implements Scorer {
  readonly type = 'multicluster-kv-cache-utilization-scorer';
  readonly category = 'Distribution' as const;
  constructor(readonly name: string) {}

  score(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of endpoints) {
      const u = scalarAttr(e, MULTICLUSTER_KV_CACHE_UTILIZATION);
      if (u !== undefined) out.set(e.name, 1 - u);
    }
    return out;
  }
}

export const multiclusterKvCacheUtilizationScorer: PluginDefinition = {
  type: 'multicluster-kv-cache-utilization-scorer',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['Scorer'],
  source: 'llm-d-router v0.10.0',
  description: `1 − the ${MULTICLUSTER_KV_CACHE_UTILIZATION} attribute (missing → not scored).`,
  params: z.strictObject({}),
  create: (name) => new MulticlusterKvCacheUtilizationScorer(name),
};
