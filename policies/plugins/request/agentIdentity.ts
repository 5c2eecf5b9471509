/**
 * `agent-identity` (llm-d-router v0.10.0 RequestHeaderProcessor, Alpha; `llm-d-router.md` §4.7,
 * §3 steps 5–6): names the agent session a request belongs to. Writes the request attribute
 * `agent-identity` = the first non-empty value among the headers `additionalSessionHeaders` (in
 * order, checked first), `x-claude-code-session-id`, `x-session-affinity`, `session-id`,
 * `session_id`; nothing when all are empty. The director uses it as the fairness id when the
 * request has no fairness header; session-affinity plugins may read it as a session id.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, RequestHeaderProcessor } from '../../framework/types.js';

/** Request attribute key (ctx.cycleState). */
export const AGENT_IDENTITY = 'agent-identity';
export const BUILTIN_SESSION_HEADERS: readonly string[] = ['x-claude-code-session-id', 'x-session-affinity', 'session-id', 'session_id'];

export class AgentIdentity implements RequestHeaderProcessor {
  readonly type = 'agent-identity';
  /** Lower-cased header names in the order they are checked. */
  readonly headers: readonly string[];
  constructor(
    readonly name: string,
    additionalSessionHeaders: readonly string[],
  ) {
    this.headers = [...additionalSessionHeaders.map((h) => h.toLowerCase()), ...BUILTIN_SESSION_HEADERS];
  }

  /** The identity of a request (null: none of the headers is set). */
  identity(req: LLMRequest): string | null {
    for (const h of this.headers) {
      const v = req.headers[h];
      if (v !== undefined && v !== '') return v;
    }
    return null;
  }

  processRequestHeaders(ctx: CycleContext, req: LLMRequest): void {
    const id = this.identity(req);
    if (id !== null) ctx.cycleState.set(AGENT_IDENTITY, id);
  }
}

const params = z.strictObject({
  additionalSessionHeaders: z.array(z.string().min(1)).default([]).describe('extra session headers, checked before the built-in ones'),
});

export const agentIdentity: PluginDefinition<typeof params> = {
  type: 'agent-identity',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['RequestHeaderProcessor'],
  source: 'llm-d-router v0.10.0',
  description:
    'Request attribute agent-identity = first non-empty of additionalSessionHeaders, x-claude-code-session-id, x-session-affinity, session-id, session_id; the fairness id when no fairness header is sent.',
  params,
  create: (name, p) => new AgentIdentity(name, p.additionalSessionHeaders),
};
