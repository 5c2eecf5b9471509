/**
 * `utilization-filter` (llm-d-router v0.10.0, Alpha; renamed from `active-request-filter`,
 * `llm-d-router.md` §4.2): keeps endpoints whose value is ≤ maxValue for EVERY condition. Metrics:
 * `active-requests` (InFlightLoad.requests of `inFlightLoadProducerName`), `running-requests`,
 * `waiting-queue`, `kv-cache-utilization` (fraction ≤ 1) from the scraped metrics; missing values
 * read 0. Empty result → the original list iff fallbackOnEmpty.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Filter, LLMRequest, SchedEndpoint } from '../../framework/types.js';
import { inFlightKeys, inFlightV010, type InFlightKeys } from '../scorer/inflightReaders.v010.js';
import { kvUsage, running, waiting } from '../scorer/metrics.js';

export const UTILIZATION_METRICS = ['active-requests', 'running-requests', 'waiting-queue', 'kv-cache-utilization'] as const;
export type UtilizationMetric = (typeof UTILIZATION_METRICS)[number];

export function utilizationValue(e: SchedEndpoint, metric: UtilizationMetric, keys: InFlightKeys): number {
  switch (metric) {
    case 'active-requests':
      return inFlightV010(e, keys)?.requests ?? 0;
    case 'running-requests':
      return running(e);
    case 'waiting-queue':
      return waiting(e);
    case 'kv-cache-utilization':
      return kvUsage(e);
  }
}

const params = z.strictObject({
  conditions: z
    .array(z.strictObject({ metric: z.enum(UTILIZATION_METRICS), maxValue: z.number() }))
    .min(1)
    .describe('[{metric: active-requests|running-requests|waiting-queue|kv-cache-utilization, maxValue}] (≥ 1, all must hold)'),
  fallbackOnEmpty: z.boolean().default(false).describe('when nothing is kept, return the original candidates'),
  inFlightLoadProducerName: z.string().default('').describe('producer of InFlightLoad for active-requests ("" = inflight-load-producer)'),
});

export class UtilizationFilter implements Filter {
  readonly type = 'utilization-filter';
  readonly keys: InFlightKeys;
  constructor(readonly name: string, readonly p: z.output<typeof params>) {
    this.keys = inFlightKeys(p.inFlightLoadProducerName);
  }

  filter(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    const kept = endpoints.filter((e) => this.p.conditions.every((c) => utilizationValue(e, c.metric, this.keys) <= c.maxValue));
    if (kept.length === 0 && this.p.fallbackOnEmpty) return endpoints;
    return kept.length === endpoints.length ? endpoints : kept;
  }
}

export const utilizationFilter: PluginDefinition<typeof params> = {
  type: 'utilization-filter',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['Filter'],
  source: 'llm-d-router v0.10.0',
  description:
    'Keeps endpoints with value ≤ maxValue for every condition (active-requests from InFlightLoad; running-requests, waiting-queue, kv-cache-utilization from metrics; missing → 0); empty → all iff fallbackOnEmpty.',
  params,
  create: (name, p) => new UtilizationFilter(name, p),
};
