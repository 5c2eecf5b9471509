/**
 * `pd-profile-handler` (llm-d v0.7.0 `pkg/plugins/profile/pd_profile_handler.go`, later deprecated
 * in favour of `disagg-profile-handler`; `epp.md` §1.7): decode first, then the decider named by
 * `deciderPluginName` decides with the decode pick whether the `prefill` profile runs.
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import { isPdDecider, type PdDecider } from '../../framework/types.js';
import { DecodeFirstHandler } from './pdCommon.js';

export class PdProfileHandler extends DecodeFirstHandler {
  readonly type = 'pd-profile-handler';
  constructor(
    name: string,
    decodeProfile: string,
    prefillProfile: string,
    decider: PdDecider,
    /** Data-parallel rank port; routesim endpoints are already per rank, so it changes nothing. */
    readonly primaryPort: number,
  ) {
    super(name, decodeProfile, prefillProfile, decider);
  }
}

const params = z.strictObject({
  decodeProfile: z.string().min(1).default('decode').describe('name of the decode profile (runs first; primary)'),
  prefillProfile: z.string().min(1).default('prefill').describe('name of the prefill profile (runs when the decider says so)'),
  primaryPort: z
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(0)
    .describe('data-parallel: rewrite the decode target to this port (0 = off); no effect in routesim, whose endpoints are per rank'),
  deciderPluginName: z.string().min(1).default('prefix-based-pd-decider').describe('instance name of the P/D decider plugin'),
});

export const pdProfileHandler: PluginDefinition<typeof params> = {
  type: 'pd-profile-handler',
  deprecatedFor: 'disagg-profile-handler',
  kinds: ['ProfileHandler'],
  source: 'llm-d v0.7.0',
  description:
    'P/D disaggregation: runs the decode profile first; if it found an endpoint, asks the decider (deciderPluginName) with that endpoint and runs the prefill profile only when it says to disaggregate. Primary = decode; a failed decode fails the request, a failed prefill leaves decode-only.',
  params,
  create: (name, p, ctx) => {
    const d = ctx.plugin(p.deciderPluginName);
    if (!d) throw new ParamError('deciderPluginName', `no plugin named "${p.deciderPluginName}" (declare the decider, e.g. type prefix-based-pd-decider)`);
    if (!isPdDecider(d)) throw new ParamError('deciderPluginName', `plugin "${p.deciderPluginName}" (${d.type}) is not a P/D decider`);
    return new PdProfileHandler(name, p.decodeProfile, p.prefillProfile, d, p.primaryPort);
  },
};
