/**
 * llm-d-router v0.10.0 `approx-prefix-cache-producer` and `multicluster-approx-prefix-cache-producer`
 * (`llm-d-router.md` §4.6; differences from GAIE v1.5.0 in §5): hashes the request's TokenizedPrompt
 * (prefix/v010Hashing.ts), matches each prompt's hashes against its own index (leading run, +1 per
 * pod per block), sums match and total over prompts and writes
 * `PrefixCacheMatchInfoDataKey/<name>` = {match, total, blockSize: B} onto every candidate.
 *
 * - B = the first candidate's block_size metric if autoTune and > 0, else blockSizeTokens (the
 *   deprecated `blockSize` replaces it when > 0 and blockSizeTokens is still 16); then B = max(B, 64)
 *   (reference §7.10: smaller configured sizes are overridden).
 * - Cap: maxPrefixTokensToMatch > 0 → ⌊it/B⌋ blocks (at least 1); else maxPrefixBlocksToMatch; 0 = unlimited.
 * - PreRequest: every hash of the request is recorded for the primary profile's first target and
 *   the `prefill` profile's first target. A new pod's LRU capacity = its num_gpu_blocks if autoTune
 *   and > 0, else lruCapacityPerServer (else 31250).
 * - Inactive pods: the GAIE producer's lazy 2-minute sweep (approxPrefixCache.ts documents it).
 * Tokens come from the `TokenizedPrompt/<tokenProducer>` request attribute (default token-producer;
 * computed with the estimate backend when absent).
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import { PREFIX_MATCH_INFO_TYPE, dataKey, type PrefixCacheMatchInfoV010 } from '../../framework/dataKeys.js';
import type { CycleContext, LLMRequest, PrepareData, PreRequest, SchedEndpoint, SchedulingResult } from '../../framework/types.js';
import { DEFAULT_LRU_CAPACITY } from '../../prefix/config.js';
import { PrefixIndexer } from '../../prefix/indexer.js';
import { DEFAULT_TOKENIZED_PROMPT_KEY, requestTokens } from '../../prefix/requestTokens.js';
import { promptHashesV010, v010MaxBlocks } from '../../prefix/v010Hashing.js';
import { primaryAndPrefillTargets } from './approxPrefixCache.js';
import { PodSweep } from './podSweep.js';

export const BLOCK_SIZE_FLOOR = 64;

export const approxPrefixParamsV010 = z.strictObject({
  autoTune: z.boolean().default(true).describe("take B (block_size) and the per-pod LRU size (num_gpu_blocks) from the servers' metrics"),
  blockSizeTokens: z.number().int().default(16).describe('block size B in tokens when not auto-tuned (floored at 64)'),
  blockSize: z.number().int().default(0).describe('deprecated: tokens; replaces blockSizeTokens when > 0 and blockSizeTokens is 16'),
  maxPrefixBlocksToMatch: z.number().int().min(0).default(2048).describe('deprecated block cap (used when maxPrefixTokensToMatch is 0; 0 = unlimited)'),
  maxPrefixTokensToMatch: z.number().int().min(0).default(131072).describe('token cap: ⌊it/B⌋ blocks when > 0'),
  lruCapacityPerServer: z.number().int().default(31250).describe('per-pod LRU entries when the pod reports no num_gpu_blocks'),
});
export type ApproxPrefixParamsV010 = z.output<typeof approxPrefixParamsV010>;

export interface ApproxPrefixConfigV010 {
  readonly autoTune: boolean;
  readonly blockSizeTokens: number;
  readonly maxPrefixBlocksToMatch: number;
  readonly maxPrefixTokensToMatch: number;
  readonly lruCapacityPerServer: number;
  /** Block-size floor (64 in production; the reference's shipped unit vectors disable it). */
  readonly floor: number;
  /** Key of the TokenizedPrompt request attribute read. */
  readonly tokensKey: string;
}

export function resolveApproxPrefixConfigV010(p: ApproxPrefixParamsV010): ApproxPrefixConfigV010 {
  const bs = p.blockSize > 0 && p.blockSizeTokens === 16 ? p.blockSize : p.blockSizeTokens;
  if (!p.autoTune && !(bs > 0)) throw new ParamError('blockSizeTokens', 'blockSizeTokens must be > 0 when autoTune is false');
  return {
    autoTune: p.autoTune,
    blockSizeTokens: bs,
    maxPrefixBlocksToMatch: p.maxPrefixBlocksToMatch,
    maxPrefixTokensToMatch: p.maxPrefixTokensToMatch,
    lruCapacityPerServer: p.lruCapacityPerServer,
    floor: BLOCK_SIZE_FLOOR,
    tokensKey: DEFAULT_TOKENIZED_PROMPT_KEY,
  };
}

