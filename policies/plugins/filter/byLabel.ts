/**
 * `by-label` (llm-d v0.7.0 `pkg/plugins/filter/by_label.go`, `epp.md` §2.12): keeps endpoints whose
 * label `label` has one of `validValues`, and — with `allowsNoLabel` — those without the label.
 * A missing `label`, or no `validValues` without `allowsNoLabel`, is a configuration error.
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Filter, LLMRequest, SchedEndpoint } from '../../framework/types.js';

export class ByLabelFilter implements Filter {
  private readonly valid: ReadonlySet<string>;
  constructor(
    readonly name: string,
    readonly label: string,
    validValues: readonly string[],
    readonly allowsNoLabel: boolean,
    readonly type: string = 'by-label',
  ) {
    this.valid = new Set(validValues);
  }

  accepts(e: SchedEndpoint): boolean {
    const v = Object.hasOwn(e.labels, this.label) ? e.labels[this.label] : undefined;
    return v === undefined ? this.allowsNoLabel : this.valid.has(v);
  }

  filter(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    const kept = endpoints.filter((e) => this.accepts(e));
    return kept.length === endpoints.length ? endpoints : kept;
  }
}

const params = z.strictObject({
  label: z.string().default('').describe('The label key to test (required).'),
  validValues: z.array(z.string()).default([]).describe('Label values that pass.'),
  allowsNoLabel: z.boolean().default(false).describe('Whether endpoints without the label pass.'),
});

export const byLabelFilter: PluginDefinition<typeof params> = {
  type: 'by-label',
  deprecatedFor: 'label-selector-filter',
  kinds: ['Filter'],
  source: 'llm-d v0.7.0',
  description: 'Keeps endpoints whose label `label` is one of validValues (and, with allowsNoLabel, those without the label).',
  params,
  create: (name, p) => {
    if (p.label === '') throw new ParamError('label', 'label must be given');
    if (p.validValues.length === 0 && !p.allowsNoLabel)
      throw new ParamError('validValues', 'validValues must be non-empty unless allowsNoLabel is true');
    return new ByLabelFilter(name, p.label, p.validValues, p.allowsNoLabel);
  },
};
