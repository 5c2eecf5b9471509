/**
 * llm-d `no-hit-lru-scorer` (llm-d v0.7.0, `epp.md` §2.12): spreads requests with no cached prefix
 * anywhere ("cold") over the endpoints least recently given a cold request, so new prefixes land on
 * different servers. Warm requests score 0.5 on every endpoint.
 *
 * Cold = the approximate prefix state of the request has no server with any match — over the whole
 * index, not only the candidates (GAIE's PrefixCacheServers; a request with no hashes, or no prefix
 * producer at all, is cold). Cold scoring over the n candidates: never-used candidates, in
 * candidate order, get 1 − i/(n−1); a used one ranks neverUsedCount + its LRU position (0 = least
 * recently used, counted over every endpoint in the LRU) and gets max(0, 1 − rank/(n−1)); n = 1 →
 * 1.0 (noHitLruBase.ts). PreRequest, for cold requests only, marks the primary profile's target and the `prefill`
 * profile's target most recently used (LRU of lruSize endpoints).
 *
 * prefixPluginType / prefixPluginName name the plugin whose state says cold/warm. In GAIE v1.5.0
 * that state belongs to approx-prefix-cache-producer (one per config), which routesim reads
 * whatever these say; they are accepted for config compatibility.
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest } from '../../framework/types.js';
import { readApproxPrefixState } from '../../prefix/state.js';
import { NoHitLruBase } from './noHitLruBase.js';

export const NO_HIT_LRU_SCORER = 'no-hit-lru-scorer';

const params = z.strictObject({
  prefixPluginType: z.string().default('prefix-cache-scorer').describe('type of the prefix plugin whose state decides cold/warm'),
  prefixPluginName: z.string().default('prefix-cache-scorer').describe('name of the prefix plugin whose state decides cold/warm'),
  lruSize: z.number().int().default(1024).describe('endpoints remembered in the cold-request LRU'),
});

export class NoHitLruScorer extends NoHitLruBase {
  /** Cold = no server anywhere in the approximate index matched (or no prefix state at all). */
  protected isCold(ctx: CycleContext, req: LLMRequest): boolean {
    const state = readApproxPrefixState(ctx, req.id);
    return !state || !state.anyServerMatched;
  }
}

export const noHitLruScorer: PluginDefinition<typeof params> = {
  type: NO_HIT_LRU_SCORER,
  dialects: ['gaie-v1.5'],
  kinds: ['Scorer', 'PreRequest'],
  source: 'llm-d v0.7.0',
  description:
    'Cold requests (no prefix match on any server) go to the endpoints least recently given a cold request: never-used ' +
    '1 − i/(n−1), used max(0, 1 − (neverUsed + LRU position)/(n−1)); warm requests 0.5 everywhere.',
  params,
  create(name, p) {
    if (p.lruSize <= 0) throw new ParamError('lruSize', 'lruSize must be > 0');
    return new NoHitLruScorer(name, p.lruSize);
  },
};
