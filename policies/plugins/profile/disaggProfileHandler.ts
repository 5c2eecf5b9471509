/**
 * `disagg-profile-handler` (llm-d-router HEAD; also in llm-d v0.7.0's deploy configs; `epp.md`
 * §1.7): the decode-first sequence of profiles `decode` and `prefill`, the prefill stage decided by
 * the decider named in `deciders.prefill`. Without a prefill decider the handler runs decode only.
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import { isPdDecider, type PdDecider } from '../../framework/types.js';
import { DecodeFirstHandler } from './pdCommon.js';

export class DisaggProfileHandler extends DecodeFirstHandler {
  readonly type = 'disagg-profile-handler';
  constructor(name: string, decider: PdDecider | null) {
    super(name, 'decode', 'prefill', decider);
  }
}

const params = z.strictObject({
  deciders: z
    .strictObject({ prefill: z.string().min(1).optional().describe('instance name of the prefill decider') })
    .default({})
    .describe('decider plugin instance per stage ({prefill: <name>}); no prefill decider = decode only'),
});

export const disaggProfileHandler: PluginDefinition<typeof params> = {
  type: 'disagg-profile-handler',
  dialects: ['gaie-v1.5'],
  kinds: ['ProfileHandler'],
  source: 'llm-d router HEAD',
  description:
    'P/D disaggregation over profiles "decode" and "prefill": decode runs first; the deciders.prefill plugin, given the decode pick, decides whether prefill runs. Primary = decode. (The encode stage is not modelled.)',
  params,
  create: (name, p, ctx) => {
    const ref = p.deciders.prefill;
    if (ref === undefined) return new DisaggProfileHandler(name, null);
    const d = ctx.plugin(ref);
    if (!d) throw new ParamError('deciders.prefill', `no plugin named "${ref}" (declare the decider, e.g. type prefix-based-pd-decider)`);
    if (!isPdDecider(d)) throw new ParamError('deciders.prefill', `plugin "${ref}" (${d.type}) is not a P/D decider`);
    return new DisaggProfileHandler(name, d);
  },
};
