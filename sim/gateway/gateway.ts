/**
 * The simulated gateway: it knows only what a real EPP knows — each endpoint's metrics as last
 * scraped (refreshed every `refresh_metrics_ms`, each with the time it was taken), its own
 * in-flight counters and plugin state, and (for precise-cache policies) the engines' KV events after
 * a delay. With `refresh_metrics_ms: 0` it is an oracle that scrapes at every decision, so users can
 * measure what staleness costs.
 *
 * Two kinds of policy sit behind it: an EPP configuration run through the production request
 * lifecycle (policies/framework/director.ts: objective → rewrite → admission → candidates →
 * producers → scheduling → PreRequest … ResponseComplete), or a plain Router (baselines and named
 * policies of other routers).
 */
import type { Endpoint, EndpointMetrics, KvEvent, RouteContext, RouteRequest, Router } from '../../policies/types.js';
import type { LLMRequest, Prompt, SchedulingResult } from '../../policies/framework/types.js';
import type { EndpointPicker, PoolEndpoint } from '../../policies/framework/director.js';
import type { Rng } from '../core/rng.js';
import type { SimRequest } from '../workload/request.js';
import { syntheticPrompt } from './prompt.js';
import { blockKeys, GatewayLlmRequest, servedAdapter } from './llmRequest.js';
import { withSchedulingRecorder, type SchedulingRecorder } from '../../policies/framework/scheduler.js';
import type { DecisionLog } from '../decisions/log.js';
import type { TruthSource } from '../decisions/truth.js';

/** The gateway reads a decision's result only until its next call to the picker (EndpointPicker.handleRequest). */
const TRANSIENT = { transient: true } as const;

/** Where scrapes come from: anything that can report an endpoint's metrics at a time. */
export interface MetricsSource {
  readonly name: string;
  snapshot(now: number): EndpointMetrics;
}

export type Backend = { readonly kind: 'router'; readonly router: Router } | { readonly kind: 'epp'; readonly picker: EndpointPicker };

/** What the gateway did with a request. */
export type GatewayDecision = (
  /**
   * Send to replica `index`, serving `adapter` (after any model rewrite). `prefill` (P/D): the
   * replica the decode pod's sidecar sends the prompt to first (`x-prefiller-host-port`), or -1.
   */
  | {
      readonly kind: 'dispatch';
      readonly index: number;
      readonly adapter: string | null;
      readonly prefill: number;
      /** The picker's further endpoints, best first (maxNumOfEndpoints > 1): where retries go; absent = none. */
      readonly fallbacks?: readonly number[];
    }
  /** Answered with an HTTP error; never reaches a replica. `reason` is a fixed code (RejectCode), `detail` the live text. */
  | { readonly kind: 'drop'; readonly status: number; readonly reason: string; readonly detail: string }
  /** Waiting in the EPP's flow-control queue. */
  | { readonly kind: 'queued' }
) & {
  /** The pool's index in the run (0 with one pool). */
  readonly pool: number;
  /** The route rule that sent it there (-1 when not known: a decision on a held request). */
  readonly route: number;
};

export interface GatewayOptions {
  /** Scrape interval, µs; 0 = oracle (scrape at every decision). */
  readonly refreshUs: number;
  /** Base model name (requests without an adapter ask for it). */
  readonly model: string;
  /** Router-side bytes per token of the synthetic prompts (the EPP assumes 4). */
  readonly charsPerToken: number;
  /** Engine KV block size (for the engine block keys precise-cache policies receive). */
  readonly blockSize: number;
  /** This pool's index in the run and its first replica's index (decisions carry run indices). */
  readonly pool?: number;
  readonly offset?: number;
  /** Pod labels per endpoint (e.g. `llm-d.ai/role`); absent = none. */
  readonly labels?: readonly Readonly<Record<string, string>>[];
}

interface EndpointState {
  name: string;
  index: number;
  labels: Readonly<Record<string, string>>;
  metrics: EndpointMetrics;
  /** Requests dispatched here whose response has not completed (router-local). */
  inFlight: number;
}

/**
 * What the gateway keeps of a request between dispatch and completion: the LLMRequest its EPP
 * decided (EPP backend), or the RouteRequest a router with onComplete was shown (router backend).
 * The backend's kind tells which (no wrapper object: ≈ 10,000 of them live at once in a 1M-request
 * run, issue 15).
 */
type InFlightRequest = LLMRequest | RouteRequest;

