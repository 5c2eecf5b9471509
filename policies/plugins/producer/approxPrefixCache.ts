/**
 * `approx-prefix-cache-producer` (GAIE v1.5.0, `epp.md` §2.1): hashes the request's input into
 * chained block hashes, matches them against its own index of what it sent where, and writes
 * `PrefixCacheMatchInfo{matchBlocks, totalBlocks, blockSizeTokens}` onto every candidate; at
 * PreRequest it records the request's hashes for the primary profile's first target and, when a
 * profile named `prefill` produced one, for that target too. The index learns on pick, never on
 * response, and never sees engine evictions (only its own LRU bound).
 *
 * Block size per request: the FIRST candidate's `block_size` metric if autoTune and > 0, else
 * blockSizeTokens; C = 4 × block size bytes. Per-pod LRU capacity, fixed when the pod is first
 * recorded: its `num_gpu_blocks` if autoTune and > 0, else 31250 (v1.5.0 ignores
 * lruCapacityPerServer). `hashBlockSize` switches to GAIE v1.0.0 (see prefix/config.ts).
 *
 * cache_salt: production reads the body field `cache_salt`; routesim's LLMRequest has no body, so
 * the salt comes from the request header `x-routesim-cache-salt` ("" or absent = no salt).
 *
 * Pods no longer in the pool are dropped from the index every 2 min (`podActiveCheckInterval`).
 * A plugin has no pool watch in routesim, so this runs lazily: at the first request at or after
 * each 2-min tick (ticks counted from the first request), every indexed pod that is not among that
 * request's candidates is removed — a request's candidates are the pool's Ready endpoints unless
 * it names a subset (`x-gateway-destination-endpoint-subset`); such a request postpones the sweep
 * to the next one without.
 *
 * PreRequest clears only this plugin's PluginState entry (production deletes the request's whole
 * PluginState there, which would also drop other plugins' entries in routesim's shared store).
 */
import { PREFIX_CACHE_MATCH_INFO, type PrefixCacheMatchInfo } from '../../framework/attributes.js';
import { Candidate } from '../../framework/candidate.js';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, PrepareData, PreRequest, SchedEndpoint, SchedulingResult } from '../../framework/types.js';
import {
  AVERAGE_CHARS_PER_TOKEN,
  DEFAULT_LRU_CAPACITY,
  approxPrefixParams,
  resolveApproxPrefixConfig,
  type ApproxPrefixConfig,
} from '../../prefix/config.js';
import { promptBlockHashes } from '../../prefix/hashing.js';
import { PrefixIndexer } from '../../prefix/indexer.js';
import { APPROX_PREFIX_STATE_KEY, readApproxPrefixState, type ApproxPrefixState } from '../../prefix/state.js';
import { PodSweep } from './podSweep.js';

export const APPROX_PREFIX_CACHE_PRODUCER = 'approx-prefix-cache-producer';
/** The profile name whose target the prefix plugins also record (llm-d P/D). */
export const PREFILL_PROFILE = 'prefill';

/**
 * The endpoints a dispatch records in the prefix plugins: the primary profile's first target, then
 * the `prefill` profile's first target when it produced one.
 */
export function primaryAndPrefillTargets(result: SchedulingResult): SchedEndpoint[] {
  const out: SchedEndpoint[] = [];
  const primary = result.profileResults.get(result.primaryProfileName)?.targetEndpoints[0];
  if (primary) out.push(primary);
  const prefill = result.profileResults.get(PREFILL_PROFILE)?.targetEndpoints[0];
  if (prefill) out.push(prefill);
  return out;
}
/** Request header carrying the body's `cache_salt` in routesim. */
export const CACHE_SALT_HEADER = 'x-routesim-cache-salt';

export class ApproxPrefixCacheProducer implements PrepareData, PreRequest {
  readonly type = APPROX_PREFIX_CACHE_PRODUCER;
  readonly keepsNoCandidates = true;
  readonly produces = [PREFIX_CACHE_MATCH_INFO] as const;
  readonly consumes = [] as const;
  readonly indexer = new PrefixIndexer();
  private readonly podSweep = new PodSweep();
  /** Pod name and indexer id by endpoint index (podIdOf). */
  private readonly idNames: string[] = [];
  private readonly ids: number[] = [];

  constructor(
    readonly name: string,
    readonly config: ApproxPrefixConfig,
  ) {}

  /** Block size in tokens for a request with these candidates. */
  blockSizeTokens(endpoints: readonly SchedEndpoint[]): number {
    const c = this.config;
    if (c.version === 'v1.0') return c.blockSizeTokens;
    if (c.autoTune) {
      const bs = endpoints[0]?.metrics?.cacheBlockSize ?? 0;
      if (bs > 0) return bs;
    }
    return c.blockSizeTokens;
  }

