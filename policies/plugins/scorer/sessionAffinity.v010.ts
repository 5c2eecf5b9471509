/**
 * `session-affinity-scorer`, llm-d-router v0.10.0 (Alpha; `llm-d-router.md` §4.3): 1 for the
 * decoded / bound endpoint of the session strategy (sessionCore.ts), 0 for the others (no id or
 * unbound → all 0).
 */
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';
import { SessionCore, SessionHooks, checkSessionParams, sessionParams, type SessionParams } from './sessionCore.js';

export class SessionAffinityScorerV010 extends SessionHooks implements Scorer {
  readonly type = 'session-affinity-scorer';
  readonly category = 'Affinity' as const;
  readonly core: SessionCore;
  constructor(readonly name: string, p: SessionParams) {
    super();
    this.core = new SessionCore(p, `session-affinity-scorer/${name}`);
  }

  score(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const { target } = this.core.lookup(ctx, req, endpoints);
    const out = new Map<string, number>();
    for (const e of endpoints) out.set(e.name, e.name === target ? 1 : 0);
    return out;
  }
}

export const sessionAffinityScorerV010: PluginDefinition<typeof sessionParams> = {
  type: 'session-affinity-scorer',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['Scorer', 'PreRequest', 'ResponseHeaderProcessor'],
  source: 'llm-d-router v0.10.0',
  description:
    'encoded_endpoint_header: 1 for the endpoint base64-decoded from the header (written back at response headers); session_id: 1 for the endpoint the session id is bound to (bound/refreshed at PreRequest, idle bindings expire). Others 0.',
  params: sessionParams,
  create(name, p) {
    checkSessionParams(p);
    return new SessionAffinityScorerV010(name, p);
  },
};
