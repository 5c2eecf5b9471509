/**
 * `inflight-load-producer` (GAIE v1.5.0 `requestcontrol/requestdataproducer/inflightload`,
 * `epp.md` §2.6): per-endpoint counters of requests and estimated tokens in flight.
 *
 * - PrepareData: writes `InFlightLoad{requests, tokens}` onto every candidate (a snapshot).
 * - PreRequest: +1 request and +estimate tokens on every target endpoint of the PRIMARY profile.
 * - ResponseComplete (end of stream): reverses exactly that.
 * The estimate (SimpleTokenEstimator, producer/tokenEstimator.ts) is computed once per request and
 * kept in PluginState. Counters are keyed by endpoint name.
 */
import { z } from 'zod';
import { IN_FLIGHT_LOAD } from '../../framework/attributes.js';
import type { PluginDefinition } from '../../framework/registry.js';
import type {
  CycleContext,
  LLMRequest,
  PreRequest,
  PrepareData,
  ResponseComplete,
  ResponseInfo,
  SchedEndpoint,
  SchedulingResult,
} from '../../framework/types.js';
import { InFlightTracker } from './inflightTracker.js';
import { cachedTokenEstimate } from './tokenEstimator.js';

/** Names of the primary profile's target endpoints (empty if it failed). */
export function primaryTargets(result: SchedulingResult): string[] {
  const r = result.profileResults.get(result.primaryProfileName);
  return r ? r.targetEndpoints.map((e) => e.name) : [];
}

export class InFlightLoadProducer implements PrepareData, PreRequest, ResponseComplete {
  readonly type = 'inflight-load-producer';
  readonly produces = [IN_FLIGHT_LOAD] as const;
  readonly consumes = [] as const;
  readonly tracker = new InFlightTracker();
  constructor(readonly name: string) {}

  prepareRequestData(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): void {
    cachedTokenEstimate(ctx, req);
    for (const e of endpoints) e.attributes.set(IN_FLIGHT_LOAD, this.tracker.get(e.name));
  }

  preRequest(ctx: CycleContext, req: LLMRequest, result: SchedulingResult): void {
    const targets = primaryTargets(result);
    if (targets.length > 0) this.tracker.track(req.id, targets, cachedTokenEstimate(ctx, req));
  }

  responseComplete(_ctx: CycleContext, req: LLMRequest, _response: ResponseInfo): void {
    this.tracker.release(req.id);
  }
}

export const inflightLoadProducer: PluginDefinition = {
  type: 'inflight-load-producer',
  dialects: ['gaie-v1.5'],
  kinds: ['PrepareData', 'PreRequest', 'ResponseComplete'],
  source: 'GAIE v1.5.0',
  description:
    'Counts requests and estimated tokens in flight per endpoint, from dispatch (PreRequest, every target of the primary profile) to the end of the response stream, and writes the InFlightLoad{requests, tokens} snapshot onto each candidate for token-load-scorer. Token estimate (SimpleTokenEstimator): input = max(⌊body bytes/4⌋, 1) if the body size is known, else max(1, round(prompt bytes/4)); plus round(1.5 × input) output tokens. Not auto-wired: configure it explicitly, as in production.',
  params: z.strictObject({}),
  create: (name) => new InFlightLoadProducer(name),
};
