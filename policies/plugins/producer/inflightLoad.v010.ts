/**
 * llm-d-router v0.10.0 `inflight-load-producer` (`llm-d-router.md` §5 row, §2.9): per-endpoint
 * counters of EPP-dispatched requests and tokens, global across requests.
 *
 * - PrepareData: every candidate gets `InFlightLoadDataKey/<name>` = its {requests, tokens} snapshot
 *   and `UncachedRequestTokens/<name>` = this request's uncached input tokens on it.
 * - Uncached input tokens on endpoint e = (total − match)·B + max(0, input − total·B), from e's
 *   `PrefixCacheMatchInfoDataKey/<prefixMatchInfoProducerName>` (default approx producer); no match
 *   info → the full input. Input = the request's TokenizedPrompt token count (token-producer key;
 *   the estimate when absent). The partial last block counts as a full one (reference §7.6).
 *   (derived) input 300, B 64, total 5, match 2 → 3·64 + max(0, 300 − 320) = 192.
 * - PreRequest: for EVERY profile result's first target: requests +1, tokens += uncached input
 *   (+ round(input·outputRatio) capped by maxEstimatedOutputTokens when addEstimatedOutputTokens;
 *   routesim requests carry no client max-output field, so that cap never applies).
 * - Release: at the first response chunk (ResponseHeaderProcessor — routesim's first point of the
 *   response) a `prefill`-profile entry is released entirely and, without output estimates, the
 *   other entries' tokens; at end of stream (ResponseComplete) every remaining count. Counters clamp
 *   at 0. If the director never calls the response-header hook, everything is released at end of stream.
 * `syncCrossReplicaState` is accepted (routesim runs one EPP replica). Endpoint deletion is not
 * observable by a plugin in routesim: a removed endpoint's counters drain as its requests complete.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import {
  DEFAULT_PREFIX_PRODUCER,
  IN_FLIGHT_LOAD_TYPE,
  PREFIX_MATCH_INFO_TYPE,
  UNCACHED_REQUEST_TOKENS_TYPE,
  dataKey,
  producerKey,
  type InFlightLoadV010,
  type PrefixCacheMatchInfoV010,
} from '../../framework/dataKeys.js';
import type {
  CycleContext,
  LLMRequest,
  PreRequest,
  PrepareData,
  ResponseComplete,
  ResponseHeaderProcessor,
  ResponseInfo,
  SchedEndpoint,
  SchedulingResult,
} from '../../framework/types.js';
import { DEFAULT_TOKENIZED_PROMPT_KEY, requestTokens, tokenTotal } from '../../prefix/requestTokens.js';
import { PREFILL_PROFILE } from './approxPrefixCache.js';

const params = z.strictObject({
  prefixMatchInfoProducerName: z.string().default('').describe('producer whose PrefixCacheMatchInfo gives the cached blocks ("" = approx-prefix-cache-producer)'),
  addEstimatedOutputTokens: z.boolean().default(false).describe('also count round(input × outputRatio) output tokens'),
  outputRatio: z.number().min(0).default(1.5).describe('estimated output tokens per input token'),
  maxEstimatedOutputTokens: z.number().int().min(0).default(0).describe('cap on the output estimate (0 = none)'),
  syncCrossReplicaState: z.boolean().default(true).describe('share counters across EPP replicas (accepted; routesim runs one replica)'),
});

/** Uncached input tokens given match info (missing → the whole input). */
export function uncachedTokens(input: number, info: PrefixCacheMatchInfoV010 | undefined): number {
  if (!info) return input;
  const B = info.blockSize;
  return (info.total - info.match) * B + Math.max(0, input - info.total * B);
}

interface Entry {
  readonly endpoint: string;
  readonly prefill: boolean;
  tokens: number;
  requests: number;
}

const ZERO: InFlightLoadV010 = Object.freeze({ requests: 0, tokens: 0 });

export class InFlightLoadProducerV010 implements PrepareData, PreRequest, ResponseHeaderProcessor, ResponseComplete {
  readonly type = 'inflight-load-producer';
  readonly produces: readonly string[];
  readonly consumes: readonly string[];
  readonly loadKey: string;
  readonly uncachedKey: string;
  readonly prefixKey: string;
  private readonly load = new Map<string, InFlightLoadV010>();
  private readonly live = new Map<string, Entry[]>();

