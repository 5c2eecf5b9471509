/**
 * `concurrency-detector` (GAIE v1.5.0 `flowcontrol/saturationdetector/concurrency`, `epp.md` §2.9):
 * saturation from requests (or estimated tokens) in flight per endpoint.
 *
 * - Saturation(E) = Σ_E inflight / (|E| × capacity), capacity = maxConcurrency (requests mode) or
 *   maxTokenConcurrency (tokens mode); 1.0 when |E| × capacity is 0.
 * - Filter keeps endpoints with inflight < ⌊capacity × (1 + headroom)⌋; NO fail-open (it may
 *   return no endpoint, and the request then fails with 429).
 *
 * Where the in-flight load comes from: in v1.5.0 the detector reads datastore endpoints, while
 * inflight-load-producer only writes per-request snapshots, so v1.5.0's Saturation() likely sees no
 * load at all (epp.md §2.6). routesim instead gives the detector its own counters, fed at dispatch
 * (PreRequest: +1 request and +estimate tokens on every target of the primary profile) and released
 * at the end of the response stream — what router HEAD does and what a user expects. Saturation and
 * Filter read the same counters.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, SchedEndpoint } from '../../framework/types.js';
import { checkConcurrencyParams, InFlightDetectorBase } from './inflightDetectorBase.js';

export interface ConcurrencyParams {
  readonly concurrencyMode: 'requests' | 'tokens';
  readonly maxConcurrency: number;
  readonly maxTokenConcurrency: number;
  readonly headroom: number;
}

export class ConcurrencyDetector extends InFlightDetectorBase {
  private readonly capacity: number;
  private readonly filterLimit: number;
  private readonly tokens: boolean;
  constructor(readonly name: string, readonly params: ConcurrencyParams) {
    super();
    this.tokens = params.concurrencyMode === 'tokens';
    this.capacity = this.tokens ? params.maxTokenConcurrency : params.maxConcurrency;
    this.filterLimit = Math.floor(this.capacity * (1 + params.headroom));
  }

  /** In-flight load of an endpoint in the configured unit. */
  load(endpoint: string): number {
    const l = this.tracker.get(endpoint);
    return this.tokens ? l.tokens : l.requests;
  }

  saturation(_ctx: CycleContext, endpoints: readonly SchedEndpoint[]): number {
    const total = endpoints.length * this.capacity;
    if (total === 0) return 1.0;
    let sum = 0;
    for (const e of endpoints) sum += this.load(e.name);
    return sum / total;
  }

  protected fits(endpoint: string): boolean {
    return this.load(endpoint) < this.filterLimit;
  }
}

const params = z.strictObject({
  concurrencyMode: z.enum(['requests', 'tokens']).default('requests').describe('Count in-flight requests or estimated in-flight tokens.'),
  maxConcurrency: z.number().int().default(100).describe('Requests in flight per endpoint at saturation (requests mode).'),
  maxTokenConcurrency: z.number().int().default(1000000).describe('Estimated tokens in flight per endpoint at saturation (tokens mode).'),
  headroom: z.number().default(0).describe('Filter only: keeps endpoints with load < ⌊capacity × (1 + headroom)⌋ (≥ 0).'),
});

export const concurrencyDetector: PluginDefinition<typeof params> = {
  type: 'concurrency-detector',
  dialects: ['gaie-v1.5'],
  kinds: ['SaturationDetector', 'Filter', 'PreRequest', 'ResponseComplete'],
  source: 'GAIE v1.5.0',
  description:
    'Saturation = Σ in-flight / (endpoints × capacity) (1.0 if capacity is 0), counting requests (maxConcurrency) or estimated tokens (maxTokenConcurrency); as a filter keeps endpoints with load < ⌊capacity × (1+headroom)⌋ and does NOT fail open. routesim keeps its own in-flight counters (dispatch → end of stream, every primary target); note that GAIE v1.5.0 itself likely sees zero load here, because its inflight-load-producer only writes per-request snapshots.',
  params,
  create: (name, p) => {
    checkConcurrencyParams(p);
    return new ConcurrencyDetector(name, p);
  },
};
