/**
 * llm-d `prefix-based-pd-decider` (llm-d v0.7.0, `epp.md` §2.12): after the decode profile picked
 * an endpoint, run a separate prefill only when enough of the prompt is not cached there.
 *
 *   nonCachedTokens ≤ 0 (default 0)      → never disaggregate;
 *   inputTokens = ⌊len(input bytes)/4⌋   (completion text, or Go's JSON of the chat messages; a
 *                                          synthetic prompt's Σ tokens × charsPerToken chars);
 *   inputTokens < nonCachedTokens        → no;
 *   hit = matchBlocks × blockSizeTokens  from the decode endpoint's PrefixCacheMatchInfo (0 without);
 *   disaggregate iff inputTokens − hit ≥ nonCachedTokens.
 */
import { z } from 'zod';
import { prefixMatchInfo } from '../../framework/attributes.js';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, PdDecider, SchedEndpoint } from '../../framework/types.js';
import { AVERAGE_CHARS_PER_TOKEN } from '../../prefix/config.js';
import { promptByteLength } from '../../prefix/hashing.js';

export const PREFIX_BASED_PD_DECIDER = 'prefix-based-pd-decider';

const params = z.strictObject({
  nonCachedTokens: z
    .number()
    .int()
    .default(0)
    .describe('disaggregate when at least this many prompt tokens are not cached on the decode endpoint; 0 = never'),
});

/** ⌊bytes / 4⌋ of what the EPP would hash for the prompt. */
export function estimatedInputTokens(req: LLMRequest): number {
  return Math.floor(promptByteLength(req.prompt) / AVERAGE_CHARS_PER_TOKEN);
}

export class PrefixBasedPdDecider implements PdDecider {
  readonly type = PREFIX_BASED_PD_DECIDER;
  constructor(
    readonly name: string,
    readonly nonCachedTokens: number,
  ) {}

  disaggregate(_ctx: CycleContext, req: LLMRequest, decode: SchedEndpoint): boolean {
    if (this.nonCachedTokens <= 0) return false;
    const inputTokens = estimatedInputTokens(req);
    if (inputTokens < this.nonCachedTokens) return false;
    const info = prefixMatchInfo(decode);
    const hit = info ? info.matchBlocks * info.blockSizeTokens : 0;
    return inputTokens - hit >= this.nonCachedTokens;
  }
}

export const prefixBasedPdDecider: PluginDefinition<typeof params> = {
  type: PREFIX_BASED_PD_DECIDER,
  dialects: ['gaie-v1.5'],
  kinds: ['PdDecider'],
  source: 'llm-d v0.7.0',
  description:
    'Disaggregates prefill when ⌊prompt bytes/4⌋ − (decode endpoint\'s matched blocks × block size) ≥ nonCachedTokens; 0 = never.',
  params,
  create(name, p) {
    if (p.nonCachedTokens < 0) throw new ParamError('nonCachedTokens', 'nonCachedTokens must be ≥ 0');
    return new PrefixBasedPdDecider(name, p.nonCachedTokens);
  },
};
