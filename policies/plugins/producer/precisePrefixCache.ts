/**
 * llm-d-router v0.10.0 `precise-prefix-cache-producer` (`llm-d-router.md` §4.6; the
 * `precise-prefix-cache-scorer` of §5 wraps it): an index of the KV blocks the engines report
 * (KV events), matched against the request's block keys, written as
 * `PrefixCacheMatchInfoDataKey/<name>` = {match: ⌊tier-weighted match⌋, total: #keys, blockSize: B,
 * unweightedBlocks} on every candidate.
 *
 * Request keys: production recomputes them from TokenizedPrompt (FNV-64a over CBOR, full blocks
 * only, model- and salt-scoped) and maps engine hashes onto them. routesim is offline (the token
 * producer only has the estimate backend, whose keys would never match); as the v0.7.0 scorer does,
 * it uses the environment's engine block keys (`LLMRequest.tokenBlockKeys()`, full token blocks of
 * the engine's block size), which are equal exactly when production's recomputed keys would map to
 * the same engine blocks. B = the first candidate's block_size metric (the size the keys are cut
 * at), else tokenProcessorConfig.blockSizeTokens. A request without keys matches nothing (total 0).
 *
 * Lookup: longest-prefix walk over the candidates (prefix/kvBlockIndex.ts), each surviving pod
 * adding its best tier weight per block (gpu 1.0, cpu 0.8; speculative entries count 1.0). Per-tier
 * counts are not produced: routesim's KV events carry no tier unless `medium` is set.
 * PreRequest (speculativeIndexing): primary and `prefill` picks get speculative entries removed
 * speculativeTTL later. Events: BlockStored adds, BlockRemoved evicts, AllBlocksCleared clears the pod.
 * `kvEventsConfig`, `indexerConfig.tokenizersPoolConfig` (rejected in production: rejected here) and
 * the ZMQ settings are validated and otherwise unused — the simulator delivers events itself.
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import { duration } from '../../framework/params.js';
import { PREFIX_MATCH_INFO_TYPE, dataKey, type PrefixCacheMatchInfoV010 } from '../../framework/dataKeys.js';
import type { CycleContext, KvEventListener, LLMRequest, PrepareData, PreRequest, SchedEndpoint, SchedulingResult } from '../../framework/types.js';
import type { KvEvent } from '../../types.js';
import { KvBlockIndex } from '../../prefix/kvBlockIndex.js';
import { primaryAndPrefillTargets } from './approxPrefixCache.js';

export const precisePrefixParams = z.strictObject({
  tokenProcessorConfig: z
    .strictObject({
      blockSizeTokens: z.number().int().positive().default(16).describe('tokens per key block'),
      blockSize: z.number().int().positive().optional().describe('deprecated alias of blockSizeTokens'),
      hashSeed: z.string().default('').describe('seed of the request keys'),
    })
    .prefault({}),
  indexerConfig: z
    .strictObject({
      kvBlockIndexConfig: z
        .strictObject({
          inMemoryConfig: z
            .strictObject({ size: z.number().int().positive().default(1e8), podCacheSize: z.number().int().positive().default(10) })
            .prefault({}),
          enableMetrics: z.boolean().optional(),
        })
        .prefault({}),
      kvBlockScorerConfig: z
        .strictObject({
          backendConfigs: z.array(z.strictObject({ name: z.string(), weight: z.number() })).default([
            { name: 'gpu', weight: 1.0 },
            { name: 'cpu', weight: 0.8 },
          ]),
        })
        .prefault({}),
      tokenizersPoolConfig: z.unknown().optional(),
    })
    .prefault({})
    .describe('in-memory index (1e8 keys, ≤ 10 pods per key), tier weights gpu 1.0 / cpu 0.8'),
  kvEventsConfig: z
    .strictObject({
      topicFilter: z.string().default('kv@'),
      concurrency: z.number().int().positive().default(4),
      discoverPods: z.boolean().default(true),
      podDiscoveryConfig: z.strictObject({ socketPort: z.number().int().default(5557) }).prefault({}),
      zmqEndpoint: z.string().optional(),
      engineType: z.enum(['vllm', 'sglang']).default('vllm'),
    })
    .prefault({})
    .describe('KV-event subscription; validated, unused (the simulator delivers events)'),
  speculativeIndexing: z.boolean().default(false).describe('index the primary and prefill picks speculatively at dispatch'),
  speculativeTTL: duration('2s', 'lifetime of speculative entries'),
});
export type PrecisePrefixParams = z.output<typeof precisePrefixParams>;

export class PrecisePrefixCacheProducer implements PrepareData, PreRequest, KvEventListener {
  readonly type: string = 'precise-prefix-cache-producer';
  readonly key: string;
  readonly produces: readonly string[];
  readonly consumes = [] as const;
  readonly index: KvBlockIndex;
  readonly blockSizeTokens: number;
  private readonly weights: Map<string, number>;
  private readonly weightOf = (tier: string): number => this.weights.get(tier) ?? 1;
  private static readonly one = (): number => 1;

  constructor(
    readonly name: string,
    readonly p: PrecisePrefixParams,
  ) {
    if (p.indexerConfig.tokenizersPoolConfig !== undefined) throw new ParamError('indexerConfig.tokenizersPoolConfig', 'tokenizersPoolConfig is no longer supported: tokens come from token-producer');
    if (p.speculativeIndexing && p.speculativeTTL <= 0) throw new ParamError('speculativeTTL', 'speculativeTTL must be > 0');
    const mem = p.indexerConfig.kvBlockIndexConfig.inMemoryConfig;
    this.index = new KvBlockIndex(mem.size, mem.podCacheSize);
    this.weights = new Map(p.indexerConfig.kvBlockScorerConfig.backendConfigs.map((w) => [w.name, w.weight]));
    this.blockSizeTokens = p.tokenProcessorConfig.blockSize ?? p.tokenProcessorConfig.blockSizeTokens;
    this.key = dataKey(PREFIX_MATCH_INFO_TYPE, name);
    this.produces = [this.key];
  }

  private blockSize(endpoints: readonly SchedEndpoint[]): number {
    for (const e of endpoints) {
      const bs = e.metrics?.cacheBlockSize ?? 0;
      if (bs > 0) return bs;
    }
    return this.blockSizeTokens;
  }

  prepareRequestData(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): void {
    this.index.expire(ctx.nowUs);
    const keys = req.tokenBlockKeys?.() ?? [];
    const B = this.blockSize(endpoints);
    let weighted = new Map<string, number>();
    let unweighted = new Map<string, number>();
    if (keys.length > 0) {
      const cands = new Set(endpoints.map((e) => e.name));
      weighted = this.index.longestPrefix(keys, cands, this.weightOf);
      unweighted = this.index.longestPrefix(keys, cands, PrecisePrefixCacheProducer.one);
    }
    for (const e of endpoints) {
      const w = weighted.get(e.name) ?? 0;
      const info: PrefixCacheMatchInfoV010 = { match: Math.floor(w + 1e-9), total: keys.length, blockSize: B, unweightedBlocks: unweighted.get(e.name) ?? 0 };
      e.attributes.set(this.key, info);
    }
  }

  preRequest(ctx: CycleContext, req: LLMRequest, result: SchedulingResult): void {
    this.index.expire(ctx.nowUs);
    if (!this.p.speculativeIndexing) return;
    const keys = req.tokenBlockKeys?.() ?? [];
    if (keys.length === 0) return;
    const expires = ctx.nowUs + this.p.speculativeTTL;
    for (const t of primaryAndPrefillTargets(result)) this.index.add(keys, t.name, 'gpu', true, expires);
  }

  kvEvent(nowUs: number, endpoint: string, event: KvEvent): void {
    this.index.expire(nowUs);
    const tier = (event as { medium?: string }).medium?.toLowerCase() ?? 'gpu';
    if (event.kind === 'stored') this.index.add(event.keys, endpoint, tier);
    else if (event.kind === 'removed') this.index.evict(event.keys, endpoint, tier);
    else this.index.clearPod(endpoint);
  }
}

export const precisePrefixCacheProducer: PluginDefinition<typeof precisePrefixParams> = {
  type: 'precise-prefix-cache-producer',
  dialects: ['llm-d-v0.10'],
  kinds: ['PrepareData', 'PreRequest', 'KvEventListener'],
  source: 'llm-d-router v0.10.0',
  description:
    'Precise prefix index from the engines\' KV events (BlockStored/BlockRemoved/AllBlocksCleared): writes PrefixCacheMatchInfo ' +
    '{⌊tier-weighted longest-prefix match⌋, #keys, B, unweighted blocks} on every candidate; optional speculative entries at ' +
    'dispatch (TTL 2s). Keys: the engine block keys routesim supplies (offline stand-in for the recomputed token keys).',
  params: precisePrefixParams,
  create: (name, p) => new PrecisePrefixCacheProducer(name, p),
};
