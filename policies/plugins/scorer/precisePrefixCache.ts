/**
 * llm-d `precise-prefix-cache-scorer` (llm-d v0.7.0 with kv-cache-manager, `epp.md` §2.12–§2.13):
 * scores endpoints by the KV blocks their engines actually hold, learnt from the engines' KV events
 * (BlockStored adds, BlockRemoved evicts, AllBlocksCleared is IGNORED — a production quirk).
 *
 * Score: the raw LongestPrefix count (tier-weighted: gpu 1.0, cpu 0.8) of the request's block keys
 * over the candidates, min–max normalised over the candidates present in the result
 * ((s − min)/(max − min); all equal → 1.0); candidates absent from the result score 0.
 *
 * Request keys come from `LLMRequest.tokenBlockKeys()`: production tokenizes the prompt and
 * recomputes vLLM's block hashes; routesim's environment supplies the engine's own keys. A request
 * without them scores 0 everywhere. Keys must be computed with the engine's block size: when
 * `tokenProcessorConfig.blockSize` differs from the candidates' `block_size` metric (the first
 * candidate reporting one), production's keys never match the engine's, so every endpoint scores 0
 * here too. `hashSeed` is accepted (routesim assumes it matches the engines' PYTHONHASHSEED).
 *
 * speculativeIndexing: at PreRequest the request's keys are inserted for the primary target (and
 * the `prefill` target) as speculative gpu-tier entries, removed speculativeTTL later (lazily, on
 * the next call at or after that time) — they bridge the lag until the engine's events arrive.
 *
 * KV events carry no device tier in routesim (the simulated engine has no CPU offload): all real
 * entries are `gpu` unless an event carries a `medium` field. Event keys are not model-scoped (the
 * engine's keys already include the adapter). `kvEventsConfig` / `kvEvents` (ZMQ endpoint, topic) are accepted
 * and unused: the simulator delivers events itself.
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import { duration } from '../../framework/params.js';
import type {
  CycleContext,
  KvEventListener,
  LLMRequest,
  PreRequest,
  SchedEndpoint,
  SchedulingResult,
  Scorer,
} from '../../framework/types.js';
import type { KvEvent } from '../../types.js';
import { KvBlockIndex } from '../../prefix/kvBlockIndex.js';
import { primaryAndPrefillTargets } from '../producer/approxPrefixCache.js';

export const PRECISE_PREFIX_CACHE_SCORER = 'precise-prefix-cache-scorer';

const params = z.strictObject({
  tokenProcessorConfig: z
    .strictObject({
      blockSize: z.number().int().positive().default(16).describe('tokens per KV block; must equal the engine block_size'),
      hashSeed: z.string().default('').describe("vLLM's PYTHONHASHSEED"),
    })
    .prefault({})
    .describe('how request keys are computed (blockSize 16, hashSeed "")'),
  indexerConfig: z
    .strictObject({
      kvBlockIndexConfig: z
        .strictObject({
          inMemoryConfig: z
            .strictObject({
              size: z.number().int().positive().default(1e8).describe('max keys in the index LRU'),
              podCacheSize: z.number().int().positive().default(10).describe('max pod entries per key'),
            })
            .prefault({}),
          enableMetrics: z.boolean().optional(),
        })
        .prefault({}),
      kvBlockScorerConfig: z
        .strictObject({
          backendConfigs: z
            .array(z.strictObject({ name: z.string(), weight: z.number() }))
            .default([
              { name: 'gpu', weight: 1.0 },
              { name: 'cpu', weight: 0.8 },
            ]),
        })
        .prefault({}),
    })
    .prefault({})
    .describe('index size (1e8 keys, 10 pods per key) and device-tier weights (gpu 1.0, cpu 0.8)'),
  kvEventsConfig: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('ZMQ subscription (endpoint tcp://*:5557, topic kv@); accepted, unused — the simulator delivers KV events'),
  kvEvents: z.record(z.string(), z.unknown()).optional().describe('alias of kvEventsConfig; accepted, unused'),
  speculativeIndexing: z.boolean().default(false).describe('insert predicted entries for the picked endpoint at dispatch'),
  speculativeTTL: duration('2s', 'lifetime of speculative entries'),
});

export class PrecisePrefixCacheScorer implements Scorer, PreRequest, KvEventListener {
  readonly type = PRECISE_PREFIX_CACHE_SCORER;
  readonly category = 'Affinity' as const;
  readonly index: KvBlockIndex;
  private readonly weights: Map<string, number>;
  private readonly weightOf: (tier: string) => number;

  constructor(
    readonly name: string,
    readonly blockSize: number,
    maxKeys: number,
    podCacheSize: number,
    weights: readonly { name: string; weight: number }[],
    readonly speculativeIndexing: boolean,
    readonly speculativeTtlUs: number,
  ) {
    this.index = new KvBlockIndex(maxKeys, podCacheSize);
    this.weights = new Map(weights.map((w) => [w.name, w.weight]));
    // A tier without a configured weight counts 1.0.
    this.weightOf = (tier) => this.weights.get(tier) ?? 1;
  }

  /** Request keys, or null when production's keys could not match the engines'. */
  private requestKeys(req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly number[] | null {
    if (!req.tokenBlockKeys) return null;
    for (const e of endpoints) {
      const bs = e.metrics?.cacheBlockSize ?? 0;
      if (bs > 0) {
        if (bs !== this.blockSize) return null;
        break;
      }
    }
    return req.tokenBlockKeys();
  }

  score(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    this.index.expire(ctx.nowUs);
    const out = new Map<string, number>();
    for (const e of endpoints) out.set(e.name, 0);
    const keys = this.requestKeys(req, endpoints);
    if (keys === null || keys.length === 0) return out;
    const raw = this.index.longestPrefix(keys, new Set(endpoints.map((e) => e.name)), this.weightOf);
    if (raw.size === 0) return out;
    let min = Infinity;
    let max = -Infinity;
    for (const s of raw.values()) {
      if (s < min) min = s;
      if (s > max) max = s;
    }
    for (const [pod, s] of raw) out.set(pod, max === min ? 1 : (s - min) / (max - min));
    return out;
  }

  preRequest(ctx: CycleContext, req: LLMRequest, result: SchedulingResult): void {
    this.index.expire(ctx.nowUs);
    if (!this.speculativeIndexing || !req.tokenBlockKeys) return;
    const targets = primaryAndPrefillTargets(result);
    if (targets.length === 0) return;
    const keys = this.requestKeys(req, targets);
    if (keys === null || keys.length === 0) return;
    const expires = ctx.nowUs + this.speculativeTtlUs;
    for (const t of targets) this.index.add(keys, t.name, 'gpu', true, expires);
  }

  kvEvent(nowUs: number, endpoint: string, event: KvEvent): void {
    this.index.expire(nowUs);
    const tier = (event as { medium?: string }).medium?.toLowerCase() ?? 'gpu';
    switch (event.kind) {
      case 'stored':
        this.index.add(event.keys, endpoint, tier);
        break;
      case 'removed':
        this.index.evict(event.keys, endpoint, tier);
        break;
      case 'cleared':
        break; // AllBlocksCleared is ignored by kv-cache-manager
    }
  }
}

export const precisePrefixCacheScorer: PluginDefinition<typeof params> = {
  type: PRECISE_PREFIX_CACHE_SCORER,
  dialects: ['gaie-v1.5'],
  kinds: ['Scorer', 'PreRequest', 'KvEventListener'],
  source: 'llm-d v0.7.0 + kv-cache-manager',
  description:
    'Longest cached prefix per endpoint from the engines\' KV events (gpu 1.0 / cpu 0.8), min–max normalised over the endpoints ' +
    'holding any of it; AllBlocksCleared ignored; optional speculative entries at dispatch (TTL 2s). Needs the request\'s token ' +
    'block keys (0 everywhere without them).',
  params,
  create(name, p) {
    const mem = p.indexerConfig.kvBlockIndexConfig.inMemoryConfig;
    if (p.speculativeTTL <= 0 && p.speculativeIndexing) throw new ParamError('speculativeTTL', 'speculativeTTL must be > 0');
    return new PrecisePrefixCacheScorer(
      name,
      p.tokenProcessorConfig.blockSize,
      mem.size,
      mem.podCacheSize,
      p.indexerConfig.kvBlockScorerConfig.backendConfigs,
      p.speculativeIndexing,
      p.speculativeTTL,
    );
  },
};
