/**
 * `session-affinity-scorer` (llm-d v0.7.0 `pkg/plugins/scorer/session_affinity.go`, `epp.md`
 * §2.12): the request header `x-session-token` carries base64("namespace/name") of the endpoint
 * that served the session's previous request; that endpoint scores 1.0, every other 0.0 (also when
 * the header is absent or not valid standard base64). ResponseComplete writes the serving endpoint's
 * token into the response headers, for the client to send back. In routesim the namespace is
 * "default" and the name is the endpoint name.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, ResponseComplete, ResponseInfo, SchedEndpoint, Scorer } from '../../framework/types.js';

export const SESSION_TOKEN_HEADER = 'x-session-token';
export const SESSION_NAMESPACE = 'default';

/** The token the scorer writes for an endpoint: base64("default/<name>"). */
export const sessionToken = (endpoint: string): string => Buffer.from(`${SESSION_NAMESPACE}/${endpoint}`, 'utf8').toString('base64');

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Go base64.StdEncoding.DecodeString (padded, strict alphabet); null on error. */
export function decodeStdBase64(s: string): string | null {
  if (!STD_BASE64.test(s)) return null;
  return Buffer.from(s, 'base64').toString('utf8');
}

export class SessionAffinityScorer implements Scorer, ResponseComplete {
  readonly type = 'session-affinity-scorer';
  readonly category = 'Affinity' as const;
  constructor(readonly name: string) {}

  score(_ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const token = req.headers[SESSION_TOKEN_HEADER];
    const target = token ? decodeStdBase64(token) : null;
    const out = new Map<string, number>();
    for (const e of endpoints) out.set(e.name, target !== null && target === `${SESSION_NAMESPACE}/${e.name}` ? 1.0 : 0.0);
    return out;
  }

  responseComplete(_ctx: CycleContext, _req: LLMRequest, response: ResponseInfo): void {
    response.headers.set(SESSION_TOKEN_HEADER, sessionToken(response.endpoint));
  }
}

export const sessionAffinityScorer: PluginDefinition = {
  type: 'session-affinity-scorer',
  dialects: ['gaie-v1.5'],
  kinds: ['Scorer', 'ResponseComplete'],
  source: 'llm-d v0.7.0',
  description:
    'Header x-session-token = base64("namespace/name") of the previous endpoint: that endpoint scores 1.0, others 0.0. Writes the header into each response. In routesim the namespace is "default" and the name is the endpoint name.',
  params: z.strictObject({}),
  create: (name) => new SessionAffinityScorer(name),
};
