/**
 * llm-d-router v0.10.0 `session-id-producer` (`llm-d-router.md` §4.6): writes the request attribute
 * `SessionIDDataKey/<name>` (ctx.cycleState) = the trimmed value of header `headerName`
 * (lower-cased), or the value of cookie `cookieName` in the `cookie` header (`k=v; …`, exact key
 * match). Empty → nothing written. Exactly one of the two parameters; the factory rejects empty
 * parameters, so it cannot be auto-created (reference §7.9).
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import { SESSION_ID_TYPE, dataKey } from '../../framework/dataKeys.js';
import type { CycleContext, LLMRequest, PrepareData, SchedEndpoint } from '../../framework/types.js';

const params = z.strictObject({
  headerName: z.string().optional().describe('request header carrying the session id (lower-cased)'),
  cookieName: z.string().optional().describe('cookie carrying the session id'),
});

/** The value of cookie `name` in a `cookie` header ("" when absent). */
export function cookieValue(header: string, name: string): string {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return '';
}

export class SessionIdProducer implements PrepareData {
  readonly type = 'session-id-producer';
  readonly key: string;
  readonly produces: readonly string[];
  readonly consumes = [] as const;
  constructor(
    readonly name: string,
    readonly headerName: string | null,
    readonly cookieName: string | null,
  ) {
    this.key = dataKey(SESSION_ID_TYPE, name);
    this.produces = [this.key];
  }

  sessionId(req: LLMRequest): string {
    if (this.headerName !== null) return (req.headers[this.headerName] ?? '').trim();
    return cookieValue(req.headers['cookie'] ?? '', this.cookieName!);
  }

  prepareRequestData(ctx: CycleContext, req: LLMRequest, _endpoints: readonly SchedEndpoint[]): void {
    const id = this.sessionId(req);
    if (id !== '') ctx.cycleState.set(this.key, id);
  }
}

export const sessionIdProducer: PluginDefinition<typeof params> = {
  type: 'session-id-producer',
  dialects: ['llm-d-v0.10'],
  kinds: ['PrepareData'],
  source: 'llm-d-router v0.10.0',
  description: 'Writes the request attribute SessionIDDataKey = the trimmed value of header `headerName`, or of cookie `cookieName`; exactly one of the two.',
  params,
  create(name, p) {
    const h = p.headerName !== undefined && p.headerName !== '';
    const c = p.cookieName !== undefined && p.cookieName !== '';
    if (h === c) throw new ParamError('headerName', 'session-id-producer needs exactly one of headerName or cookieName');
    return new SessionIdProducer(name, h ? p.headerName!.toLowerCase() : null, c ? p.cookieName! : null);
  },
};
