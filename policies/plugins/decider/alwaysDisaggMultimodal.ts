/**
 * `always-disagg-multimodal-decider` (llm-d-router v0.10.0, `llm-d-router.md` §4.5): the encode
 * stage's decider: yes iff the request's TokenizedPrompt carries at least one multimodal feature
 * (image, video or audio; protocol-agnostic, so whatever parser produced the prompt). No
 * TokenizedPrompt (no token-producer ran, raw payloads) → no.
 */
import { z } from 'zod';
import { dataKey, DEFAULT_TOKEN_PRODUCER, TOKENIZED_PROMPT_TYPE, type TokenizedPrompt } from '../../framework/dataKeys.js';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext } from '../../framework/types.js';
import type { StageDecider } from './stageDecider.js';

export const ALWAYS_DISAGG_MULTIMODAL_DECIDER = 'always-disagg-multimodal-decider';
const TOKENS_KEY = dataKey(TOKENIZED_PROMPT_TYPE, DEFAULT_TOKEN_PRODUCER);

const params = z.strictObject({});

export class AlwaysDisaggMultimodalDecider implements StageDecider {
  readonly type = ALWAYS_DISAGG_MULTIMODAL_DECIDER;
  constructor(readonly name: string) {}
  disaggregate(ctx: CycleContext): boolean {
    const tp = ctx.cycleState.get(TOKENS_KEY) as TokenizedPrompt | undefined;
    return (tp?.multimodal.length ?? 0) > 0;
  }
}

export const alwaysDisaggMultimodalDecider: PluginDefinition<typeof params> = {
  type: ALWAYS_DISAGG_MULTIMODAL_DECIDER,
  dialects: ['llm-d-v0.10'],
  kinds: ['PdDecider'],
  source: 'llm-d-router v0.10.0',
  description: 'Encode-stage decider: disaggregates iff the TokenizedPrompt has at least one multimodal feature (image, video, audio).',
  params,
  create: (name) => new AlwaysDisaggMultimodalDecider(name),
};
