/**
 * llm-d-router v0.10.0 `precise-prefix-cache-scorer` (`llm-d-router.md` §5): a wrapper of a
 * `precise-prefix-cache-producer` (same parameters, embedded) and the generic prefix scorer, so
 * score = ⌊tier-weighted match⌋ / total from the producer's PrefixCacheMatchInfo (total 0 or no
 * info → 0; v0.7.0 min–max normalised instead).
 *
 * If a `precise-prefix-cache-producer` is configured, the scorer degenerates to a prefix scorer
 * pointed at it and builds no index of its own. routesim's factory context can only look plugins up
 * by name, so the configured producer is found under its default name
 * (`precise-prefix-cache-producer`); one under another name is not detected (the reference's
 * "more than one producer → error" therefore cannot arise here).
 */
import type { PluginDefinition } from '../../framework/registry.js';
import type { PrefixCacheMatchInfoV010 } from '../../framework/dataKeys.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';
import { PrecisePrefixCacheProducer, precisePrefixParams } from '../producer/precisePrefixCache.js';

export const PRECISE_PREFIX_CACHE_SCORER = 'precise-prefix-cache-scorer';

/** match/total of the info under `key` (0 without info or blocks). */
export function prefixRatio(e: SchedEndpoint, key: string): number {
  const info = e.attributes.get(key) as PrefixCacheMatchInfoV010 | undefined;
  if (!info || !(info.total > 0)) return 0;
  return info.match / info.total;
}

/** The wrapper with its own embedded producer (PrepareData, PreRequest, KV events) and scorer. */
export class PrecisePrefixCacheScorerV010 extends PrecisePrefixCacheProducer implements Scorer {
  override readonly type = PRECISE_PREFIX_CACHE_SCORER;
  readonly category = 'Affinity' as const;

  score(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of endpoints) out.set(e.name, prefixRatio(e, this.key));
    return out;
  }
}

/** The degenerate form: scores from a configured producer's key. */
export class PrefixInfoScorer implements Scorer {
  readonly type = PRECISE_PREFIX_CACHE_SCORER;
  readonly category = 'Affinity' as const;
  constructor(
    readonly name: string,
    readonly key: string,
  ) {}

  score(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of endpoints) out.set(e.name, prefixRatio(e, this.key));
    return out;
  }
}

export const precisePrefixCacheScorerV010: PluginDefinition<typeof precisePrefixParams> = {
  type: PRECISE_PREFIX_CACHE_SCORER,
  dialects: ['llm-d-v0.10'],
  kinds: ['Scorer', 'PrepareData', 'PreRequest', 'KvEventListener'],
  source: 'llm-d-router v0.10.0',
  description:
    'Wrapper of precise-prefix-cache-producer (same parameters) + prefix scorer: score = ⌊tier-weighted match⌋/total from the ' +
    'engines\' KV events (AllBlocksCleared clears the pod). With a configured precise-prefix-cache-producer it only scores from it.',
  params: precisePrefixParams,
  create(name, p, ctx) {
    const producer = ctx.plugin('precise-prefix-cache-producer');
    if (producer instanceof PrecisePrefixCacheProducer && !(producer instanceof PrecisePrefixCacheScorerV010)) return new PrefixInfoScorer(name, producer.key);
    return new PrecisePrefixCacheScorerV010(name, p);
  },
};
