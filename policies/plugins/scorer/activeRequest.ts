/**
 * `active-request-scorer` (llm-d v0.7.0 `pkg/plugins/scorer/active_request.go`, `epp.md` §2.12):
 * its own count of requests in flight per endpoint.
 *
 * - PreRequest: +1 on the FIRST target of EVERY profile result (decode and prefill), remembered per
 *   request id in a TTL cache; the entry expires requestTimeout after dispatch (ttlcache: expired
 *   when now > dispatch + timeout), decrementing — expiry is applied lazily, whenever the plugin is
 *   called, by ctx.nowUs.
 * - ResponseComplete: removes the entry and decrements (nothing if it already expired).
 * - Score: an endpoint with no count → 1.0; count ≤ idleThreshold → 1.0; else
 *   (maxCount − count)/maxCount × maxBusyScore, maxCount over ALL tracked endpoints (not just the
 *   candidates). An endpoint's count is removed when it drops to 0.
 *
 * maxBusyScore: §10 documents 1.0, but v0.7.0 built from YAML without `maxBusyScore` uses 0.0 (the
 * bug fixed in llm-d #919). Plugins here are always built from a config, so routesim follows
 * v0.7.0 exactly: OMITTED → 0.0, i.e. every busy endpoint scores 0. Set `maxBusyScore: 1.0` for the
 * documented behaviour.
 */
import { z } from 'zod';
import { duration } from '../../framework/params.js';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import type {
  CycleContext,
  LLMRequest,
  PreRequest,
  ResponseComplete,
  ResponseInfo,
  SchedEndpoint,
  SchedulingResult,
  Scorer,
} from '../../framework/types.js';

export interface ActiveRequestParams {
  /** µs */
  readonly requestTimeout: number;
  readonly idleThreshold: number;
  readonly maxBusyScore: number;
}

export class ActiveRequestScorer implements Scorer, PreRequest, ResponseComplete {
  readonly type = 'active-request-scorer';
  readonly category = 'Distribution' as const;
  /** Count per endpoint name (absent = 0). */
  readonly counts = new Map<string, number>();
  /** Request id → endpoints counted and expiry time; insertion order = expiry order. */
  private readonly cache = new Map<string, { readonly endpoints: readonly string[]; readonly expiresUs: number }>();
  constructor(readonly name: string, readonly params: ActiveRequestParams) {}

  private dec(endpoint: string): void {
    const c = this.counts.get(endpoint);
    if (c === undefined) return;
    if (c <= 1) this.counts.delete(endpoint);
    else this.counts.set(endpoint, c - 1);
  }

  private drop(id: string): void {
    const entry = this.cache.get(id);
    if (!entry) return;
    this.cache.delete(id);
    for (const e of entry.endpoints) this.dec(e);
  }

  /** Expires entries whose TTL has passed by `nowUs`. */
  expire(nowUs: number): void {
    for (const [id, entry] of this.cache) {
      if (nowUs <= entry.expiresUs) break; // entries were inserted in expiry order
      this.drop(id);
    }
  }

  score(ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    this.expire(ctx.nowUs);
    let maxCount = 0;
    for (const c of this.counts.values()) if (c > maxCount) maxCount = c;
    const { idleThreshold, maxBusyScore } = this.params;
    const out = new Map<string, number>();
    for (const e of endpoints) {
      const c = this.counts.get(e.name);
      out.set(e.name, c === undefined || c <= idleThreshold ? 1.0 : ((maxCount - c) / maxCount) * maxBusyScore);
    }
    return out;
  }

  preRequest(ctx: CycleContext, req: LLMRequest, result: SchedulingResult): void {
    this.expire(ctx.nowUs);
    this.drop(req.id);
    const endpoints: string[] = [];
    for (const r of result.profileResults.values()) {
      const first = r?.targetEndpoints[0];
      if (first) endpoints.push(first.name);
    }
    if (endpoints.length === 0) return;
    for (const e of endpoints) this.counts.set(e, (this.counts.get(e) ?? 0) + 1);
    this.cache.set(req.id, { endpoints, expiresUs: ctx.nowUs + this.params.requestTimeout });
  }

  responseComplete(ctx: CycleContext, req: LLMRequest, _response: ResponseInfo): void {
    this.expire(ctx.nowUs);
    this.drop(req.id);
  }
}

const params = z.strictObject({
  requestTimeout: duration('2m', 'A request still counted this long after dispatch is dropped from the counts (TTL).'),
  idleThreshold: z.number().int().default(0).describe('Endpoints with at most this many requests in flight score 1.0.'),
  maxBusyScore: z
    .number()
    .default(0)
    .describe('Score scale for busy endpoints. OMITTED → 0.0, as llm-d v0.7.0 does from YAML (bug fixed in #919; the documented default is 1.0).'),
});

export const activeRequestScorer: PluginDefinition<typeof params> = {
  type: 'active-request-scorer',
  dialects: ['gaie-v1.5'],
  kinds: ['Scorer', 'PreRequest', 'ResponseComplete'],
  source: 'llm-d v0.7.0',
  description:
    "Own in-flight counts (first target of every profile, from dispatch to end of stream or requestTimeout). Untracked or count ≤ idleThreshold → 1.0; else (maxCount − count)/maxCount × maxBusyScore, maxCount over all tracked endpoints. v0.7.0 PARITY: maxBusyScore omitted → 0.0 (v0.7.0's YAML bug), so busy endpoints score 0 unless you set maxBusyScore: 1.0.",
  params,
  create: (name, p) => {
    if (!(p.requestTimeout > 0)) throw new ParamError('requestTimeout', 'requestTimeout must be > 0');
    return new ActiveRequestScorer(name, p);
  },
};
