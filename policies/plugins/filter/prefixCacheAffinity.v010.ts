/**
 * `prefix-cache-affinity-filter`, llm-d-router v0.10.0 (`llm-d-router.md` §5 row
 * prefix-cache-affinity-filter). As v1.5.0 (filter/prefixCacheAffinity.ts): ≤ 1 endpoint or
 * affinityThreshold ≤ 0 → passthrough; one ctx.rng draw < explorationProbability (default now 0) →
 * passthrough; sticky = match/total ≥ affinityThreshold (PrefixCacheMatchInfo of
 * `prefixMatchInfoProducerName`); no sticky endpoint → all. New: the TTFT escape. With
 * ttftSource = prefillThroughput (default), TTFT ms = in-flight tokens (InFlightLoad.tokens of
 * `inFlightLoadProducerName`, missing → 0) / peakPrefillThroughput · 1000; when some endpoint is not
 * sticky and (best sticky TTFT − best non-sticky TTFT) > maxTTFTPenaltyMs (default 18000), stickiness
 * is broken (all returned). ttftSource = latencyPredictor reads predictions routesim does not have
 * (missing = +∞, so the escape never triggers).
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Filter, LLMRequest, SchedEndpoint } from '../../framework/types.js';
import { inFlightKeys, inFlightV010, type InFlightKeys } from '../scorer/inflightReaders.v010.js';
import { prefixKey, prefixMatchV010, prefixRatio } from '../scorer/prefixCache.v010.js';

export const PEAK_PREFILL_THROUGHPUT = 15928;

const params = z.strictObject({
  affinityThreshold: z.number().default(0.8).describe('prefix score (match/total) an endpoint needs to be sticky; ≤ 0 disables the filter'),
  explorationProbability: z.number().default(0).describe('probability of ignoring affinity for a request (passthrough)'),
  maxTTFTPenaltyMs: z.number().default(18000).describe('stickiness is broken when best sticky − best non-sticky TTFT exceeds this (ms)'),
  ttftSource: z.enum(['prefillThroughput', 'latencyPredictor']).default('prefillThroughput').describe('prefillThroughput: in-flight tokens / peakPrefillThroughput; latencyPredictor: needs predictions routesim lacks'),
  peakPrefillThroughput: z.number().positive().default(PEAK_PREFILL_THROUGHPUT).describe('prefill tokens/s used to turn in-flight tokens into a TTFT estimate'),
  prefixMatchInfoProducerName: z.string().default('').describe('producer of PrefixCacheMatchInfo ("" = approx-prefix-cache-producer)'),
  inFlightLoadProducerName: z.string().default('').describe('producer of InFlightLoad ("" = inflight-load-producer)'),
});
type Params = z.output<typeof params>;

export class PrefixCacheAffinityFilterV010 implements Filter {
  readonly type = 'prefix-cache-affinity-filter';
  private readonly prefixKey: string;
  private readonly loadKeys: InFlightKeys;
  constructor(readonly name: string, readonly p: Params) {
    this.prefixKey = prefixKey(p.prefixMatchInfoProducerName);
    this.loadKeys = inFlightKeys(p.inFlightLoadProducerName);
  }

  /** TTFT estimate (ms) of an endpoint; +∞ without a latency predictor. */
  ttftMs(e: SchedEndpoint): number {
    if (this.p.ttftSource === 'latencyPredictor') return Infinity;
    return ((inFlightV010(e, this.loadKeys)?.tokens ?? 0) / this.p.peakPrefillThroughput) * 1000;
  }

  filter(ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    if (endpoints.length <= 1 || this.p.affinityThreshold <= 0) return endpoints;
    if (ctx.rng() < this.p.explorationProbability) return endpoints;
    const sticky: SchedEndpoint[] = [];
    let bestSticky = Infinity;
    let bestOther = Infinity;
    for (const e of endpoints) {
      const isSticky = prefixRatio(prefixMatchV010(e, this.prefixKey)) >= this.p.affinityThreshold;
      const t = this.ttftMs(e);
      if (isSticky) {
        sticky.push(e);
        bestSticky = Math.min(bestSticky, t);
      } else bestOther = Math.min(bestOther, t);
    }
    if (sticky.length === 0 || sticky.length === endpoints.length) return endpoints;
    if (bestSticky - bestOther > this.p.maxTTFTPenaltyMs) return endpoints;
    return sticky;
  }
}

export const prefixCacheAffinityFilterV010: PluginDefinition<typeof params> = {
  type: 'prefix-cache-affinity-filter',
  dialects: ['llm-d-v0.10'],
  kinds: ['Filter'],
  source: 'llm-d-router v0.10.0',
  description:
    'Keeps endpoints whose prefix score ≥ affinityThreshold (fails open when none); explores with explorationProbability (0); breaks stickiness when the best sticky TTFT (in-flight tokens / peakPrefillThroughput) exceeds the best non-sticky one by more than maxTTFTPenaltyMs.',
  params,
  create: (name, p) => new PrefixCacheAffinityFilterV010(name, p),
};
