/**
 * `by-label-selector` (llm-d v0.7.0 `pkg/plugins/filter/by_label_selector.go`, `epp.md` §2.12):
 * keeps endpoints whose labels match a Kubernetes label selector — the parameters ARE a
 * metav1.LabelSelector: `matchLabels` (key = value) and `matchExpressions` ({key, operator: In |
 * NotIn | Exists | DoesNotExist, values}), all ANDed. NotIn and DoesNotExist match endpoints without
 * the label. An empty selector matches every endpoint. Validation follows LabelSelectorAsSelector:
 * In/NotIn need values, Exists/DoesNotExist must have none.
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Filter, LLMRequest, SchedEndpoint } from '../../framework/types.js';

export interface Requirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: ReadonlySet<string>;
}

export function matches(labels: Readonly<Record<string, string>>, reqs: readonly Requirement[]): boolean {
  for (const r of reqs) {
    const has = Object.hasOwn(labels, r.key);
    switch (r.operator) {
      case 'In':
        if (!has || !r.values.has(labels[r.key]!)) return false;
        break;
      case 'NotIn':
        if (has && r.values.has(labels[r.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

export class ByLabelSelectorFilter implements Filter {
  readonly type = 'by-label-selector';
  constructor(readonly name: string, readonly requirements: readonly Requirement[]) {}

  filter(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    const kept = endpoints.filter((e) => matches(e.labels, this.requirements));
    return kept.length === endpoints.length ? endpoints : kept;
  }
}

const params = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).default({}).describe('Labels that must be present with exactly these values.'),
  matchExpressions: z
    .array(
      z.strictObject({
        key: z.string(),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).optional(),
      }),
    )
    .default([])
    .describe('Kubernetes set-based requirements: {key, operator: In|NotIn|Exists|DoesNotExist, values}.'),
});

export const byLabelSelectorFilter: PluginDefinition<typeof params> = {
  type: 'by-label-selector',
  deprecatedFor: 'label-selector-filter',
  kinds: ['Filter'],
  source: 'llm-d v0.7.0',
  description:
    'Keeps endpoints whose labels match a Kubernetes label selector (matchLabels and matchExpressions In/NotIn/Exists/DoesNotExist, all ANDed; empty selector matches all).',
  params,
  create: (name, p) => {
    const reqs: Requirement[] = Object.entries(p.matchLabels).map(([key, v]) => ({ key, operator: 'In', values: new Set([v]) }));
    p.matchExpressions.forEach((m, i) => {
      const values = m.values ?? [];
      if ((m.operator === 'In' || m.operator === 'NotIn') && values.length === 0)
        throw new ParamError(`matchExpressions[${i}].values`, `values must be non-empty for operator ${m.operator}`);
      if ((m.operator === 'Exists' || m.operator === 'DoesNotExist') && values.length > 0)
        throw new ParamError(`matchExpressions[${i}].values`, `values must be empty for operator ${m.operator}`);
      reqs.push({ key: m.key, operator: m.operator, values: new Set(values) });
    });
    return new ByLabelSelectorFilter(name, reqs);
  },
};
