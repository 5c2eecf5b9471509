/**
 * llm-d-router v0.10.0 `mm-embeddings-cache-producer` (`llm-d-router.md` §4.6): an approximate
 * per-pod LRU of the multimodal items (encoder embeddings) the EPP sent to each pod.
 *
 * Items = the distinct multimodal feature hashes of the request's TokenizedPrompt. Per-pod capacity
 * = ⌊cacheSizeInMBPerServer·2²⁰ / 2 MiB⌋ items (default 4096 MB → 2048). PrepareData: for requests
 * with media only, every candidate gets `EncoderCacheMatchInfo/<name>` = {matched: items in that
 * pod's LRU, total: items}. PreRequest: every item is added (as most recent) to the LRU of EVERY
 * target of the primary profile. Pods leave with the GAIE-style lazy 2-minute sweep (no delete
 * events in routesim's plugin API).
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import { ENCODER_CACHE_MATCH_INFO_TYPE, dataKey, type EncoderCacheMatchInfo } from '../../framework/dataKeys.js';
import type { CycleContext, LLMRequest, PrepareData, PreRequest, SchedEndpoint, SchedulingResult } from '../../framework/types.js';
import { POD_ACTIVE_CHECK_INTERVAL_US } from '../../prefix/config.js';
import { DEFAULT_TOKENIZED_PROMPT_KEY, requestTokens } from '../../prefix/requestTokens.js';

const params = z.strictObject({
  cacheSizeInMBPerServer: z.number().int().positive().default(4096).describe('per-pod encoder cache size; items = ⌊MB / 2⌋'),
});

const ITEM_BYTES = 2 * 2 ** 20;

export class MmEmbeddingsCacheProducer implements PrepareData, PreRequest {
  readonly type = 'mm-embeddings-cache-producer';
  readonly key: string;
  readonly produces: readonly string[];
  readonly consumes = [DEFAULT_TOKENIZED_PROMPT_KEY] as const;
  readonly capacity: number;
  /** Per pod: items in LRU order (Map iteration order = oldest first). */
  private readonly lru = new Map<string, Map<string, true>>();
  private readonly stateKey: string;
  private nextSweepUs = Number.NaN;

  constructor(readonly name: string, cacheSizeInMB: number) {
    this.key = dataKey(ENCODER_CACHE_MATCH_INFO_TYPE, name);
    this.stateKey = `${this.key}#items`;
    this.produces = [this.key];
    this.capacity = Math.floor((cacheSizeInMB * 2 ** 20) / ITEM_BYTES);
  }

  private items(ctx: CycleContext, req: LLMRequest): string[] {
    const tp = requestTokens(ctx, req);
    return [...new Set(tp.multimodal.map((f) => f.hash))];
  }

  prepareRequestData(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): void {
    this.sweep(ctx.nowUs, endpoints);
    const items = this.items(ctx, req);
    ctx.cycleState.set(this.stateKey, items);
    if (items.length === 0) return;
    for (const e of endpoints) {
      const l = this.lru.get(e.name);
      let matched = 0;
      if (l) for (const it of items) if (l.has(it)) matched++;
      const info: EncoderCacheMatchInfo = { matched, total: items.length };
      e.attributes.set(this.key, info);
    }
  }

  preRequest(ctx: CycleContext, req: LLMRequest, result: SchedulingResult): void {
    const items = (ctx.cycleState.get(this.stateKey) as string[] | undefined) ?? this.items(ctx, req);
    if (items.length === 0) return;
    const targets = result.profileResults.get(result.primaryProfileName)?.targetEndpoints ?? [];
    for (const t of targets) {
      let l = this.lru.get(t.name);
      if (!l) this.lru.set(t.name, (l = new Map()));
      for (const it of items) {
        l.delete(it);
        l.set(it, true);
        if (l.size > this.capacity) l.delete(l.keys().next().value!);
      }
    }
  }

  /** Items cached for a pod, oldest first (tests). */
  cached(pod: string): string[] {
    return [...(this.lru.get(pod)?.keys() ?? [])];
  }

  private sweep(nowUs: number, endpoints: readonly SchedEndpoint[]): void {
    if (Number.isNaN(this.nextSweepUs)) {
      this.nextSweepUs = nowUs + POD_ACTIVE_CHECK_INTERVAL_US;
      return;
    }
    if (nowUs < this.nextSweepUs) return;
    const pool = new Set(endpoints.map((e) => e.name));
    for (const pod of [...this.lru.keys()]) if (!pool.has(pod)) this.lru.delete(pod);
    this.nextSweepUs += (Math.floor((nowUs - this.nextSweepUs) / POD_ACTIVE_CHECK_INTERVAL_US) + 1) * POD_ACTIVE_CHECK_INTERVAL_US;
  }
}

export const mmEmbeddingsCacheProducer: PluginDefinition<typeof params> = {
  type: 'mm-embeddings-cache-producer',
  dialects: ['llm-d-v0.10'],
  kinds: ['PrepareData', 'PreRequest'],
  source: 'llm-d-router v0.10.0',
  description:
    'Per-pod LRU of the multimodal items sent there (⌊cacheSizeInMBPerServer/2⌋ items, default 2048): writes EncoderCacheMatchInfo ' +
    '{matched, total} on every candidate for requests with media; records the items for every primary target at dispatch.',
  params,
  create: (name, p) => new MmEmbeddingsCacheProducer(name, p.cacheSizeInMBPerServer),
};
