/**
 * What the two `concurrency-detector` twins share (GAIE v1.5.0 concurrencyDetector.ts and
 * llm-d-router v0.10.0 concurrencyDetector.v010.ts; `epp.md` §2.9, `llm-d-router.md` §2.7):
 * routesim's own in-flight counters (PreRequest: +1 request and +estimated tokens on every primary
 * target; released at the end of the response stream), a no-fail-open filter over a per-twin
 * `fits` test, and the parameter checks. Saturation formulas and filter limits stay in each twin.
 */
import { ParamError } from '../../framework/registry.js';
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

export abstract class InFlightDetectorBase implements SaturationDetector, Filter, PreRequest, ResponseComplete {
  readonly type = 'concurrency-detector';
  readonly tracker = new InFlightTracker();
  abstract readonly name: string;

  abstract saturation(ctx: CycleContext, endpoints: readonly SchedEndpoint[]): number;
  /** Whether the filter keeps this endpoint, from its in-flight counters. */
  protected abstract fits(endpoint: string): boolean;

  /** No fail-open: may return no endpoint (the request then fails with 429). */
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

/** Shared checks: capacities ≥ 0 and headroom ≥ 0 (ParamError names the field). */
export function checkConcurrencyParams(p: { maxConcurrency: number; maxTokenConcurrency: number; headroom: number }): void {
  if (p.maxConcurrency < 0) throw new ParamError('maxConcurrency', `maxConcurrency must be ≥ 0 (got ${p.maxConcurrency})`);
  if (p.maxTokenConcurrency < 0) throw new ParamError('maxTokenConcurrency', `maxTokenConcurrency must be ≥ 0 (got ${p.maxTokenConcurrency})`);
  if (!(p.headroom >= 0)) throw new ParamError('headroom', `headroom must be ≥ 0 (got ${p.headroom})`);
}
