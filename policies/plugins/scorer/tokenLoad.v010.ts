/**
 * `token-load-scorer`, llm-d-router v0.10.0 (`llm-d-router.md` §5 row token-load-scorer): with
 * T = the candidate's in-flight tokens (InFlightLoad.tokens) + this request's UncachedRequestTokens on
 * it (both from `inFlightLoadProducerName`, default inflight-load-producer), score
 * `1 − min(T, thr)/thr` (T ≤ 0 → 1), thr = queueThresholdTokens (≤ 0 → 4194304).
 * The v0.10 loader auto-creates the in-flight producer for it (required key).
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';
import { inFlightKeys, inFlightV010, uncachedTokens, type InFlightKeys } from './inflightReaders.v010.js';
import { DEFAULT_QUEUE_THRESHOLD_TOKENS } from './tokenLoad.js';

export class TokenLoadScorerV010 implements Scorer {
  readonly type = 'token-load-scorer';
  readonly category = 'Distribution' as const;
  readonly threshold: number;
  readonly keys: InFlightKeys;
  constructor(readonly name: string, queueThresholdTokens: number, producerName: string) {
    this.threshold = queueThresholdTokens > 0 ? queueThresholdTokens : DEFAULT_QUEUE_THRESHOLD_TOKENS;
    this.keys = inFlightKeys(producerName);
  }

  score(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const t = this.threshold;
    const out = new Map<string, number>();
    for (const e of endpoints) {
      const tokens = (inFlightV010(e, this.keys)?.tokens ?? 0) + uncachedTokens(e, this.keys);
      out.set(e.name, tokens <= 0 ? 1 : 1 - Math.min(tokens, t) / t);
    }
    return out;
  }
}

const params = z.strictObject({
  queueThresholdTokens: z.number().int().default(DEFAULT_QUEUE_THRESHOLD_TOKENS).describe('Tokens at which the score reaches 0 (≤ 0 → 4194304).'),
  inFlightLoadProducerName: z.string().default('').describe('producer of InFlightLoad and UncachedRequestTokens ("" = inflight-load-producer)'),
});

export const tokenLoadScorerV010: PluginDefinition<typeof params> = {
  type: 'token-load-scorer',
  dialects: ['llm-d-v0.10'],
  kinds: ['Scorer'],
  source: 'llm-d-router v0.10.0',
  description:
    "1 − min(T, thr)/thr with T = the endpoint's in-flight tokens + this request's uncached tokens on it (UncachedRequestTokens); 1 when T ≤ 0.",
  params,
  create: (name, p) => new TokenLoadScorerV010(name, p.queueThresholdTokens, p.inFlightLoadProducerName),
};
