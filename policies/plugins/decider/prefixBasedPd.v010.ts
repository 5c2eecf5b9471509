/**
 * `prefix-based-pd-decider` as llm-d-router v0.10.0 has it (`llm-d-router.md` §4.5, §5): given the
 * decode pick, run a separate prefill only when enough of the prompt is not cached there.
 *
 *   nonCachedTokens ≤ 0 (default 0)             → never disaggregate;
 *   input = TokenizedPrompt token count          (0 when no token-producer ran, e.g. raw payloads);
 *   promptTokens > 0 and input < promptTokens    → no (new guard: short prompts stay decode-only);
 *   input < nonCachedTokens                      → no;
 *   cached = unweighted cached blocks × B        from the decode pick's PrefixCacheMatchInfo under the
 *                                                  DEFAULT approx producer key (§7.8; 0 without);
 *   disaggregate iff input − cached ≥ nonCachedTokens.
 *
 * Vector (derived): nonCached 16, input 100, B 64: 1 cached block → 36 ≥ 16 → yes; 2 → −28 → no.
 * v0.7.0 (prefixBasedPd.ts) counted ⌊prompt bytes/4⌋ and used the matched blocks.
 */
import { z } from 'zod';
import {
  dataKey,
  DEFAULT_PREFIX_PRODUCER,
  PREFIX_MATCH_INFO_TYPE,
  tokenizedPromptCount,
  type PrefixCacheMatchInfoV010,
} from '../../framework/dataKeys.js';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint } from '../../framework/types.js';
import type { StageDecider } from './stageDecider.js';

export const PREFIX_BASED_PD_DECIDER = 'prefix-based-pd-decider';
const DEFAULT_PREFIX_KEY = dataKey(PREFIX_MATCH_INFO_TYPE, DEFAULT_PREFIX_PRODUCER);

const params = z.strictObject({
  nonCachedTokens: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('disaggregate when at least this many prompt tokens are not cached on the decode pick; 0 = never'),
  promptTokens: z.number().int().min(0).default(0).describe('prompts shorter than this many tokens are never disaggregated; 0 = no guard'),
});

/** Tokens of the prompt cached on `e`: unweighted cached blocks × block size (0 without match info). */
export function cachedTokens(e: SchedEndpoint | null): number {
  const info = e?.attributes.get(DEFAULT_PREFIX_KEY) as PrefixCacheMatchInfoV010 | undefined;
  return info ? (info.unweightedBlocks ?? info.match) * info.blockSize : 0;
}

export class PrefixBasedPdDeciderV010 implements StageDecider {
  readonly type = PREFIX_BASED_PD_DECIDER;
  constructor(
    readonly name: string,
    readonly nonCachedTokens: number,
    readonly promptTokens: number,
  ) {}

  disaggregate(ctx: CycleContext, _req: LLMRequest, decode: SchedEndpoint | null): boolean {
    if (this.nonCachedTokens <= 0) return false;
    const input = tokenizedPromptCount(ctx.cycleState);
    if (this.promptTokens > 0 && input < this.promptTokens) return false;
    if (input < this.nonCachedTokens) return false;
    return input - cachedTokens(decode) >= this.nonCachedTokens;
  }
}

export const prefixBasedPdDeciderV010: PluginDefinition<typeof params> = {
  type: PREFIX_BASED_PD_DECIDER,
  dialects: ['llm-d-v0.10'],
  kinds: ['PdDecider'],
  source: 'llm-d-router v0.10.0',
  description:
    'Disaggregates prefill when the TokenizedPrompt token count − (decode pick\'s unweighted cached blocks × block size, default approx producer key) ≥ nonCachedTokens; never when nonCachedTokens is 0 or the prompt is shorter than promptTokens (> 0).',
  params,
  create: (name, p) => new PrefixBasedPdDeciderV010(name, p.nonCachedTokens, p.promptTokens),
};
