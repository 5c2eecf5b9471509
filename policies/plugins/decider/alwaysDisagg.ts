/** llm-d `always-disagg-pd-decider` (llm-d v0.7.0, `epp.md` §2.12): always runs a separate prefill. */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { PdDecider } from '../../framework/types.js';

export const ALWAYS_DISAGG_PD_DECIDER = 'always-disagg-pd-decider';

const params = z.strictObject({});

export class AlwaysDisaggPdDecider implements PdDecider {
  readonly type = ALWAYS_DISAGG_PD_DECIDER;
  constructor(readonly name: string) {}
  disaggregate(): boolean {
    return true;
  }
}

export const alwaysDisaggPdDecider: PluginDefinition<typeof params> = {
  type: ALWAYS_DISAGG_PD_DECIDER,
  kinds: ['PdDecider'],
  source: 'llm-d v0.7.0',
  description: 'Always disaggregates: every request also runs the prefill profile.',
  params,
  create(name) {
    return new AlwaysDisaggPdDecider(name);
  },
};