export class Gateway {
  readonly oracle: boolean;
  private readonly poolIndex: number;
  private readonly offset: number;
  private allReachable: boolean;
  private readonly endpoints: EndpointState[];
  /** The endpoints in the picker's datastore (all of them until churn changes membership). */
  private routerView: Endpoint[];
  private pool: PoolEndpoint[];
  /** Per endpoint: in the datastore (Ready, not deleting), and answering scrapes (alive). */
  private readonly member: boolean[];
  private readonly reachable: boolean[];
  private readonly live = new Map<number, InFlightRequest>();
  /** Pending flow-control requests by LLM request id. */
  private readonly waiting = new Map<string, SimRequest>();
  /** Last `x-session-token` each session received (session-affinity). */
  private readonly sessionTokens = new Map<number, string>();
  private readonly ctx: { nowUs: number; rng: () => number };
  /** `--decisions`: the scheduling recorder installed around picker calls (null: none, no cost). */
  private recorder: SchedulingRecorder | null = null;
  /** The request being decided at arrival (for the recorder's request lookup). */
  private deciding: SimRequest | null = null;

  constructor(
    private readonly backend: Backend,
    private readonly sources: readonly MetricsSource[],
    private readonly opts: GatewayOptions,
    rng: Rng,
  ) {
    this.oracle = opts.refreshUs === 0;
    this.poolIndex = opts.pool ?? 0;
    this.offset = opts.offset ?? 0;
    this.endpoints = sources.map((s, index) => ({ name: s.name, index, labels: opts.labels?.[index] ?? {}, metrics: s.snapshot(0), inFlight: 0 }));
    // Both views alias the live state objects, so a scrape updates them without copying.
    this.routerView = this.endpoints as unknown as Endpoint[];
    this.pool = this.endpoints as unknown as PoolEndpoint[];
    this.member = this.endpoints.map(() => true);
    this.reachable = this.endpoints.map(() => true);
    this.allReachable = true;
    this.ctx = { nowUs: 0, rng };
  }

  /** Requests waiting in the EPP's flow-control queue. */
  get queued(): number {
    return this.waiting.size;
  }

  /** True when requests held in the flow-control queue expire (a TTL is configured). */
  get heldCanExpire(): boolean {
    return this.backend.kind === 'epp' && (this.backend.picker.config.flowControl?.defaultRequestTtlUs ?? 0) > 0;
  }

  /**
   * Whether a pick of this pool can be disaggregated (P/D): only an EPP whose config has two or more
   * scheduling profiles can return the second profile's target that prefillPick takes; a router or a
   * one-profile config never does. Lets the streamed summary skip the P/D decomposition of a run that
   * cannot have one (issue 15).
   */
  get mayDisaggregate(): boolean {
    return this.backend.kind === 'epp' && this.backend.picker.config.profiles.size >= 2;
  }

  /** True when the policy consumes engine KV events (precise prefix index, Dynamo). */
  get wantsKvEvents(): boolean {
    return this.backend.kind === 'epp' ? this.backend.picker.wantsKvEvents : this.backend.router.onKvEvent !== undefined;
  }

  /** Refresh every endpoint's metrics (a scrape tick). */
  scrape(now: number): void {
    if (this.allReachable) {
      for (let i = 0; i < this.sources.length; i++) this.endpoints[i]!.metrics = this.sources[i]!.snapshot(now);
      return;
    }
    // A dead pod's scrape fails: its last metrics stay, ageing (stale metrics count as saturated, epp.md §2.9).
    for (let i = 0; i < this.sources.length; i++) if (this.reachable[i]) this.endpoints[i]!.metrics = this.sources[i]!.snapshot(now);
  }

  /**
   * Pod membership (gateway.md §6.1): the picker's datastore holds a pod iff it is Ready and not
   * being deleted. Changing it rebuilds the candidate list (rare: churn and scaling events).
   */
  setMember(runIndex: number, member: boolean): void {
    const i = runIndex - this.offset;
    if (this.member[i] === member) return;
    this.member[i] = member;
    const members = this.endpoints.filter((_, k) => this.member[k]);
    this.pool = members as unknown as PoolEndpoint[];
    this.routerView = members as unknown as Endpoint[];
  }

  /** Whether the pod answers (scrapes succeed, connections open); a crashed pod does not. */
  setReachable(runIndex: number, reachable: boolean): void {
    this.reachable[runIndex - this.offset] = reachable;
    this.allReachable = this.reachable.every((x) => x);
  }

  /** Endpoints in the datastore. */
  get memberCount(): number {
    return this.pool.length;
  }

  /** The metrics the router last scraped for endpoint `i` (what a policy currently sees). */
  observedMetrics(i: number): EndpointMetrics {
    return this.endpoints[i]!.metrics;
  }

