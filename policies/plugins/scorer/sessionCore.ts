/**
 * Session affinity, llm-d-router v0.10.0 (`llm-d-router.md` §4.2 session-affinity-filter, §4.3
 * session-affinity-scorer): the strategy core and the hooks shared by the scorer
 * (scorer/sessionAffinity.v010.ts) and the filters (filter/sessionAffinity.ts).
 *
 * - encoded_endpoint_header: the request header (default `x-session-token`) is base64 of the endpoint
 *   id `default/<name>` (routesim's namespace is "default"); the response header carries base64 of the
 *   serving endpoint's id, or of `profileName`'s first target when set (nothing if it has none).
 * - session_id: id = first non-empty trimmed source (`{header}` lower-cased, or `{attribute}`: a
 *   string request attribute in ctx.cycleState). The binding id → endpoint is made/refreshed at
 *   PreRequest on `profileName`'s first target (default the primary): unbound → bind; same endpoint →
 *   refresh; another → rebind only if the bound endpoint was absent from this request's candidates.
 *   Bindings idle longer than evictionTtlSeconds are dropped by a sweep every evictionSweepSeconds
 *   (run lazily, at the first call on or after each sweep tick). Nothing is sent to the client.
 *
 * The response header is written at ResponseHeader (processResponseHeaders); until the director
 * calls that extension point, ResponseComplete writes the same value.
 */
import { z } from 'zod';
import { ParamError } from '../../framework/registry.js';
import type {
  CycleContext,
  LLMRequest,
  PreRequest,
  ResponseComplete,
  ResponseHeaderProcessor,
  ResponseInfo,
  SchedEndpoint,
  SchedulingResult,
} from '../../framework/types.js';
import { SESSION_NAMESPACE, decodeStdBase64, sessionToken } from './sessionAffinity.js';

export const sessionParams = z.strictObject({
  strategy: z.enum(['encoded_endpoint_header', 'session_id']).default('encoded_endpoint_header').describe('encoded_endpoint_header | session_id'),
  encodedEndpointHeaderConfig: z
    .strictObject({ header: z.string().min(1).default('x-session-token') })
    .default({ header: 'x-session-token' })
    .describe('{header = x-session-token}: the request/response header carrying base64(endpoint id)'),
  sessionIdConfig: z
    .strictObject({
      sources: z
        .array(z.strictObject({ header: z.string().min(1).optional(), attribute: z.string().min(1).optional() }))
        .min(1)
        .default([{ header: 'x-session-id' }]),
      evictionTtlSeconds: z.number().positive().default(300),
      evictionSweepSeconds: z.number().positive().default(10),
    })
    .default({ sources: [{ header: 'x-session-id' }], evictionTtlSeconds: 300, evictionSweepSeconds: 10 })
    .describe('{sources = [{header: x-session-id}] (each exactly one of header/attribute), evictionTtlSeconds = 300, evictionSweepSeconds = 10}'),
  profileName: z.string().default('').describe('profile whose pick binds / is written to the response header ("" = the serving endpoint / primary)'),
});
export type SessionParams = z.output<typeof sessionParams>;

/** Throws for a source with not exactly one of header/attribute (the production's validation). */
export function checkSessionParams(p: SessionParams): void {
  p.sessionIdConfig.sources.forEach((s, i) => {
    if ((s.header === undefined) === (s.attribute === undefined))
      throw new ParamError(`sessionIdConfig.sources[${i}]`, `sessionIdConfig.sources[${i}]: set exactly one of header or attribute`);
  });
}

interface Lookup {
  /** Session id (session_id strategy), or null. */
  readonly id: string | null;
  /** Endpoint name the request is affine to, if it is a candidate. */
  readonly target: string | null;
  /** The bound endpoint was among the candidates. */
  readonly boundPresent: boolean;
}

