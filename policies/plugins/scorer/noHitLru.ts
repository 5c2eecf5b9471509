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
 * 1.0. PreRequest, for cold requests only, marks the primary profile's target and the `prefill`
 * profile's target most recently used (LRU of lruSize endpoints).
 *
 * prefixPluginType / prefixPluginName name the plugin whose state says cold/warm. In GAIE v1.5.0
 * that state belongs to approx-prefix-cache-producer (one per config), which routesim reads
 * whatever these say; they are accepted for config compatibility.
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, PreRequest, SchedEndpoint, SchedulingResult, Scorer } from '../../framework/types.js';
import { readApproxPrefixState } from '../../prefix/state.js';
import { primaryAndPrefillTargets } from '../producer/approxPrefixCache.js';

export const NO_HIT_LRU_SCORER = 'no-hit-lru-scorer';

const params = z.strictObject({
  prefixPluginType: z.string().default('prefix-cache-scorer').describe('type of the prefix plugin whose state decides cold/warm'),
  prefixPluginName: z.string().default('prefix-cache-scorer').describe('name of the prefix plugin whose state decides cold/warm'),
  lruSize: z.number().int().default(1024).describe('endpoints remembered in the cold-request LRU'),
});

export class NoHitLruScorer implements Scorer, PreRequest {
  readonly type = NO_HIT_LRU_SCORER;
  readonly category = 'Distribution' as const;
  /** Endpoint names, least recently used first (Map insertion order). */
  private readonly lru = new Map<string, true>();
  private readonly stateKey: string;

  constructor(
    readonly name: string,
    readonly lruSize: number,
  ) {
    this.stateKey = `${NO_HIT_LRU_SCORER}/${name}/cold`;
  }

  score(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const state = readApproxPrefixState(ctx, req.id);
    const cold = !state || !state.anyServerMatched;
    ctx.pluginState.write(req.id, this.stateKey, cold);
    const out = new Map<string, number>();
    const n = endpoints.length;
    if (!cold) {
      for (const e of endpoints) out.set(e.name, 0.5);
      return out;
    }
    if (n === 1) {
      out.set(endpoints[0]!.name, 1);
      return out;
    }
    const positions = new Map<string, number>();
    let p = 0;
    for (const k of this.lru.keys()) positions.set(k, p++);
    let neverUsed = 0;
    for (const e of endpoints) if (!positions.has(e.name)) out.set(e.name, 1 - neverUsed++ / (n - 1));
    for (const e of endpoints) {
      const pos = positions.get(e.name);
      if (pos === undefined) continue;
      const s = 1 - (neverUsed + pos) / (n - 1);
      out.set(e.name, s > 0 ? s : 0);
    }
    return out;
  }

  preRequest(ctx: CycleContext, req: LLMRequest, result: SchedulingResult): void {
    const cold = ctx.pluginState.read(req.id, this.stateKey);
    ctx.pluginState.write(req.id, this.stateKey, undefined);
    if (cold !== true) return;
    for (const e of primaryAndPrefillTargets(result)) this.touch(e.name);
  }

  private touch(name: string): void {
    this.lru.delete(name);
    this.lru.set(name, true);
    if (this.lru.size > this.lruSize) this.lru.delete(this.lru.keys().next().value as string);
  }

  /** Endpoint names from least to most recently used (tests and debugging). */
  lruOrder(): string[] {
    return [...this.lru.keys()];
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
