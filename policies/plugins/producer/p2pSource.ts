/**
 * llm-d-router v0.10.0 `p2p-source-producer` (Alpha; `llm-d-router.md` §4.6): picks a peer to pull
 * the prompt's KV cache from, and tells the computing pod through `x-kv-cache-source-host-port`.
 *
 * Produce: cached tokens per candidate = (CPU-tier blocks if per-tier data exists, else unweighted
 * cached blocks — `unweightedBlocks`, else `match`) × B, from the candidate's
 * `PrefixCacheMatchInfoDataKey/<prefixMatchInfoProducerName>` (default approx producer). Candidates
 * within one block of the maximum (cached ≥ max − B) are eligible, weight 1/(1 + WaitingQueueSize);
 * the source is found by walking cumulative weights at u = FNV-32a(request id)/2³² (deterministic per
 * request). routesim never has per-tier data, and with nothing cached (max 0) there is no source.
 * PreRequest: computing pod = the `prefillProfileName` target if present, else the primary target;
 * the header is set to the source iff the source differs from the computing pod and out-caches it by
 * ≥ minCachedTokenDelta tokens; an inbound header is always removed. The host-port is the endpoint
 * name (routesim's SchedEndpoint has no address). The decision is also written as the request
 * attribute `KVCacheSourceHostPort/<name>` (ctx.cycleState) and the last one kept in `lastDecision`.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import { DEFAULT_PREFIX_PRODUCER, PREFIX_MATCH_INFO_TYPE, dataKey, producerKey, type PrefixCacheMatchInfoV010 } from '../../framework/dataKeys.js';
import type { CycleContext, LLMRequest, PrepareData, PreRequest, SchedEndpoint, SchedulingResult } from '../../framework/types.js';
import { utf8 } from '../../prefix/xxh64.js';

export const KV_SOURCE_HEADER = 'x-kv-cache-source-host-port';

const params = z.strictObject({
  prefixMatchInfoProducerName: z.string().default('').describe('producer of the PrefixCacheMatchInfo read ("" = approx-prefix-cache-producer)'),
  minCachedTokenDelta: z.number().int().min(1).default(1).describe('tokens the source must out-cache the computing pod by'),
  prefillProfileName: z.string().default('prefill').describe('profile whose target computes the prompt when present'),
});

/** FNV-1a 32-bit of the UTF-8 bytes. */
export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of utf8(s)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 0;
}

interface Produced {
  readonly source: string | null;
  readonly cached: ReadonlyMap<string, number>;
}

export class P2pSourceProducer implements PrepareData, PreRequest {
  readonly type = 'p2p-source-producer';
  readonly produces: readonly string[];
  readonly consumes: readonly string[];
  readonly prefixKey: string;
  readonly attrKey: string;
  private readonly stateKey: string;
  /** The last request's decision (header value, '' = none), for inspection. */
  lastDecision: { readonly id: string; readonly value: string } | null = null;

  constructor(
    readonly name: string,
    readonly p: z.output<typeof params>,
  ) {
    this.prefixKey = producerKey(PREFIX_MATCH_INFO_TYPE, p.prefixMatchInfoProducerName, DEFAULT_PREFIX_PRODUCER);
    this.attrKey = dataKey('KVCacheSourceHostPort', name);
    this.stateKey = `${this.attrKey}#produced`;
    this.produces = [this.attrKey];
    this.consumes = [this.prefixKey];
  }

  prepareRequestData(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): void {
    const cached = new Map<string, number>();
    let max = 0;
    let B = 0;
    for (const e of endpoints) {
      const info = e.attributes.get(this.prefixKey) as PrefixCacheMatchInfoV010 | undefined;
      const blocks = info ? info.unweightedBlocks ?? info.match : 0;
      const t = info ? blocks * info.blockSize : 0;
      if (info) B = Math.max(B, info.blockSize);
      cached.set(e.name, t);
      if (t > max) max = t;
    }
    let source: string | null = null;
    if (max > 0) {
      const eligible: { name: string; w: number }[] = [];
      let sum = 0;
      for (const e of endpoints) {
        if (cached.get(e.name)! < max - B) continue;
        const w = 1 / (1 + (e.metrics?.waitingQueueSize ?? 0));
        eligible.push({ name: e.name, w });
        sum += w;
      }
      const target = (fnv32a(req.id) / 2 ** 32) * sum;
      let acc = 0;
      for (const c of eligible) {
        acc += c.w;
        source = c.name;
        if (target < acc) break;
      }
    }
    const produced: Produced = { source, cached };
    ctx.cycleState.set(this.stateKey, produced);
  }

  preRequest(ctx: CycleContext, req: LLMRequest, result: SchedulingResult): void {
    const headers = req.headers as Record<string, string>;
    const writable = !Object.isFrozen(headers);
    if (writable && headers[KV_SOURCE_HEADER] !== undefined) delete headers[KV_SOURCE_HEADER];
    const produced = ctx.cycleState.get(this.stateKey) as Produced | undefined;
    const computing =
      result.profileResults.get(this.p.prefillProfileName)?.targetEndpoints[0] ?? result.profileResults.get(result.primaryProfileName)?.targetEndpoints[0];
    let value = '';
    if (produced?.source && computing && produced.source !== computing.name) {
      const delta = produced.cached.get(produced.source)! - (produced.cached.get(computing.name) ?? 0);
      if (delta >= this.p.minCachedTokenDelta) value = produced.source;
    }
    this.lastDecision = { id: req.id, value };
    if (value !== '') {
      ctx.cycleState.set(this.attrKey, value);
      if (writable) headers[KV_SOURCE_HEADER] = value;
    }
  }
}

export const p2pSourceProducer: PluginDefinition<typeof params> = {
  type: 'p2p-source-producer',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['PrepareData', 'PreRequest'],
  source: 'llm-d-router v0.10.0',
  description:
    'Chooses a KV-cache source among the candidates caching within one block of the most (weight 1/(1+waiting queue), ' +
    'deterministic per request id) and sets x-kv-cache-source-host-port when it out-caches the computing (prefill, else primary) ' +
    'pod by ≥ minCachedTokenDelta tokens.',
  params,
  create: (name, p) => new P2pSourceProducer(name, p),
};
