/**
 * `no-hit-lru-scorer`, llm-d-router v0.10.0 (`llm-d-router.md` §5 row no-hit-lru-scorer): the
 * v0.7.0 formula (scorer/noHitLru.ts) with the cold test read from the PrefixCacheMatchInfo of
 * `prefixMatchInfoProducerName` (default approx-prefix-cache-producer): cold = no candidate has
 * match > 0 (missing info counts as no match). Warm → 0.5 everywhere. Cold over n candidates:
 * never-used candidates, in order, 1 − i/(n−1); used ones max(0, 1 − (neverUsed + LRU position)/(n−1));
 * n = 1 → 1. PreRequest marks the primary and `prefill` targets of cold requests most recently used.
 * `prefixPluginType`/`prefixPluginName` are accepted and unused.
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint } from '../../framework/types.js';
import { NoHitLruBase } from './noHitLruBase.js';
import { prefixKey, prefixMatchV010 } from './prefixCache.v010.js';

export class NoHitLruScorerV010 extends NoHitLruBase {
  private readonly key: string;
  constructor(name: string, lruSize: number, producerName: string) {
    super(name, lruSize);
    this.key = prefixKey(producerName);
  }

  /** Cold = no candidate has match > 0 in the producer's PrefixCacheMatchInfo. */
  protected isCold(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): boolean {
    return !endpoints.some((e) => (prefixMatchV010(e, this.key)?.match ?? 0) > 0);
  }
}

const params = z.strictObject({
  prefixMatchInfoProducerName: z.string().default('').describe('producer whose PrefixCacheMatchInfo decides cold/warm ("" = approx-prefix-cache-producer)'),
  prefixPluginType: z.string().default('prefix-cache-scorer').describe('accepted, unused in v0.10.0'),
  prefixPluginName: z.string().default('prefix-cache-scorer').describe('accepted, unused in v0.10.0'),
  lruSize: z.number().int().default(1024).describe('endpoints remembered in the cold-request LRU'),
});

export const noHitLruScorerV010: PluginDefinition<typeof params> = {
  type: 'no-hit-lru-scorer',
  dialects: ['llm-d-v0.10'],
  kinds: ['Scorer', 'PreRequest'],
  source: 'llm-d-router v0.10.0',
  description:
    'Cold requests (no candidate with a prefix match) go to the endpoints least recently given a cold request: never-used 1 − i/(n−1), used max(0, 1 − (neverUsed + LRU position)/(n−1)); warm requests 0.5 everywhere.',
  params,
  create(name, p) {
    if (p.lruSize <= 0) throw new ParamError('lruSize', 'lruSize must be > 0');
    return new NoHitLruScorerV010(name, p.lruSize, p.prefixMatchInfoProducerName);
  },
};