  /**
   * Records this pool's EPP decisions into `log` (sim/decisions/); `sources` are the pool's replicas
   * (true state). Router backends make no scheduling cycles: nothing is recorded for them.
   */
  recordDecisions(log: DecisionLog, sources: readonly TruthSource[]): void {
    this.recorder = log.recorderFor({
      pool: this.poolIndex,
      sources,
      requestOf: (id) => (this.deciding !== null && String(this.deciding.id) === id ? this.deciding : this.waiting.get(id)),
    });
  }

  /** A request reaches the gateway. */
  arrive(req: SimRequest, now: number, route = 0): GatewayDecision {
    if (this.oracle) this.scrape(now);
    this.ctx.nowUs = now;
    if (this.backend.kind === 'router') return this.routeWithRouter(this.backend.router, req, now, route);
    const llm = this.toLlmRequest(req);
    const picker = this.backend.picker;
    let d;
    // The decision's result is read only in afterEpp, below.
    if (this.recorder === null) d = picker.handleRequest(llm, this.pool, now, TRANSIENT);
    else {
      this.deciding = req;
      d = withSchedulingRecorder(this.recorder, () => picker.handleRequest(llm, this.pool, now));
      this.deciding = null;
    }
    if (d.kind === 'queued') {
      this.waiting.set(llm.id, req);
      return { kind: 'queued', pool: this.poolIndex, route };
    }
    return this.afterEpp(req, llm, d, route);
  }

  /**
   * Flow control: release whatever may dispatch now (late binding: candidates and metrics are read
   * at dispatch time). Returns the released requests with their decisions.
   */
  dispatchQueued(now: number): { req: SimRequest; decision: GatewayDecision }[] {
    if (this.backend.kind !== 'epp' || this.waiting.size === 0) return [];
    if (this.oracle) this.scrape(now);
    const out: { req: SimRequest; decision: GatewayDecision }[] = [];
    const picker = this.backend.picker;
    const released = this.recorder === null ? picker.dispatchQueued(this.pool, now) : withSchedulingRecorder(this.recorder, () => picker.dispatchQueued(this.pool, now));
    for (const d of released) {
      const req = this.waiting.get(d.requestId)!;
      this.waiting.delete(d.requestId);
      out.push({ req, decision: this.afterEpp(req, d.request, d, -1) });
    }
    return out;
  }

  /** Flow control: requests whose queue TTL expired (HTTP 503). */
  expireQueued(now: number): { req: SimRequest; decision: GatewayDecision }[] {
    if (this.backend.kind !== 'epp' || this.waiting.size === 0) return [];
    const out: { req: SimRequest; decision: GatewayDecision }[] = [];
    for (const e of this.backend.picker.expireQueued(now)) {
      const req = this.waiting.get(e.requestId)!;
      this.waiting.delete(e.requestId);
      out.push({ req, decision: { kind: 'drop', status: e.status, reason: e.code, detail: e.reason, pool: this.poolIndex, route: -1 } });
    }
    return out;
  }

  /** The picker runs plugins at the response headers (v0.10 only): the simulation reports first tokens. */
  get wantsFirstToken(): boolean {
    return this.backend.kind === 'epp' && this.backend.picker.wantsResponseHeaders;
  }

  /** The first token of `req` reached the client from `runIndex` (P/D: the decode pod): the response headers. */
  firstToken(req: SimRequest, runIndex: number, now: number): void {
    if (this.backend.kind !== 'epp') return;
    const st = this.live.get(req.id) as LLMRequest | undefined;
    if (!st) return;
    const ep = this.endpoints[runIndex - this.offset]!;
    const headers = this.backend.picker.responseHeaders(st.id, ep.name, now);
    const token = headers.get('x-session-token');
    if (token !== undefined && req.session >= 0) this.sessionTokens.set(req.session, token);
  }

  /** The response for `req` (at endpoint `index`) completed (`served`: fully streamed, usage known), or was refused. */
  complete(req: SimRequest, runIndex: number, now: number, served = false): void {
    const index = runIndex - this.offset;
    const ep = this.endpoints[index]!;
    ep.inFlight--;
    this.ctx.nowUs = now;
    const st = this.live.get(req.id);
    this.live.delete(req.id);
    if (!st) return;
    if (this.backend.kind === 'router') {
      this.backend.router.onComplete?.(st as RouteRequest, index, this.ctx);
    } else {
      const usage = served ? { promptTokens: req.inputTokens, completionTokens: req.outputTokens } : undefined;
      const headers = this.backend.picker.responseComplete((st as LLMRequest).id, ep.name, now, usage);
      const token = headers.get('x-session-token');
      if (token !== undefined && req.session >= 0) this.sessionTokens.set(req.session, token);
    }
  }

