/**
 * `endpoint-attribute-filter` (llm-d-router v0.10.0, Alpha, `llm-d-router.md` §4.2): keeps the
 * endpoints whose scalar attribute `attribute` (an endpoint attribute key, e.g.
 * `GPUUtilization/dcgm-extractor`) satisfies `value OP threshold`. Missing (or non-numeric) attribute
 * → kept iff onMissing = Pass. Empty result → the original list iff fallbackOnEmpty.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Filter, LLMRequest, SchedEndpoint } from '../../framework/types.js';

export type ThresholdOperator = 'LessThan' | 'LessThanOrEqual' | 'GreaterThan' | 'GreaterThanOrEqual' | 'Equal' | 'NotEqual';

export function compare(v: number, op: ThresholdOperator, t: number): boolean {
  switch (op) {
    case 'LessThan':
      return v < t;
    case 'LessThanOrEqual':
      return v <= t;
    case 'GreaterThan':
      return v > t;
    case 'GreaterThanOrEqual':
      return v >= t;
    case 'Equal':
      return v === t;
    case 'NotEqual':
      return v !== t;
  }
}

/** A scalar endpoint attribute (numbers only), or undefined. */
export function scalarAttr(e: SchedEndpoint, key: string): number | undefined {
  const v = e.attributes.get(key);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

const params = z.strictObject({
  attribute: z.string().min(1).describe('endpoint attribute key holding a number (required), e.g. GPUUtilization/dcgm-extractor'),
  onMissing: z.enum(['Pass', 'Fail']).default('Pass').describe('Pass keeps endpoints without the attribute, Fail drops them'),
  fallbackOnEmpty: z.boolean().default(false).describe('when nothing is kept, return the original candidates'),
  algorithm: z
    .strictObject({
      type: z.literal('threshold'),
      threshold: z.strictObject({
        operator: z.enum(['LessThan', 'LessThanOrEqual', 'GreaterThan', 'GreaterThanOrEqual', 'Equal', 'NotEqual']),
        value: z.number(),
      }),
    })
    .describe('{type: threshold, threshold: {operator, value}} (all required)'),
});

export class EndpointAttributeFilter implements Filter {
  readonly type = 'endpoint-attribute-filter';
  constructor(readonly name: string, readonly p: z.output<typeof params>) {}

  filter(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    const { operator, value } = this.p.algorithm.threshold;
    const kept = endpoints.filter((e) => {
      const v = scalarAttr(e, this.p.attribute);
      return v === undefined ? this.p.onMissing === 'Pass' : compare(v, operator, value);
    });
    if (kept.length === 0 && this.p.fallbackOnEmpty) return endpoints;
    return kept.length === endpoints.length ? endpoints : kept;
  }
}

export const endpointAttributeFilter: PluginDefinition<typeof params> = {
  type: 'endpoint-attribute-filter',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['Filter'],
  source: 'llm-d-router v0.10.0',
  description:
    'Keeps endpoints whose numeric attribute satisfies `value OP threshold`; missing attribute kept iff onMissing Pass; empty result → all iff fallbackOnEmpty.',
  params,
  create: (name, p) => new EndpointAttributeFilter(name, p),
};
