/**
 * `token-load-scorer` (GAIE v1.5.0 `scorer/tokenload`, `epp.md` §2.6): `1` if the endpoint's
 * in-flight tokens ≤ 0, else `1 − min(tokens, T)/T` with T = queueThresholdTokens (≤ 0 → default).
 * Reads the InFlightLoad attribute written by `inflight-load-producer`; without that producer every
 * endpoint has 0 tokens and scores 1.0 (not auto-wired in v1.5.0).
 */
import { z } from 'zod';
import { inFlightLoad } from '../../framework/attributes.js';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';

export const DEFAULT_QUEUE_THRESHOLD_TOKENS = 4194304;

export class TokenLoadScorer implements Scorer {
  readonly type = 'token-load-scorer';
  readonly category = 'Distribution' as const;
  readonly threshold: number;
  constructor(readonly name: string, queueThresholdTokens: number) {
    this.threshold = queueThresholdTokens > 0 ? queueThresholdTokens : DEFAULT_QUEUE_THRESHOLD_TOKENS;
  }

  score(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const t = this.threshold;
    const out = new Map<string, number>();
    for (const e of endpoints) {
      const tokens = inFlightLoad(e)?.tokens ?? 0;
      out.set(e.name, tokens <= 0 ? 1 : 1 - Math.min(tokens, t) / t);
    }
    return out;
  }
}

const params = z.strictObject({
  queueThresholdTokens: z
    .number()
    .int()
    .default(DEFAULT_QUEUE_THRESHOLD_TOKENS)
    .describe('In-flight tokens at which the score reaches 0 (≤ 0 → the default 4194304).'),
});

export const tokenLoadScorer: PluginDefinition<typeof params> = {
  type: 'token-load-scorer',
  dialects: ['gaie-v1.5'],
  kinds: ['Scorer'],
  source: 'GAIE v1.5.0',
  description:
    "1 − min(tokens, T)/T of the endpoint's in-flight tokens (1 when none), T = queueThresholdTokens. Needs an explicitly configured inflight-load-producer; without it every endpoint scores 1.0 (not auto-wired, as in v1.5.0).",
  params,
  create: (name, p) => new TokenLoadScorer(name, p.queueThresholdTokens),
};
