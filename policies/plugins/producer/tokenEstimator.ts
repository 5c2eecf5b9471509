/**
 * GAIE v1.5.0 `SimpleTokenEstimator` (`epp.md` §2.6): the in-flight token cost of a request.
 *
 *   input  = max(⌊RequestSizeBytes / 4⌋, 1)          when the raw body size is known,
 *          = max(1, round(len(PromptText) / 4))       otherwise (Go math.Round: half away from zero);
 *   output = round(input × 1.5);   estimate = input + output.
 *
 * `len(PromptText)` is a Go byte length: completions → the UTF-8 byte length of the prompt text;
 * chat → the byte length of Go's `json.Marshal(messages)` (prefix/goJson.ts; epp.md does not say what
 * PromptText is for chat; this is the text the EPP's prefix hashing and the P/D decider use for chat,
 * so we take it);
 * synthetic prompts → Σ tokens × charsPerToken.
 */
import type { CycleContext, LLMRequest, Prompt } from '../../framework/types.js';
import { promptByteLength } from '../../prefix/hashing.js';

/** Go's math.Round: half away from zero. */
export function goRound(x: number): number {
  const t = Math.trunc(x);
  return Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
}

/**
 * `len(PromptText)` in bytes: for text prompts what the prefix hashing reads (promptByteLength);
 * for synthetic ones Σ tokens × charsPerToken, unrounded.
 */
export function promptTextLength(p: Prompt): number {
  if (p.kind !== 'synthetic') return promptByteLength(p);
  let n = 0;
  for (const s of p.spans) n += s.tokens * p.charsPerToken;
  return n;
}

/** SimpleTokenEstimator.Estimate: input + round(1.5 × input). */
export function estimateTokens(req: LLMRequest): number {
  const input =
    req.requestSizeBytes !== null ? Math.max(Math.floor(req.requestSizeBytes / 4), 1) : Math.max(1, goRound(promptTextLength(req.prompt) / 4));
  return input + goRound(input * 1.5);
}

/** PluginState key under which the estimate is kept for the request's lifetime. */
export const TOKEN_ESTIMATE_KEY = 'SimpleTokenEstimator';

/** The request's estimate, computed once and kept in PluginState so increments and decrements match. */
export function cachedTokenEstimate(ctx: CycleContext, req: LLMRequest): number {
  const v = ctx.pluginState.read(req.id, TOKEN_ESTIMATE_KEY);
  if (typeof v === 'number') return v;
  const est = estimateTokens(req);
  ctx.pluginState.write(req.id, TOKEN_ESTIMATE_KEY, est);
  return est;
}
