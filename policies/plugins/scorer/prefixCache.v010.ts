/**
 * `prefix-cache-scorer` and `multicluster-prefix-cache-scorer`, llm-d-router v0.10.0
 * (`llm-d-router.md` §5 row prefix-cache-scorer, §4.3): stateless; reads the PrefixCacheMatchInfo
 * endpoint attribute `PrefixCacheMatchInfoDataKey/<prefixMatchInfoProducerName>` (default
 * approx-prefix-cache-producer) and scores
 *   w·min(1, match·B/scale)² + (1−w)·match/total      (total 0 or no info → 0),
 * w = matchLengthWeight, scale = matchLengthScaleTokens. The v1.5.0 producer fields on the scorer are
 * rejected (strict parameters). Shipped vectors: (5,10,1) → 0.5; w 0.5 scale 100: (5,10,1) → 0.25125.
 *
 * Bridge: when the default producer's v0.10 key is absent, the GAIE producer's `PrefixCacheMatchInfo`
 * attribute {matchBlocks, totalBlocks, blockSizeTokens} is read instead (until the v0.10 producer lands).
 */
import { z } from 'zod';
import { PREFIX_CACHE_MATCH_INFO, type PrefixCacheMatchInfo } from '../../framework/attributes.js';
import {
  DEFAULT_PREFIX_PRODUCER,
  PREFIX_MATCH_INFO_TYPE,
  dataKey,
  producerKey,
  type PrefixCacheMatchInfoV010,
} from '../../framework/dataKeys.js';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';

const DEFAULT_KEY = dataKey(PREFIX_MATCH_INFO_TYPE, DEFAULT_PREFIX_PRODUCER);

/** The v0.10 match info under `key` (GAIE attribute as a fallback for the default key). */
export function prefixMatchV010(e: SchedEndpoint, key: string): PrefixCacheMatchInfoV010 | undefined {
  const v = e.attributes.get(key) as PrefixCacheMatchInfoV010 | undefined;
  if (v !== undefined || key !== DEFAULT_KEY) return v;
  const g = e.attributes.get(PREFIX_CACHE_MATCH_INFO) as PrefixCacheMatchInfo | undefined;
  return g ? { match: g.matchBlocks, total: g.totalBlocks, blockSize: g.blockSizeTokens } : undefined;
}

/** The prefix key a `prefixMatchInfoProducerName` parameter names. */
export const prefixKey = (producerName: string): string => producerKey(PREFIX_MATCH_INFO_TYPE, producerName, DEFAULT_PREFIX_PRODUCER);

/** match/total (0 without info or blocks). */
export function prefixRatio(info: PrefixCacheMatchInfoV010 | undefined): number {
  return !info || info.total <= 0 ? 0 : info.match / info.total;
}

/** The v0.10 formula. */
export function prefixScoreV010(info: PrefixCacheMatchInfoV010 | undefined, weight: number, scaleTokens: number): number {
  if (!info || info.total <= 0) return 0;
  const ratio = info.match / info.total;
  if (weight <= 0) return ratio;
  const len = Math.min(1, (info.match * info.blockSize) / scaleTokens);
  return weight * len * len + (1 - weight) * ratio;
}

export class PrefixCacheScorerV010 implements Scorer {
  readonly category = 'Affinity' as const;
  readonly key: string;
  constructor(
    readonly type: string,
    readonly name: string,
    producerName: string,
    readonly weight: number,
    readonly scaleTokens: number,
  ) {
    this.key = prefixKey(producerName);
  }

  score(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of endpoints) out.set(e.name, prefixScoreV010(prefixMatchV010(e, this.key), this.weight, this.scaleTokens));
    return out;
  }
}

export const prefixScorerParams = z.strictObject({
  prefixMatchInfoProducerName: z.string().default('').describe('producer whose PrefixCacheMatchInfo to read ("" = approx-prefix-cache-producer)'),
  matchLengthWeight: z.number().min(0).max(1).default(0).describe('weight w of the absolute match-length term, in [0, 1]'),
  matchLengthScaleTokens: z.number().int().default(8192).describe('matched tokens at which the length term saturates (> 0 when w > 0)'),
});

function definition(type: string, source: string, extra: string): PluginDefinition<typeof prefixScorerParams> {
  return {
    type,
    dialects: ['llm-d-v0.10'],
    ...(type.startsWith('multicluster-') ? { stability: 'alpha' as const } : {}),
    kinds: ['Scorer'],
    source,
    description: `w·min(1, match·B/scale)² + (1−w)·match/total from PrefixCacheMatchInfo (0 without info).${extra}`,
    params: prefixScorerParams,
    create(name, p) {
      if (p.matchLengthWeight > 0 && !(p.matchLengthScaleTokens > 0))
        throw new ParamError('matchLengthScaleTokens', 'matchLengthScaleTokens must be > 0 when matchLengthWeight > 0');
      return new PrefixCacheScorerV010(type, name, p.prefixMatchInfoProducerName, p.matchLengthWeight, p.matchLengthScaleTokens);
    },
  };
}

export const prefixCacheScorerV010 = definition('prefix-cache-scorer', 'llm-d-router v0.10.0', '');
export const multiclusterPrefixCacheScorer = definition(
  'multicluster-prefix-cache-scorer',
  'llm-d-router v0.10.0',
  ' Point it at multicluster-approx-prefix-cache-producer with prefixMatchInfoProducerName.',
);