  /** The request's block hashes given the block size (tokens) in use. */
  hashes(req: LLMRequest, blockSizeTokens: number): readonly number[] {
    const c = this.config;
    if (c.version === 'v1.0')
      return promptBlockHashes(req.prompt, { version: 'v1.0', blockChars: c.hashBlockSize, maxBlocks: c.maxPrefixBlocksToMatch, targetModel: req.targetModel, cacheSalt: '' });
    if (!(blockSizeTokens > 0)) return []; // production would loop forever on a zero block size
    const maxBlocks = c.maxPrefixTokensToMatch > 0 ? Math.floor(c.maxPrefixTokensToMatch / blockSizeTokens) : c.maxPrefixBlocksToMatch;
    return promptBlockHashes(req.prompt, {
      version: 'v1.5',
      blockChars: blockSizeTokens * AVERAGE_CHARS_PER_TOKEN,
      maxBlocks,
      targetModel: req.targetModel,
      cacheSalt: req.headers[CACHE_SALT_HEADER] ?? '',
    });
  }

  prepareRequestData(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): void {
    this.podSweep.run(ctx.nowUs, req, endpoints, this.indexer);
    const bs = this.blockSizeTokens(endpoints);
    const hashes = this.hashes(req, bs);
    const counts = this.indexer.matchLongestPrefix(hashes);
    const total = hashes.length;
    for (const e of endpoints) {
      const id = this.podIdOf(e);
      const matchBlocks = id >= 0 ? counts[id]! : 0;
      if (e instanceof Candidate) e.setPrefixMatch(matchBlocks, total, bs); // the same attribute, made when read
      else {
        const info: PrefixCacheMatchInfo = { matchBlocks, totalBlocks: total, blockSizeTokens: bs };
        e.attributes.set(PREFIX_CACHE_MATCH_INFO, info);
      }
    }
    // Some server matched iff some server holds the first block (leading-run semantics).
    const state: ApproxPrefixState = { hashes, blockSizeTokens: bs, anyServerMatched: total > 0 && this.indexer.lastMatchedAny };
    ctx.pluginState.write(req.id, APPROX_PREFIX_STATE_KEY, state);
  }

  /** The indexer's id of the endpoint's pod (-1: not seen yet), remembered by endpoint index. */
  private podIdOf(e: SchedEndpoint): number {
    if (this.idNames[e.index] === e.name) return this.ids[e.index]!;
    const id = this.indexer.knownPodId(e.name);
    if (id >= 0) {
      this.idNames[e.index] = e.name;
      this.ids[e.index] = id;
    }
    return id;
  }

  preRequest(ctx: CycleContext, req: LLMRequest, result: SchedulingResult): void {
    const state = readApproxPrefixState(ctx, req.id);
    ctx.pluginState.write(req.id, APPROX_PREFIX_STATE_KEY, undefined);
    if (!state || state.hashes.length === 0) return; // indexer.Add ignores an empty hash list
    for (const e of primaryAndPrefillTargets(result)) this.record(state.hashes, e);
  }

  private record(hashes: readonly number[], e: SchedEndpoint): void {
    const c = this.config;
    let capacity: number;
    if (c.version === 'v1.0') capacity = c.lruCapacityPerServer;
    else {
      const n = c.autoTune ? e.metrics?.cacheNumGpuBlocks ?? 0 : 0;
      capacity = n > 0 ? n : DEFAULT_LRU_CAPACITY;
    }
    this.indexer.add(hashes, e.name, capacity);
  }
}

export const approxPrefixCacheProducer: PluginDefinition<typeof approxPrefixParams> = {
  type: APPROX_PREFIX_CACHE_PRODUCER,
  dialects: ['gaie-v1.5'],
  kinds: ['PrepareData', 'PreRequest'],
  source: 'GAIE v1.5.0 (v1.0.0 with hashBlockSize)',
  description:
    'Approximate prefix index: hashes the prompt into chained xxh64 blocks (4 bytes per token, full blocks only, ≤256), ' +
    'writes PrefixCacheMatchInfo (leading-run match count / total blocks) on every candidate, and records the hashes for the ' +
    'picked (and `prefill`) endpoint at dispatch. Auto-created by the loader for prefix-cache-scorer with the scorer\'s parameters. ' +
    'cache_salt comes from header x-routesim-cache-salt.',
  params: approxPrefixParams,
  create(name, params) {
    return new ApproxPrefixCacheProducer(name, resolveApproxPrefixConfig(params));
  },
};
