/**
 * `sglang-cache-aware`: SGLang router's `cache_aware` policy (`sgl-router/src/policies/cache_aware.rs`,
 * policies.md §2.3), with the Python/CLI defaults deployments get (cache_threshold 0.3,
 * balance_abs_threshold 64, balance_rel_threshold 1.5, eviction every 120 s, max_tree_size 2^26).
 *
 * Per request, with load = the router's own in-flight count per worker:
 * 1. Imbalanced iff max_load − min_load > balance_abs_threshold AND max_load > min_load ×
 *    balance_rel_threshold: route to the least-loaded worker (the first in endpoint order on ties,
 *    Rust's min_by_key) and still insert the text into the tree for it.
 * 2. Otherwise match the text against the approximate radix tree (radixTree.ts); match_rate =
 *    matched chars / request chars. If match_rate > cache_threshold route to the matched node's
 *    tenant, else to the tenant with the smallest tree (fewest characters, ties at random).
 * 3. Insert the text for the chosen worker (at pick time, as SGLang does in select_worker).
 * Every worker joins the tree as a tenant with 0 characters when first seen (SGLang inserts "" per
 * worker at start). Eviction: SGLang's background thread runs every eviction_interval_secs from
 * router start; routesim runs it at the first pick at or after each multiple of the interval
 * (simulated time 0 = router start), before routing that request.
 *
 * "Text" is characters of the request (text.ts): the completion prompt, the chat messages' contents
 * joined with " ", or a synthetic prompt's spans as characters (tokens × charsPerToken per span,
 * different contents assumed to differ at their first character). A request without a prompt has
 * empty text: match rate 0/0 is not > threshold, so it goes to the smallest tree.
 */
import { z } from 'zod';
import type { Endpoint, RouteContext, RouteRequest, Router } from '../types.js';
import { ApproxRadixTree } from './radixTree.js';
import { piecesLength, promptPieces } from './text.js';

export const sglangCacheAwareParams = z.strictObject({
  cache_threshold: z
    .number()
    .min(0)
    .max(1)
    .default(0.3)
    .describe('Route to the longest-match worker when matched chars / request chars > this (SGLang CLI default 0.3; Rust default 0.5).'),
  balance_abs_threshold: z
    .number()
    .int()
    .min(0)
    .default(64)
    .describe('Imbalanced when max − min in-flight load > this AND the relative test holds (CLI 64; Rust default 32).'),
  balance_rel_threshold: z
    .number()
    .min(1)
    .default(1.5)
    .describe('Imbalanced when max load > min load × this AND the absolute test holds (CLI 1.5; Rust default 1.1).'),
  eviction_interval_secs: z
    .number()
    .positive()
    .default(120)
    .describe('Seconds between eviction passes (CLI 120; some versions 60).'),
  max_tree_size: z
    .number()
    .int()
    .min(0)
    .default(2 ** 26)
    .describe('Per-worker cap on tree characters enforced by eviction (CLI 2^26; Rust default 10,000).'),
});

export type SglangCacheAwareParams = z.output<typeof sglangCacheAwareParams>;

export class SglangCacheAwareRouter implements Router {
  readonly type = 'sglang-cache-aware';
  readonly tree = new ApproxRadixTree();
  private readonly intervalUs: number;
  private nextEvictionUs: number;
  private tenants = 0;

  constructor(readonly params: SglangCacheAwareParams) {
    this.intervalUs = params.eviction_interval_secs * 1e6;
    this.nextEvictionUs = this.intervalUs;
  }

  pick(request: RouteRequest, endpoints: readonly Endpoint[], ctx: RouteContext): number {
    const n = endpoints.length;
    for (; this.tenants < n; this.tenants++) this.tree.insert([], this.tenants, ctx.nowUs);
    if (ctx.nowUs >= this.nextEvictionUs) {
      this.tree.evictBySize(this.params.max_tree_size);
      while (this.nextEvictionUs <= ctx.nowUs) this.nextEvictionUs += this.intervalUs;
    }
    const text = promptPieces(request.prompt);

    let maxLoad = -Infinity;
    let minLoad = Infinity;
    let argmin = 0;
    for (let i = 0; i < n; i++) {
      const l = endpoints[i]!.inFlight;
      if (l > maxLoad) maxLoad = l;
      if (l < minLoad) {
        minLoad = l;
        argmin = i;
      }
    }
    const { balance_abs_threshold: abs, balance_rel_threshold: rel } = this.params;
    if (maxLoad - minLoad > abs && maxLoad > minLoad * rel) {
      this.tree.insert(text, argmin, ctx.nowUs);
      return argmin;
    }

    const { matched, tenant } = this.tree.prefixMatch(text, ctx.nowUs);
    const rate = matched / piecesLength(text);
    let chosen = rate > this.params.cache_threshold ? tenant : this.tree.smallestTenant(ctx.rng);
    if (chosen < 0 || chosen >= n) chosen = argmin;
    this.tree.insert(text, chosen, ctx.nowUs);
    return chosen;
  }
}
