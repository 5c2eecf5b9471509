/**
 * `prefix-cache-affinity-filter` (GAIE v1.5.0, `epp.md` §2.8): keeps the "sticky" endpoints —
 * prefix score (matchBlocks / totalBlocks from PrefixCacheMatchInfo) ≥ affinityThreshold — so a
 * request whose prefix is well cached somewhere goes there. Passthrough (the input unchanged) when
 * there are ≤ 1 endpoints or the threshold is ≤ 0; with probability explorationProbability
 * (one ctx.rng draw, taken only past those checks); or when no endpoint is sticky (fail-open).
 *
 * The production also passes through when TTFT predictions exist and the best sticky predicted
 * TTFT exceeds the best non-sticky one by more than maxTTFTPenaltyMs. routesim has no latency
 * predictor, so that branch never triggers; the parameter is accepted for config compatibility.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Filter, LLMRequest, SchedEndpoint } from '../../framework/types.js';
import { prefixScore } from '../scorer/prefixCache.js';

export const PREFIX_CACHE_AFFINITY_FILTER = 'prefix-cache-affinity-filter';

const params = z.strictObject({
  affinityThreshold: z.number().default(0.8).describe('prefix score (match/total) an endpoint needs to be sticky; ≤ 0 disables the filter'),
  explorationProbability: z.number().default(0.01).describe('probability of ignoring affinity for a request (passthrough)'),
  maxTTFTPenaltyMs: z
    .number()
    .default(5000)
    .describe('TTFT penalty above which affinity is dropped; needs a latency predictor, which routesim lacks — never triggers'),
});

export class PrefixCacheAffinityFilter implements Filter {
  readonly type = PREFIX_CACHE_AFFINITY_FILTER;
  constructor(
    readonly name: string,
    readonly affinityThreshold: number,
    readonly explorationProbability: number,
  ) {}

  filter(ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    if (endpoints.length <= 1 || this.affinityThreshold <= 0) return endpoints;
    if (ctx.rng() < this.explorationProbability) return endpoints;
    const sticky = endpoints.filter((e) => prefixScore(e) >= this.affinityThreshold);
    return sticky.length === 0 ? endpoints : sticky;
  }
}

export const prefixCacheAffinityFilter: PluginDefinition<typeof params> = {
  type: PREFIX_CACHE_AFFINITY_FILTER,
  dialects: ['gaie-v1.5'],
  kinds: ['Filter'],
  source: 'GAIE v1.5.0',
  description:
    'Keeps endpoints whose prefix score ≥ affinityThreshold (fails open when none); explores with explorationProbability. ' +
    'The TTFT-penalty escape needs latency predictions, which routesim has none of.',
  params,
  create(name, p) {
    return new PrefixCacheAffinityFilter(name, p.affinityThreshold, p.explorationProbability);
  },
};
