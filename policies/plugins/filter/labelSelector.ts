/**
 * `label-selector-filter` (llm-d-router v0.10.0, `llm-d-router.md` §4.2; replaces the deprecated
 * `by-label` and `by-label-selector`): the parameters are a Kubernetes LabelSelector (`matchLabels`,
 * `matchExpressions` In/NotIn/Exists/DoesNotExist, all ANDed); keeps the endpoints whose pod labels
 * match; an empty selector keeps all; no fail-open (nothing matches → empty). Same matching and
 * validation as by-label-selector (filter/byLabelSelector.ts).
 */
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Filter, LLMRequest, SchedEndpoint } from '../../framework/types.js';
import { byLabelSelectorFilter, matches, type ByLabelSelectorFilter, type Requirement } from './byLabelSelector.js';

export class LabelSelectorFilter implements Filter {
  readonly type = 'label-selector-filter';
  constructor(readonly name: string, readonly requirements: readonly Requirement[]) {}

  filter(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    const kept = endpoints.filter((e) => matches(e.labels, this.requirements));
    return kept.length === endpoints.length ? endpoints : kept;
  }
}

export const labelSelectorFilter: PluginDefinition<typeof byLabelSelectorFilter.params> = {
  type: 'label-selector-filter',
  dialects: ['llm-d-v0.10'],
  kinds: ['Filter'],
  source: 'llm-d-router v0.10.0',
  description:
    'Keeps endpoints whose labels match a Kubernetes label selector (matchLabels and matchExpressions In/NotIn/Exists/DoesNotExist, all ANDed; empty selector keeps all; no fail-open).',
  params: byLabelSelectorFilter.params,
  create(name, p, ctx) {
    const inner = byLabelSelectorFilter.create(name, p, ctx) as ByLabelSelectorFilter;
    return new LabelSelectorFilter(name, inner.requirements);
  },
};
