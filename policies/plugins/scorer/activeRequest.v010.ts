/**
 * `active-request-scorer`, llm-d-router v0.10.0 (`llm-d-router.md` §5 row active-request-scorer):
 * stateless over the in-flight producer's counters. count = InFlightLoad.requests (from
 * `inFlightLoadProducerName`, default inflight-load-producer; missing → 0). count ≤ idleThreshold →
 * 1; else (max − count)/max × maxBusyScore with max over the CANDIDATES. maxBusyScore defaults to
 * 1.0 (the v0.7.0 YAML bug is fixed); requestTimeout is accepted and ignored.
 */
import { z } from 'zod';
import { duration } from '../../framework/params.js';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';
import { inFlightKeys, inFlightV010, type InFlightKeys } from './inflightReaders.v010.js';

export class ActiveRequestScorerV010 implements Scorer {
  readonly type = 'active-request-scorer';
  readonly category = 'Distribution' as const;
  readonly keys: InFlightKeys;
  constructor(
    readonly name: string,
    readonly idleThreshold: number,
    readonly maxBusyScore: number,
    producerName: string,
  ) {
    this.keys = inFlightKeys(producerName);
  }

  score(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const counts = endpoints.map((e) => inFlightV010(e, this.keys)?.requests ?? 0);
    let max = 0;
    for (const c of counts) if (c > max) max = c;
    const out = new Map<string, number>();
    endpoints.forEach((e, i) => {
      const c = counts[i]!;
      out.set(e.name, c <= this.idleThreshold ? 1 : max > 0 ? ((max - c) / max) * this.maxBusyScore : 0);
    });
    return out;
  }
}

const params = z.strictObject({
  requestTimeout: duration('2m', 'Accepted for compatibility and ignored in v0.10.0.'),
  idleThreshold: z.number().int().default(0).describe('Endpoints with at most this many requests in flight score 1.0.'),
  maxBusyScore: z.number().default(1).describe('Score scale for busy endpoints.'),
  inFlightLoadProducerName: z.string().default('').describe('producer of InFlightLoad ("" = inflight-load-producer)'),
});

export const activeRequestScorerV010: PluginDefinition<typeof params> = {
  type: 'active-request-scorer',
  dialects: ['llm-d-v0.10'],
  kinds: ['Scorer'],
  source: 'llm-d-router v0.10.0',
  description:
    'InFlightLoad.requests per candidate: ≤ idleThreshold → 1; else (max − count)/max × maxBusyScore, max over the candidates. requestTimeout ignored.',
  params,
  create: (name, p) => new ActiveRequestScorerV010(name, p.idleThreshold, p.maxBusyScore, p.inFlightLoadProducerName),
};
