/**
 * `concurrency-detector`, llm-d-router v0.10.0 twin (`llm-d-router.md` §2.7): GAIE v1.5.0's
 * detector (concurrencyDetector.ts) plus the `hybrid` mode and `inFlightLoadProducerName`.
 *
 * - requests: Σrequests/(N·maxConcurrency); tokens: Σtokens/(N·maxTokenConcurrency);
 *   hybrid: mean over endpoints of max(requests/maxConcurrency, tokens/maxTokenConcurrency).
 *   Empty input (or a zero capacity on a dimension used) → 1.0.
 * - Filter keeps an endpoint iff load < ⌊cap·(1 + headroom)⌋ on the mode's dimension (hybrid: on
 *   both); no fail-open.
 *
 * Where the load comes from: v0.10 reads the live counters `inflight-load-producer` keeps on the
 * datastore endpoints (dispatch → end of stream). routesim keeps the same counters in the detector
 * (PreRequest on every primary target: +1 request, +estimated tokens; released at end of stream),
 * so `inFlightLoadProducerName` is accepted and only names the counters' producer. Tokens are the
 * routesim token estimate of the request (v0.10 counts uncached input tokens).
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import type {
  CycleContext,
  Filter,
  LLMRequest,
  PreRequest,
  ResponseComplete,
  ResponseInfo,
  SaturationDetector,
  SchedEndpoint,
  SchedulingResult,
} from '../../framework/types.js';
import { primaryTargets } from '../producer/inflightLoad.js';
import { InFlightTracker } from '../producer/inflightTracker.js';
import { cachedTokenEstimate } from '../producer/tokenEstimator.js';

export interface ConcurrencyParamsV010 {
  readonly concurrencyMode: 'requests' | 'tokens' | 'hybrid';
  readonly maxConcurrency: number;
  readonly maxTokenConcurrency: number;
  readonly headroom: number;
}

export class ConcurrencyDetectorV010 implements SaturationDetector, Filter, PreRequest, ResponseComplete {
  readonly type = 'concurrency-detector';
  readonly tracker = new InFlightTracker();
  private readonly reqLimit: number;
  private readonly tokLimit: number;
  constructor(readonly name: string, readonly params: ConcurrencyParamsV010) {
    this.reqLimit = Math.floor(params.maxConcurrency * (1 + params.headroom));
    this.tokLimit = Math.floor(params.maxTokenConcurrency * (1 + params.headroom));
  }

  saturation(_ctx: CycleContext, endpoints: readonly SchedEndpoint[]): number {
    const n = endpoints.length;
    if (n === 0) return 1.0;
    const { concurrencyMode: mode, maxConcurrency: mc, maxTokenConcurrency: mt } = this.params;
    let sum = 0;
    if (mode === 'hybrid') {
      if (mc === 0 || mt === 0) return 1.0;
      for (const e of endpoints) {
        const l = this.tracker.get(e.name);
        sum += Math.max(l.requests / mc, l.tokens / mt);
      }
      return sum / n;
    }
    const cap = mode === 'tokens' ? mt : mc;
    if (cap === 0) return 1.0;
    for (const e of endpoints) {
      const l = this.tracker.get(e.name);
      sum += mode === 'tokens' ? l.tokens : l.requests;
    }
    return sum / (n * cap);
  }

  private fits(name: string): boolean {
    const l = this.tracker.get(name);
    const mode = this.params.concurrencyMode;
    if (mode !== 'tokens' && !(l.requests < this.reqLimit)) return false;
    if (mode !== 'requests' && !(l.tokens < this.tokLimit)) return false;
    return true;
  }

  filter(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    const kept = endpoints.filter((e) => this.fits(e.name));
    return kept.length === endpoints.length ? endpoints : kept;
  }

  preRequest(ctx: CycleContext, req: LLMRequest, result: SchedulingResult): void {
    const targets = primaryTargets(result);
    if (targets.length > 0) this.tracker.track(req.id, targets, cachedTokenEstimate(ctx, req));
  }

  responseComplete(_ctx: CycleContext, req: LLMRequest, _response: ResponseInfo): void {
    this.tracker.release(req.id);
  }
}

const params = z.strictObject({
  concurrencyMode: z
    .enum(['requests', 'tokens', 'hybrid'])
    .default('requests')
    .describe('requests, tokens, or hybrid (mean over endpoints of max(requests/maxConcurrency, tokens/maxTokenConcurrency)).'),
  maxConcurrency: z.number().int().default(100).describe('Requests in flight per endpoint at saturation (requests and hybrid modes).'),
  maxTokenConcurrency: z.number().int().default(1000000).describe('Tokens in flight per endpoint at saturation (tokens and hybrid modes).'),
  headroom: z.number().default(0).describe('Filter only: keeps endpoints with load < ⌊capacity × (1 + headroom)⌋ (hybrid: on both; ≥ 0).'),
  inFlightLoadProducerName: z.string().default('').describe('Producer whose in-flight counters are read ("" = inflight-load-producer); routesim keeps them in the detector.'),
});

export const concurrencyDetectorV010: PluginDefinition<typeof params> = {
  type: 'concurrency-detector',
  dialects: ['llm-d-v0.10'],
  kinds: ['SaturationDetector', 'Filter', 'PreRequest', 'ResponseComplete'],
  source: 'llm-d-router v0.10.0',
  description:
    'Saturation from in-flight load: requests Σr/(N·maxConcurrency), tokens Σt/(N·maxTokenConcurrency), hybrid mean of max(r/maxConcurrency, t/maxTokenConcurrency) (empty → 1.0); as a filter keeps endpoints with load < ⌊cap·(1+headroom)⌋ (hybrid: both), no fail-open. Counters: dispatch → end of stream on every primary target.',
  params,
  create: (name, p) => {
    if (p.maxConcurrency < 0) throw new ParamError('maxConcurrency', `maxConcurrency must be ≥ 0 (got ${p.maxConcurrency})`);
    if (p.maxTokenConcurrency < 0) throw new ParamError('maxTokenConcurrency', `maxTokenConcurrency must be ≥ 0 (got ${p.maxTokenConcurrency})`);
    if (!(p.headroom >= 0)) throw new ParamError('headroom', `headroom must be ≥ 0 (got ${p.headroom})`);
    return new ConcurrencyDetectorV010(name, p);
  },
};
