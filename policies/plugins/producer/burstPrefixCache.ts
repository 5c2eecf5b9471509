/**
 * llm-d-router v0.10.0 `burst-prefix-cache-producer` (Alpha; `llm-d-router.md` §4.6): co-locates
 * requests of a burst that share a prompt. No index and no PreRequest: requests arriving within a
 * window are sealed together (prefix/burstSeal.ts) and each gets
 * `PrefixCacheMatchInfoDataKey/<name>` = {match: total on its assigned replica, 0 elsewhere; total;
 * blockSize} (unassigned requests: 0 everywhere). Hashing is the v0.10 approx producer's
 * (v010Hashing.ts) at blockSizeTokens (not floored); cap ⌊maxPrefixTokensToMatch/B⌋ blocks (0 → 2048).
 *
 * Timing (routesim): production holds every request of the window until the seal (window + at most
 * 300 ms). routesim's director cannot hold a request inside PrepareData, so the window is sealed
 * incrementally: a request arriving less than windowDurationMs after the window's first request
 * joins it, the seal is recomputed over the window's requests so far (replicas = the window's first
 * request's candidates) and the arriving request takes its own assignment; earlier requests keep
 * the one they were dispatched with. The window's wait is not added to latency. A window already
 * holding maxBatchSize requests rejects the arrival (error: no attribute written).
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import { PREFIX_MATCH_INFO_TYPE, dataKey, type PrefixCacheMatchInfoV010 } from '../../framework/dataKeys.js';
import { ParamError } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, PrepareData, SchedEndpoint } from '../../framework/types.js';
import { sealBurstBatch, type BurstReplica } from '../../prefix/burstSeal.js';
import { DEFAULT_TOKENIZED_PROMPT_KEY, requestTokens } from '../../prefix/requestTokens.js';
import { promptHashesV010 } from '../../prefix/v010Hashing.js';

const params = z.strictObject({
  windowDurationMs: z.number().int().min(1).max(10000).default(100).describe('burst window'),
  maxPerReplica: z.number().int().default(-1).describe('k: members per replica before spilling (−1 = unlimited, else ≥ 1)'),
  blockSizeTokens: z.number().int().positive().default(64).describe('block size B (not floored)'),
  maxPrefixTokensToMatch: z.number().int().min(0).default(0).describe('token cap (0 → 2048 blocks; else ≥ blockSizeTokens)'),
  minColocateBlocks: z.number().int().min(0).default(0).describe('co-locate singles sharing this many leading blocks (0 = off)'),
  maxBatchSize: z.number().int().default(1000).describe('requests per window (−1 = unlimited)'),
  balanceBy: z.enum(['requests', 'tokens']).default('requests').describe('fair share in requests or blocks'),
});
type Params = z.output<typeof params>;

interface Window {
  readonly openUs: number;
  readonly replicas: readonly BurstReplica[];
  readonly hashes: (readonly number[])[];
}

export class BurstPrefixCacheProducer implements PrepareData {
  readonly type = 'burst-prefix-cache-producer';
  readonly key: string;
  readonly produces: readonly string[];
  readonly consumes = [DEFAULT_TOKENIZED_PROMPT_KEY] as const;
  private window: Window | null = null;

  constructor(
    readonly name: string,
    readonly p: Params,
  ) {
    this.key = dataKey(PREFIX_MATCH_INFO_TYPE, name);
    this.produces = [this.key];
  }

  hashes(ctx: CycleContext, req: LLMRequest): readonly number[] {
    const tp = requestTokens(ctx, req);
    const B = this.p.blockSizeTokens;
    const maxBlocks = this.p.maxPrefixTokensToMatch > 0 ? Math.floor(this.p.maxPrefixTokensToMatch / B) : 2048;
    const o = { blockSize: B, maxBlocks, targetModel: req.targetModel, cacheSalt: tp.cacheSalt };
    return tp.estimate.prompts.flatMap((pr) => [...promptHashesV010(pr, o)]);
  }

  prepareRequestData(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): void {
    const w = this.p.windowDurationMs * 1000;
    if (this.window === null || ctx.nowUs >= this.window.openUs + w) {
      this.window = { openUs: ctx.nowUs, replicas: endpoints.map((e) => ({ name: e.name, runningRequests: e.metrics?.runningRequestsSize ?? 0 })), hashes: [] };
    }
    const win = this.window;
    if (this.p.maxBatchSize >= 0 && win.hashes.length >= this.p.maxBatchSize) throw new Error(`burst batch full (${this.p.maxBatchSize})`);
    const h = this.hashes(ctx, req);
    win.hashes.push(h);
    const assigned = sealBurstBatch(win.hashes, win.replicas, { maxPerReplica: this.p.maxPerReplica, minColocateBlocks: this.p.minColocateBlocks, balanceBy: this.p.balanceBy });
    const r = assigned[assigned.length - 1]!;
    const replica = r >= 0 ? win.replicas[r]!.name : null;
    for (const e of endpoints) {
      const info: PrefixCacheMatchInfoV010 = { match: e.name === replica ? h.length : 0, total: h.length, blockSize: this.p.blockSizeTokens };
      e.attributes.set(this.key, info);
    }
  }
}

export const burstPrefixCacheProducer: PluginDefinition<typeof params> = {
  type: 'burst-prefix-cache-producer',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['PrepareData'],
  source: 'llm-d-router v0.10.0',
  description:
    'Co-locates a burst: requests within windowDurationMs with the same block hashes (or sharing minColocateBlocks leading ' +
    'blocks) are assigned replicas (fill to maxPerReplica, fair share by requests or blocks); PrefixCacheMatchInfo = total on ' +
    'the assigned replica, 0 elsewhere. routesim seals the window incrementally (no hold; see the file comment).',
  params,
  create(name, p) {
    if (p.maxPerReplica === 0 || p.maxPerReplica < -1) throw new ParamError('maxPerReplica', 'maxPerReplica must be -1 (unlimited) or ≥ 1');
    if (p.maxPrefixTokensToMatch > 0 && p.maxPrefixTokensToMatch < p.blockSizeTokens)
      throw new ParamError('maxPrefixTokensToMatch', 'maxPrefixTokensToMatch must be 0 or ≥ blockSizeTokens');
    if (p.maxBatchSize === 0 || p.maxBatchSize < -1) throw new ParamError('maxBatchSize', 'maxBatchSize must be -1 (unlimited) or ≥ 1');
    return new BurstPrefixCacheProducer(name, p);
  },
};
