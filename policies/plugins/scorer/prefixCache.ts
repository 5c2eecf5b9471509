/**
 * `prefix-cache-scorer` (GAIE v1.5.0, `epp.md` §2.1): stateless; reads the PrefixCacheMatchInfo the
 * approx-prefix-cache-producer wrote on each endpoint and scores `matchBlocks / totalBlocks`
 * (0 when totalBlocks is 0 or the info is missing). Category Affinity.
 *
 * Its parameters are the producer's (the loader auto-creates one `approx-prefix-cache-producer`,
 * named after its type, with this scorer's parameters when the config has none), so they are
 * validated here with the same rules.
 */
import { prefixMatchInfo } from '../../framework/attributes.js';
import { Candidate, prefixRatioOf } from '../../framework/candidate.js';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';
import { approxPrefixParams, resolveApproxPrefixConfig } from '../../prefix/config.js';

export const PREFIX_CACHE_SCORER = 'prefix-cache-scorer';

/** match / total from an endpoint's PrefixCacheMatchInfo (0 without info or blocks). */
export function prefixScore(e: SchedEndpoint): number {
  return e instanceof Candidate ? e.prefixMatchRatio() : prefixRatioOf(prefixMatchInfo(e));
}

export class PrefixCacheScorer implements Scorer {
  readonly type = PREFIX_CACHE_SCORER;
  readonly keepsNoCandidates = true;
  readonly category = 'Affinity' as const;
  constructor(readonly name: string) {}

  score(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of endpoints) out.set(e.name, prefixScore(e));
    return out;
  }

  scoreInto(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[], out: Float64Array): void {
    for (let i = 0; i < endpoints.length; i++) out[i] = prefixScore(endpoints[i]!);
  }
}

export const prefixCacheScorer: PluginDefinition<typeof approxPrefixParams> = {
  type: PREFIX_CACHE_SCORER,
  dialects: ['gaie-v1.5'],
  kinds: ['Scorer'],
  source: 'GAIE v1.5.0 (v1.0.0 with hashBlockSize)',
  description:
    'matchBlocks / totalBlocks from the approximate prefix index (approx-prefix-cache-producer, auto-created with these parameters).',
  params: approxPrefixParams,
  create(name, params) {
    resolveApproxPrefixConfig(params);
    return new PrefixCacheScorer(name);
  },
};
