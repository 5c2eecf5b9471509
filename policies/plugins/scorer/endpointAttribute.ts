/**
 * `endpoint-attribute-scorer` (llm-d-router v0.10.0, Alpha, Distribution, `llm-d-router.md` §4.3):
 * scores a numeric endpoint attribute `attributeKey` linearly. Normalisation: `fixedRange {min < max}`
 * → n = clamp((v − min)/(max − min), 0, 1); `adaptiveRange {}` (default) → min–max over the candidates
 * that have the attribute, all equal → 1.0 for those. linear_lower_is_better scores 1 − n,
 * linear_higher_is_better n. Missing attribute → 0. Shipped vectors: 10, 5, 0 lower-is-better →
 * 0, 0.5, 1; higher → 1, 0.5, 0; 7, 7 adaptive → 1, 1.
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';
import { scalarAttr } from '../filter/endpointAttribute.js';

const params = z.strictObject({
  attributeKey: z.string().min(1).describe('endpoint attribute key holding a number (required)'),
  algorithm: z
    .strictObject({
      type: z.enum(['linear_lower_is_better', 'linear_higher_is_better']),
      normalization: z
        .strictObject({
          fixedRange: z.strictObject({ min: z.number(), max: z.number() }).optional(),
          adaptiveRange: z.strictObject({}).optional(),
        })
        .optional(),
    })
    .describe('{type: linear_lower_is_better|linear_higher_is_better, normalization: {fixedRange: {min, max}} | {adaptiveRange: {}} (default adaptive)}'),
});
type Params = z.output<typeof params>;

export class EndpointAttributeScorer implements Scorer {
  readonly type = 'endpoint-attribute-scorer';
  readonly category = 'Distribution' as const;
  constructor(
    readonly name: string,
    readonly key: string,
    readonly lowerIsBetter: boolean,
    readonly fixed: { readonly min: number; readonly max: number } | null,
  ) {}

  score(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const values = endpoints.map((e) => scalarAttr(e, this.key));
    let lo = Infinity;
    let hi = -Infinity;
    if (this.fixed) ({ min: lo, max: hi } = this.fixed);
    else for (const v of values) if (v !== undefined) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    const out = new Map<string, number>();
    endpoints.forEach((e, i) => {
      const v = values[i];
      if (v === undefined) return out.set(e.name, 0);
      if (!this.fixed && hi === lo) return out.set(e.name, 1);
      const n = Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
      return out.set(e.name, this.lowerIsBetter ? 1 - n : n);
    });
    return out;
  }
}

export const endpointAttributeScorer: PluginDefinition<typeof params> = {
  type: 'endpoint-attribute-scorer',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['Scorer'],
  source: 'llm-d-router v0.10.0',
  description:
    'Linear score of a numeric endpoint attribute: n = clamp((v−min)/(max−min)) over a fixedRange or (default) the candidates\' min–max (all equal → 1); lower-is-better 1 − n; missing attribute 0.',
  params,
  create(name, p: Params) {
    const norm = p.algorithm.normalization;
    if (norm?.fixedRange && norm.adaptiveRange) throw new ParamError('algorithm.normalization', 'set at most one of fixedRange and adaptiveRange');
    const fixed = norm?.fixedRange ?? null;
    if (fixed && !(fixed.min < fixed.max)) throw new ParamError('algorithm.normalization.fixedRange', 'fixedRange needs min < max');
    return new EndpointAttributeScorer(name, p.attributeKey, p.algorithm.type === 'linear_lower_is_better', fixed);
  },
};