/** One plugin instance's session state and strategy. */
export class SessionCore {
  private readonly bindings = new Map<string, { endpoint: string; lastUs: number }>();
  private nextSweepUs: number | null = null;
  private readonly header: string;
  private readonly ttlUs: number;
  private readonly sweepUs: number;
  constructor(readonly p: SessionParams, private readonly stateKey: string) {
    this.header = p.encodedEndpointHeaderConfig.header.toLowerCase();
    this.ttlUs = Math.round(p.sessionIdConfig.evictionTtlSeconds * 1e6);
    this.sweepUs = Math.round(p.sessionIdConfig.evictionSweepSeconds * 1e6);
  }

  private sweep(nowUs: number): void {
    if (this.nextSweepUs === null) this.nextSweepUs = nowUs + this.sweepUs;
    if (nowUs < this.nextSweepUs) return;
    for (const [id, b] of this.bindings) if (nowUs - b.lastUs > this.ttlUs) this.bindings.delete(id);
    while (this.nextSweepUs <= nowUs) this.nextSweepUs += this.sweepUs;
  }

  sessionId(ctx: CycleContext, req: LLMRequest): string | null {
    for (const s of this.p.sessionIdConfig.sources) {
      const v = s.header !== undefined ? req.headers[s.header.toLowerCase()] : ctx.cycleState.get(s.attribute!);
      if (typeof v === 'string' && v.trim() !== '') return v.trim();
    }
    return null;
  }

  /** The affine candidate (if any); records the lookup for PreRequest. */
  lookup(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): Lookup {
    if (this.p.strategy === 'encoded_endpoint_header') {
      const token = req.headers[this.header];
      const decoded = token ? decodeStdBase64(token) : null;
      const hit = decoded === null ? undefined : endpoints.find((e) => `${SESSION_NAMESPACE}/${e.name}` === decoded);
      return { id: null, target: hit ? hit.name : null, boundPresent: hit !== undefined };
    }
    this.sweep(ctx.nowUs);
    const id = this.sessionId(ctx, req);
    const bound = id === null ? undefined : this.bindings.get(id);
    const present = bound !== undefined && endpoints.some((e) => e.name === bound.endpoint);
    const out: Lookup = { id, target: present ? bound.endpoint : null, boundPresent: present };
    if (id !== null) ctx.pluginState.write(req.id, this.stateKey, out);
    return out;
  }

  private pickOf(result: SchedulingResult): SchedEndpoint | undefined {
    const profile = this.p.profileName !== '' ? this.p.profileName : result.primaryProfileName;
    return result.profileResults.get(profile)?.targetEndpoints[0];
  }

  preRequest(ctx: CycleContext, req: LLMRequest, result: SchedulingResult): void {
    if (this.p.strategy !== 'session_id') return;
    const seen = ctx.pluginState.read(req.id, this.stateKey) as Lookup | undefined;
    ctx.pluginState.write(req.id, this.stateKey, undefined);
    const id = seen?.id ?? this.sessionId(ctx, req);
    const pick = this.pickOf(result);
    if (id === null || !pick) return;
    this.sweep(ctx.nowUs);
    const bound = this.bindings.get(id);
    if (!bound || bound.endpoint === pick.name || seen?.boundPresent === false) this.bindings.set(id, { endpoint: pick.name, lastUs: ctx.nowUs });
  }

  responseHeaders(response: ResponseInfo): void {
    if (this.p.strategy !== 'encoded_endpoint_header') return;
    const name = this.p.profileName !== '' ? this.pickOf(response.result)?.name : response.endpoint;
    if (name !== undefined) response.headers.set(this.header, sessionToken(name));
  }

  /** Current binding of a session id (tests). */
  binding(id: string): string | undefined {
    return this.bindings.get(id)?.endpoint;
  }
}

/** PreRequest and response-header hooks, delegated to the plugin's SessionCore. */
export abstract class SessionHooks implements PreRequest, ResponseHeaderProcessor, ResponseComplete {
  abstract readonly type: string;
  abstract readonly name: string;
  abstract readonly core: SessionCore;

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
