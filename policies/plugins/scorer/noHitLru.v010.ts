/**
 * `no-hit-lru-scorer`, llm-d-router v0.10.0 (`llm-d-router.md` §5 row no-hit-lru-scorer): the
 * v0.7.0 formula (scorer/noHitLru.ts) with the cold test read from the PrefixCacheMatchInfo of
 * `prefixMatchInfoProducerName` (default approx-prefix-cache-producer): cold = no candidate has
 * match > 0 (missing info counts as no match). Warm → 0.5 everywhere. Cold over n candidates:
 * never-used candidates, in order, 1 − i/(n−1); used ones max(0, 1 − (neverUsed + LRU position)/(n−1));
 * n = 1 → 1. PreRequest marks the primary and `prefill` targets of cold requests most recently used.
 * `prefixPluginType`/`prefixPluginName` are accepted and unused.
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, PreRequest, SchedEndpoint, SchedulingResult, Scorer } from '../../framework/types.js';
import { primaryAndPrefillTargets } from '../producer/approxPrefixCache.js';
import { prefixKey, prefixMatchV010 } from './prefixCache.v010.js';

export class NoHitLruScorerV010 implements Scorer, PreRequest {
  readonly type = 'no-hit-lru-scorer';
  readonly category = 'Distribution' as const;
  /** Endpoint names, least recently used first. */
  private readonly lru = new Map<string, true>();
  private readonly stateKey: string;
  private readonly key: string;
  constructor(readonly name: string, readonly lruSize: number, producerName: string) {
    this.stateKey = `no-hit-lru-scorer/${name}/cold`;
    this.key = prefixKey(producerName);
  }

  score(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const cold = !endpoints.some((e) => (prefixMatchV010(e, this.key)?.match ?? 0) > 0);
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
      out.set(e.name, Math.max(0, 1 - (neverUsed + pos) / (n - 1)));
    }
    return out;
  }

  preRequest(ctx: CycleContext, req: LLMRequest, result: SchedulingResult): void {
    const cold = ctx.pluginState.read(req.id, this.stateKey);
    ctx.pluginState.write(req.id, this.stateKey, undefined);
    if (cold !== true) return;
    for (const e of primaryAndPrefillTargets(result)) {
      this.lru.delete(e.name);
      this.lru.set(e.name, true);
      if (this.lru.size > this.lruSize) this.lru.delete(this.lru.keys().next().value as string);
    }
  }

  lruOrder(): string[] {
    return [...this.lru.keys()];
  }
}

const params = z.strictObject({
  prefixMatchInfoProducerName: z.string().default('').describe('producer whose PrefixCacheMatchInfo decides cold/warm ("" = approx-prefix-cache-producer)'),
  prefixPluginType: z.string().default('prefix-cache-scorer').describe('accepted, unused in v0.10.0'),
  prefixPluginName: z.string().default('prefix-cache-scorer').describe('accepted, unused in v0.10.0'),
  lruSize: z.number().int().default(1024).describe('endpoints remembered in the cold-request LRU'),
});

export const noHitLruScorerV010: PluginDefinition<typeof params> = {
  type: 'no-hit-lru-scorer',
  dialects: ['llm-d-v0.10'],
  kinds: ['Scorer', 'PreRequest'],
  source: 'llm-d-router v0.10.0',
  description:
    'Cold requests (no candidate with a prefix match) go to the endpoints least recently given a cold request: never-used 1 − i/(n−1), used max(0, 1 − (neverUsed + LRU position)/(n−1)); warm requests 0.5 everywhere.',
  params,
  create(name, p) {
    if (p.lruSize <= 0) throw new ParamError('lruSize', 'lruSize must be > 0');
    return new NoHitLruScorerV010(name, p.lruSize, p.prefixMatchInfoProducerName);
  },
};
