/**
 * `disagg-headers-handler` and its alias `prefill-header-handler` as llm-d-router v0.10.0 has them
 * (`llm-d-router.md` §4.5, deprecated for `disagg-profile-handler`, §2.4): PreRequest only; sets
 * `x-prefiller-host-port` from the `prefillProfile` profile's pick and `x-encoder-hosts-ports` from
 * the `encodeProfile` profile's targets, clearing inbound values (disaggAttributes.ts). The same two
 * headers the v0.10 disagg-profile-handler sets itself.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, PreRequest, SchedulingResult } from '../../framework/types.js';
import { setDisaggHeaders } from './disaggAttributes.js';

export class DisaggHeadersHandlerV010 implements PreRequest {
  constructor(
    readonly type: string,
    readonly name: string,
    readonly prefillProfile: string,
    readonly encodeProfile: string,
  ) {}
  preRequest(ctx: CycleContext, _req: LLMRequest, result: SchedulingResult): void {
    setDisaggHeaders(ctx, result, this.prefillProfile, this.encodeProfile);
  }
}

const params = z.strictObject({
  prefillProfile: z.string().min(1).default('prefill').describe('profile whose pick is the prefill pod'),
  encodeProfile: z.string().min(1).default('encode').describe('profile whose targets are the encoders'),
});

function definition(type: string): PluginDefinition<typeof params> {
  return {
    type,
    dialects: ['llm-d-v0.10'],
    deprecatedFor: 'disagg-profile-handler',
    kinds: ['PreRequest'],
    source: 'llm-d-router v0.10.0',
    description:
      'Deprecated (use disagg-profile-handler, which sets the same headers): sets x-prefiller-host-port from the prefill profile\'s pick and x-encoder-hosts-ports from the encode profile\'s targets.',
    params,
    create: (name, p) => new DisaggHeadersHandlerV010(type, name, p.prefillProfile, p.encodeProfile),
  };
}

export const disaggHeadersHandlerV010 = definition('disagg-headers-handler');
export const prefillHeaderHandler = definition('prefill-header-handler');