  /** An engine KV event reaches the router (already delayed by the caller). */
  kvEvent(now: number, event: KvEvent): void {
    this.ctx.nowUs = now;
    if (this.backend.kind === 'router') this.backend.router.onKvEvent?.(event, this.ctx);
    else this.backend.picker.kvEvent(now, this.endpoints[event.index]!.name, event);
  }

  private routeWithRouter(router: Router, req: SimRequest, now: number, routeRule: number): GatewayDecision {
    const route: RouteRequest = {
      id: req.id,
      model: this.opts.model,
      adapter: req.adapter,
      priority: req.priority,
      inputTokens: req.inputTokens,
      prompt: this.promptOf(req),
      tokenBlockKeys: this.blockKeysOf(req, req.adapter),
    };
    const ctx: RouteContext = this.ctx;
    if (this.routerView.length === 0) return { kind: 'drop', status: 503, reason: 'no-candidates', detail: 'no endpoint in the pool is Ready', pool: this.poolIndex, route: routeRule };
    const pos = router.pick(route, this.routerView, ctx);
    if (!Number.isInteger(pos) || pos < 0 || pos >= this.routerView.length) {
      throw new Error(`policy ${router.type} picked endpoint ${pos} of ${this.routerView.length} at ${now} µs`);
    }
    const i = (this.routerView[pos] as unknown as EndpointState).index;
    this.endpoints[i]!.inFlight++;
    router.onDispatch?.(route, i, ctx);
    if (router.onComplete) this.live.set(req.id, route);
    return { kind: 'dispatch', index: i + this.offset, adapter: req.adapter, prefill: -1, pool: this.poolIndex, route: routeRule };
  }

  private afterEpp(req: SimRequest, llm: LLMRequest, d: { kind: 'dispatch'; index: number; result: SchedulingResult } | { kind: 'reject'; status: number; code: string; reason: string }, route: number): GatewayDecision {
    if (d.kind === 'reject') return { kind: 'drop', status: d.status, reason: d.code, detail: d.reason, pool: this.poolIndex, route };
    this.endpoints[d.index]!.inFlight++;
    this.live.set(req.id, llm);
    // A prefill pick on the decode pod itself (a pod in both roles) is no disaggregation: run it there.
    const pick = prefillPick(d.result);
    const prefill = pick === d.index ? -1 : pick;
    if (prefill >= 0) this.endpoints[prefill]!.inFlight++;
    const off = this.offset;
    const targets = d.result.profileResults.get(d.result.primaryProfileName)?.targetEndpoints;
    const fallbacks = targets !== undefined && targets.length > 1 ? { fallbacks: targets.slice(1).map((e) => e.index + off) } : {};
    return { kind: 'dispatch', index: d.index + off, adapter: this.adapterOf(llm), prefill: prefill >= 0 ? prefill + off : -1, pool: this.poolIndex, route, ...fallbacks };
  }

  /** The prefill leg sent to endpoint `index` (P/D) has returned to the decode pod's sidecar. */
  prefillReturned(runIndex: number): void {
    this.endpoints[runIndex - this.offset]!.inFlight--;
  }

  /** The adapter an EPP request is served with: its target model after any rewrite (null = base model). */
  private adapterOf(llm: LLMRequest): string | null {
    return servedAdapter(llm, this.opts.model);
  }

  private toLlmRequest(req: SimRequest): LLMRequest {
    const headers: Record<string, string> = req.headers !== undefined ? { ...req.headers } : {};
    if (req.session >= 0) {
      const token = this.sessionTokens.get(req.session);
      if (token !== undefined) headers['x-session-token'] = token;
    }
    return new GatewayLlmRequest(req, headers, this.promptOf(req), this.opts.model, this.opts.blockSize);
  }

  private promptOf(req: SimRequest): Prompt {
    return syntheticPrompt(req, this.opts.charsPerToken);
  }

  /** The engine's block keys of the prompt's full blocks, as a real tokenizer + vLLM hash would give. */
  private blockKeysOf(req: SimRequest, adapter: string | null): () => readonly number[] {
    let keys: number[] | null = null;
    return () => (keys ??= blockKeys(req, adapter, this.opts.blockSize));
  }
}

/**
 * The prefill endpoint of a P/D scheduling result (gateway.md §4.1): the first target of a profile
 * other than the primary (decode) one and other than `encode`; -1 when the decider kept it aggregated.
 */
function prefillPick(result: SchedulingResult): number {
  if (result.profileResults.size < 2) return -1;
  for (const [name, r] of result.profileResults) {
    if (name === result.primaryProfileName || name === 'encode' || r === null) continue;
    const t = r.targetEndpoints[0];
    if (t !== undefined) return t.index;
  }
  return -1;
}
