/**
 * `session-affinity-filter` and `multicluster-session-affinity-filter` (llm-d-router v0.10.0, Alpha,
 * `llm-d-router.md` §4.2): the session strategies of scorer/sessionCore.ts as a filter —
 * the affine candidate (decoded header endpoint, or the endpoint the session id is bound to) alone,
 * else every candidate. PreRequest binds (session_id); the response header is written
 * (encoded_endpoint_header) at ResponseHeader, and at ResponseComplete until the director calls it.
 */
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Filter, LLMRequest, SchedEndpoint } from '../../framework/types.js';
import { SessionCore, SessionHooks, checkSessionParams, sessionParams, type SessionParams } from '../scorer/sessionCore.js';

export class SessionAffinityFilter extends SessionHooks implements Filter {
  readonly core: SessionCore;
  constructor(readonly type: string, readonly name: string, p: SessionParams) {
    super();
    this.core = new SessionCore(p, `${type}/${name}`);
  }

  filter(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    const { target } = this.core.lookup(ctx, req, endpoints);
    return target === null ? endpoints : endpoints.filter((e) => e.name === target);
  }
}

function definition(type: string): PluginDefinition<typeof sessionParams> {
  return {
    type,
    dialects: ['llm-d-v0.10'],
    stability: 'alpha',
    kinds: ['Filter', 'PreRequest', 'ResponseHeaderProcessor'],
    source: 'llm-d-router v0.10.0',
    description:
      'Keeps only the session\'s endpoint when it is a candidate (encoded_endpoint_header: base64 endpoint id in the header, written back at response headers; session_id: binding made at PreRequest, rebound only when the bound endpoint was not a candidate), else all.',
    params: sessionParams,
    create(name, p) {
      checkSessionParams(p);
      return new SessionAffinityFilter(type, name, p);
    },
  };
}

export const sessionAffinityFilter = definition('session-affinity-filter');
export const multiclusterSessionAffinityFilter = definition('multicluster-session-affinity-filter');