  constructor(
    readonly name: string,
    readonly p: z.output<typeof params>,
  ) {
    this.loadKey = dataKey(IN_FLIGHT_LOAD_TYPE, name);
    this.uncachedKey = dataKey(UNCACHED_REQUEST_TOKENS_TYPE, name);
    this.prefixKey = producerKey(PREFIX_MATCH_INFO_TYPE, p.prefixMatchInfoProducerName, DEFAULT_PREFIX_PRODUCER);
    this.produces = [this.loadKey, this.uncachedKey];
    this.consumes = [this.prefixKey, DEFAULT_TOKENIZED_PROMPT_KEY];
  }

  /** Current counters of an endpoint. */
  get(endpoint: string): InFlightLoadV010 {
    return this.load.get(endpoint) ?? ZERO;
  }

  private input(ctx: CycleContext, req: LLMRequest): number {
    return tokenTotal(requestTokens(ctx, req));
  }

  prepareRequestData(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): void {
    const input = this.input(ctx, req);
    for (const e of endpoints) {
      e.attributes.set(this.loadKey, this.get(e.name));
      e.attributes.set(this.uncachedKey, uncachedTokens(input, e.attributes.get(this.prefixKey) as PrefixCacheMatchInfoV010 | undefined));
    }
  }

  preRequest(ctx: CycleContext, req: LLMRequest, result: SchedulingResult): void {
    if (this.live.has(req.id)) this.release(req.id, () => true, true);
    const input = this.input(ctx, req);
    let output = 0;
    if (this.p.addEstimatedOutputTokens) {
      output = Math.round(input * this.p.outputRatio);
      if (this.p.maxEstimatedOutputTokens > 0) output = Math.min(output, this.p.maxEstimatedOutputTokens);
    }
    const entries: Entry[] = [];
    for (const [profile, r] of result.profileResults) {
      const e = r?.targetEndpoints[0];
      if (!e) continue;
      const tokens = uncachedTokens(input, e.attributes.get(this.prefixKey) as PrefixCacheMatchInfoV010 | undefined) + output;
      entries.push({ endpoint: e.name, prefill: profile === PREFILL_PROFILE, tokens, requests: 1 });
      this.add(e.name, 1, tokens);
    }
    if (entries.length > 0) this.live.set(req.id, entries);
  }

  /** First response chunk: prefill entries entirely; other entries' tokens unless output is estimated. */
  processResponseHeaders(_ctx: CycleContext, req: LLMRequest, _response: ResponseInfo): void {
    const entries = this.live.get(req.id);
    if (!entries) return;
    for (const en of entries) {
      if (en.prefill) {
        this.add(en.endpoint, -en.requests, -en.tokens);
        en.requests = 0;
        en.tokens = 0;
      } else if (!this.p.addEstimatedOutputTokens) {
        this.add(en.endpoint, 0, -en.tokens);
        en.tokens = 0;
      }
    }
  }

  responseComplete(_ctx: CycleContext, req: LLMRequest, _response: ResponseInfo): void {
    this.release(req.id, () => true, true);
  }

  private release(id: string, which: (e: Entry) => boolean, drop: boolean): void {
    const entries = this.live.get(id);
    if (!entries) return;
    for (const en of entries) if (which(en)) this.add(en.endpoint, -en.requests, -en.tokens);
    if (drop) this.live.delete(id);
  }

  private add(endpoint: string, requests: number, tokens: number): void {
    const cur = this.get(endpoint);
    const next = { requests: Math.max(0, cur.requests + requests), tokens: Math.max(0, cur.tokens + tokens) };
    if (next.requests === 0 && next.tokens === 0) this.load.delete(endpoint);
    else this.load.set(endpoint, Object.freeze(next));
  }
}

export const inflightLoadProducerV010: PluginDefinition<typeof params> = {
  type: 'inflight-load-producer',
  dialects: ['llm-d-v0.10'],
  kinds: ['PrepareData', 'PreRequest', 'ResponseHeaderProcessor', 'ResponseComplete'],
  source: 'llm-d-router v0.10.0',
  description:
    'In-flight requests and tokens per endpoint (v0.10): at dispatch every profile\'s first target gets +1 request and the ' +
    'request\'s UNCACHED input tokens (total − match)·B + max(0, input − total·B) from the prefix match info (full input ' +
    'without it), plus round(input × outputRatio) only with addEstimatedOutputTokens; the prefill entry and (without output ' +
    'estimates) the tokens are released at the first response chunk, requests at end of stream. Also writes per-candidate ' +
    'UncachedRequestTokens.',
  params,
  create: (name, p) => new InFlightLoadProducerV010(name, p),
};
