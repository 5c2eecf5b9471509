/**
 * The engine truth behind a scheduling decision (issue 13, "why this pod?"): what each candidate
 * replica really holds at the decision's instant, read without changing it — its live gauges (the
 * snapshot a scrape taken now would return) and the prefix hit its KV cache would give the prompt.
 *
 * The hit is vLLM's admission lookup (engine.md §2, sim/engine/scheduler.ts `lookupPrefix`): the
 * prompt's leading full blocks whose chained hashes are cached, at most ⌊(prompt − 1) / block⌋
 * blocks (the last prompt token is always computed), in tokens. `KvCache.lookup` is a read: no
 * reference is taken, nothing moves in the free queue. A later admission may still find less
 * (blocks evicted meanwhile) or more (blocks cached meanwhile): this is the truth at decision time.
 */
import type { EndpointMetrics } from '../../policies/types.js';
import type { KvCache } from '../engine/kvCache.js';

/** What the truth needs of a replica. */
export interface TruthSource {
  readonly name: string;
  readonly kv: KvCache;
  snapshot(now: number): EndpointMetrics;
}

/** Prompt tokens a replica's KV cache would serve from its prefix cache right now. */
export function truePrefixHitTokens(kv: KvCache, blockKeys: readonly number[], inputTokens: number): number {
  if (!kv.prefixCaching || inputTokens <= 1) return 0;
  const bs = kv.blockSize;
  const max = Math.min(blockKeys.length, Math.floor((inputTokens - 1) / bs));
  let b = 0;
  while (b < max && kv.lookup(blockKeys[b]!) >= 0) b++;
  return b * bs;
}

/** One candidate's truth, next to what the picker saw. */
export interface CandidateTruth {
  readonly prefixHitTokens: number;
  readonly metrics: EndpointMetrics;
}

export function candidateTruth(src: TruthSource, nowUs: number, blockKeys: readonly number[], inputTokens: number): CandidateTruth {
  return { prefixHitTokens: truePrefixHitTokens(src.kv, blockKeys, inputTokens), metrics: src.snapshot(nowUs) };
}

/** Load the way the regret summary ranks it: requests waiting + running on the engine. */
export function trueLoad(m: EndpointMetrics): number {
  return m.waitingQueueSize + m.runningRequestsSize;
}
