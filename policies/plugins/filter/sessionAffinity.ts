/**
 * `session-affinity-filter` and `multicluster-session-affinity-filter` (llm-d-router v0.10.0, Alpha,
 * `llm-d-router.md` §4.2): the session strategies of scorer/sessionAffinity.v010.ts as a filter —
 * the affine candidate (decoded header endpoint, or the endpoint the session id is bound to) alone,
 * else every candidate. PreRequest binds (session_id); the response header is written
 * (encoded_endpoint_header) at ResponseHeader, and at ResponseComplete until the director calls it.
 */
import type { PluginDefinition } from '../../framework/registry.js';
import type {
  CycleContext,
  Filter,
  LLMRequest,
  PreRequest,
  ResponseComplete,
  ResponseHeaderProcessor,
  ResponseInfo,
  SchedEndpoint,
  SchedulingResult,
} from '../../framework/types.js';
import { SessionCore, checkSessionParams, sessionParams, type SessionParams } from '../scorer/sessionAffinity.v010.js';

export class SessionAffinityFilter implements Filter, PreRequest, ResponseHeaderProcessor, ResponseComplete {
  readonly core: SessionCore;
  constructor(readonly type: string, readonly name: string, p: SessionParams) {
    this.core = new SessionCore(p, `${type}/${name}`);
  }

  filter(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    const { target } = this.core.lookup(ctx, req, endpoints);
    return target === null ? endpoints : endpoints.filter((e) => e.name === target);
  }

  preRequest(ctx: CycleContext, req: LLMRequest, result: SchedulingResult): void {
    this.core.preRequest(ctx, req, result);
  }

  processResponseHeaders(_ctx: CycleContext, _req: LLMRequest, response: ResponseInfo): void {
    this.core.responseHeaders(response);
  }

  responseComplete(_ctx: CycleContext, _req: LLMRequest, response: ResponseInfo): void {
    this.core.responseHeaders(response);
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
