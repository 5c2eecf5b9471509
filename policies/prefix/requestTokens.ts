/**
 * The v0.10 producers' view of a request's tokens (`llm-d-router.md` §4.1, §2.9): the
 * `TokenizedPrompt` request attribute written by token-producer, extended (routesim-only field
 * `estimate`) with the estimate backend's token ids or synthetic spans so the approximate prefix
 * hashing can read them without re-tokenizing. When no token producer ran for the key (a config
 * the v0.10 auto-creation has not completed), the estimate is computed on the spot — what the
 * auto-created default producer would have written.
 */
import { TOKENIZED_PROMPT_TYPE, DEFAULT_TOKEN_PRODUCER, dataKey, type TokenizedPrompt } from '../framework/dataKeys.js';
import type { CycleContext, LLMRequest } from '../framework/types.js';
import { estimatePrompt, estimatedCount, type Estimate } from './estimateTokens.js';

/** Request header carrying the body's `cache_salt` in routesim (as the GAIE approx producer). */
export const CACHE_SALT_HEADER = 'x-routesim-cache-salt';

export interface EstimatedTokenizedPrompt extends TokenizedPrompt {
  /** routesim: the estimate backend's per-prompt tokens (or synthetic spans). */
  readonly estimate?: Estimate;
}

export function estimatedTokenizedPrompt(e: Estimate, req: LLMRequest): EstimatedTokenizedPrompt {
  return { tokenCounts: e.prompts.map(estimatedCount), multimodal: e.multimodal, cacheSalt: req.headers[CACHE_SALT_HEADER] ?? '', estimate: e };
}

/** The default token producer's key. */
export const DEFAULT_TOKENIZED_PROMPT_KEY = dataKey(TOKENIZED_PROMPT_TYPE, DEFAULT_TOKEN_PRODUCER);

/** The request's TokenizedPrompt (with its estimate), from `key` or computed when absent. */
export function requestTokens(ctx: CycleContext, req: LLMRequest, key = DEFAULT_TOKENIZED_PROMPT_KEY): EstimatedTokenizedPrompt & { readonly estimate: Estimate } {
  const tp = ctx.cycleState.get(key) as EstimatedTokenizedPrompt | undefined;
  if (tp?.estimate) return tp as EstimatedTokenizedPrompt & { readonly estimate: Estimate };
  const est = estimatedTokenizedPrompt(estimatePrompt(req.prompt), req);
  if (tp === undefined) ctx.cycleState.set(key, est);
  return est as EstimatedTokenizedPrompt & { readonly estimate: Estimate };
}

/** Σ token counts. */
export function tokenTotal(tp: TokenizedPrompt): number {
  let n = 0;
  for (const c of tp.tokenCounts) n += c;
  return n;
}
