/**
 * `disagg-headers-handler` (llm-d v0.7.0, P/D; `epp.md` §3.2 pd-epp-config): a PreRequest plugin
 * that tells the decode pod's routing sidecar where to prefill (the `x-prefiller-host-port` header,
 * taken from the `prefill` profile's target). Registered so P/D configs load; in routesim the
 * simulated gateway reads the prefill target from the scheduling result directly, so it does
 * nothing.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { PreRequest } from '../../framework/types.js';

export class DisaggHeadersHandler implements PreRequest {
  readonly type = 'disagg-headers-handler';
  constructor(readonly name: string) {}
  preRequest(): void {
    // The prefill target travels in SchedulingResult.profileResults.get('prefill').
  }
}

const params = z.strictObject({
  prefillProfile: z.string().min(1).default('prefill').describe('profile whose target is the prefill pod'),
});

export const disaggHeadersHandler: PluginDefinition<typeof params> = {
  type: 'disagg-headers-handler',
  dialects: ['gaie-v1.5'],
  kinds: ['PreRequest'],
  source: 'llm-d v0.7.0',
  description:
    'Sets the x-prefiller-host-port header from the prefill profile\'s pick for the decode sidecar. No-op in routesim: the gateway reads the prefill target from the scheduling result.',
  params,
  create: (name) => new DisaggHeadersHandler(name),
};
