/**
 * `mm-embeddings-cache-scorer` (llm-d-router v0.10.0, Affinity, `llm-d-router.md` §4.3): the
 * fraction of the request's distinct media items believed cached on the endpoint, from the
 * EncoderCacheMatchInfo endpoint attribute of `producerName` (default mm-embeddings-cache-producer):
 * matched/total (all item sizes 1). No match info (text-only request) or total 0 → 0.
 */
import { z } from 'zod';
import { DEFAULT_MM_PRODUCER, ENCODER_CACHE_MATCH_INFO_TYPE, producerKey, type EncoderCacheMatchInfo } from '../../framework/dataKeys.js';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';

export class MmEmbeddingsCacheScorer implements Scorer {
  readonly type = 'mm-embeddings-cache-scorer';
  readonly category = 'Affinity' as const;
  readonly key: string;
  constructor(readonly name: string, producerName: string) {
    this.key = producerKey(ENCODER_CACHE_MATCH_INFO_TYPE, producerName, DEFAULT_MM_PRODUCER);
  }

  score(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of endpoints) {
      const m = e.attributes.get(this.key) as EncoderCacheMatchInfo | undefined;
      out.set(e.name, m && m.total > 0 ? m.matched / m.total : 0);
    }
    return out;
  }
}

const params = z.strictObject({
  producerName: z.string().default('').describe('producer of the encoder-cache match info ("" = mm-embeddings-cache-producer)'),
});

export const mmEmbeddingsCacheScorer: PluginDefinition<typeof params> = {
  type: 'mm-embeddings-cache-scorer',
  dialects: ['llm-d-v0.10'],
  kinds: ['Scorer'],
  source: 'llm-d-router v0.10.0',
  description: "Fraction of the request's distinct media items cached on the endpoint (matched/total); text-only requests → 0.",
  params,
  create: (name, p) => new MmEmbeddingsCacheScorer(name, p.producerName),
};