/** The request's per-prompt hashes, kept in cycleState from PrepareData to PreRequest. */
interface RequestHashes {
  readonly prompts: readonly (readonly number[])[];
}

export class ApproxPrefixCacheProducerV010 implements PrepareData, PreRequest {
  readonly produces: readonly string[];
  readonly consumes: readonly string[];
  readonly key: string;
  readonly indexer = new PrefixIndexer();
  private readonly stateKey: string;
  private readonly podSweep = new PodSweep();

  constructor(
    readonly type: string,
    readonly name: string,
    readonly config: ApproxPrefixConfigV010,
  ) {
    this.key = dataKey(PREFIX_MATCH_INFO_TYPE, name);
    this.stateKey = `${this.key}#hashes`;
    this.produces = [this.key];
    this.consumes = [config.tokensKey];
  }

  /** B for a request with these candidates. */
  blockSize(endpoints: readonly SchedEndpoint[]): number {
    let b = this.config.blockSizeTokens;
    if (this.config.autoTune) {
      const m = endpoints[0]?.metrics?.cacheBlockSize ?? 0;
      if (m > 0) b = m;
    }
    return Math.max(b, this.config.floor);
  }

  /** Per-prompt hashes of the request at block size B. */
  hashes(ctx: CycleContext, req: LLMRequest, b: number): (readonly number[])[] {
    const tp = requestTokens(ctx, req, this.config.tokensKey);
    const c = this.config;
    const maxBlocks = v010MaxBlocks(c.maxPrefixTokensToMatch, c.maxPrefixBlocksToMatch, b);
    const o = { blockSize: b, maxBlocks, targetModel: req.targetModel, cacheSalt: tp.cacheSalt };
    return tp.estimate.prompts.map((p) => promptHashesV010(p, o));
  }

  prepareRequestData(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): void {
    this.podSweep.run(ctx.nowUs, req, endpoints, this.indexer);
    const b = this.blockSize(endpoints);
    const prompts = this.hashes(ctx, req, b);
    const match = new Array<number>(endpoints.length).fill(0);
    let total = 0;
    for (const h of prompts) {
      total += h.length;
      if (h.length === 0) continue;
      const counts = this.indexer.matchLongestPrefix(h);
      for (let i = 0; i < endpoints.length; i++) match[i]! += this.indexer.countOf(counts, endpoints[i]!.name);
    }
    for (let i = 0; i < endpoints.length; i++) {
      const info: PrefixCacheMatchInfoV010 = { match: match[i]!, total, blockSize: b };
      endpoints[i]!.attributes.set(this.key, info);
    }
    const state: RequestHashes = { prompts };
    ctx.cycleState.set(this.stateKey, state);
  }

  preRequest(ctx: CycleContext, _req: LLMRequest, result: SchedulingResult): void {
    const state = ctx.cycleState.get(this.stateKey) as RequestHashes | undefined;
    if (!state) return;
    for (const e of primaryAndPrefillTargets(result)) {
      const n = this.config.autoTune ? e.metrics?.cacheNumGpuBlocks ?? 0 : 0;
      const capacity = n > 0 ? n : this.config.lruCapacityPerServer > 0 ? this.config.lruCapacityPerServer : DEFAULT_LRU_CAPACITY;
      for (const h of state.prompts) if (h.length > 0) this.indexer.add(h, e.name, capacity);
    }
  }
}

const description =
  'Approximate prefix index (v0.10): chained xxh64 hashes of the TokenizedPrompt in blocks of B tokens ' +
  '(B = block_size metric or blockSizeTokens, floored at 64; trailing partial block included; cap ⌊131072/B⌋ blocks), ' +
  'per-prompt leading-run match summed over prompts → PrefixCacheMatchInfo{match, total, B} on every candidate; ' +
  'records the hashes for the primary and `prefill` picks at dispatch (LRU num_gpu_blocks, else lruCapacityPerServer).';

function definition(type: string): PluginDefinition<typeof approxPrefixParamsV010> {
  return {
    type,
    dialects: ['llm-d-v0.10'],
    kinds: ['PrepareData', 'PreRequest'],
    source: 'llm-d-router v0.10.0',
    description,
    params: approxPrefixParamsV010,
    create: (name, p) => new ApproxPrefixCacheProducerV010(type, name, resolveApproxPrefixConfigV010(p)),
  };
}

export const approxPrefixCacheProducerV010 = definition('approx-prefix-cache-producer');
export const multiclusterApproxPrefixCacheProducer = definition('multicluster-approx-prefix-cache-producer');
