/**
 * `kv-cache-utilization-scorer` (GAIE v1.5.0 `scorer/kvcacheutilization`, `epp.md` §2.3):
 * `1 − KVCacheUsagePercent` (a 0–1 fraction; the framework clamps the result to [0, 1]).
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';
import { kvUsage } from './metrics.js';

export class KvCacheUtilizationScorer implements Scorer {
  readonly type = 'kv-cache-utilization-scorer';
  readonly keepsNoCandidates = true;
  readonly category = 'Distribution' as const;
  constructor(readonly name: string) {}

  score(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of endpoints) out.set(e.name, 1 - kvUsage(e));
    return out;
  }

  scoreInto(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[], out: Float64Array): void {
    for (let i = 0; i < endpoints.length; i++) out[i] = 1 - kvUsage(endpoints[i]!);
  }
}

export const kvCacheUtilizationScorer: PluginDefinition = {
  type: 'kv-cache-utilization-scorer',
  kinds: ['Scorer'],
  source: 'GAIE v1.5.0',
  description:
    'Scores 1 − the scraped KV-cache usage fraction (vllm:kv_cache_usage_perc); not relative to the other candidates. Never-scraped endpoints count as 0 usage (score 1).',
  params: z.strictObject({}),
  create: (name) => new KvCacheUtilizationScorer(name),
};
