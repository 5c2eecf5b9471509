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
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, SchedEndpoint } from '../../framework/types.js';
import { checkConcurrencyParams, InFlightDetectorBase } from './inflightDetectorBase.js';

export interface ConcurrencyParamsV010 {
  readonly concurrencyMode: 'requests' | 'tokens' | 'hybrid';
  readonly maxConcurrency: number;
  readonly maxTokenConcurrency: number;
  readonly headroom: number;
}

export class ConcurrencyDetectorV010 extends InFlightDetectorBase {
  private readonly reqLimit: number;
  private readonly tokLimit: number;
  constructor(readonly name: string, readonly params: ConcurrencyParamsV010) {
    super();
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

  protected fits(name: string): boolean {
    const l = this.tracker.get(name);
    const mode = this.params.concurrencyMode;
    if (mode !== 'tokens' && !(l.requests < this.reqLimit)) return false;
    if (mode !== 'requests' && !(l.tokens < this.tokLimit)) return false;
    return true;
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
    checkConcurrencyParams(p);
    return new ConcurrencyDetectorV010(name, p);
  },
};
