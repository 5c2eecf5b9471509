/**
 * The request lifecycle of the production EPP (GAIE v1.5.0 `requestcontrol/director.go`
 * `HandleRequest`, `epp.md` §1.1), driven by a loaded EndpointPickerConfig:
 *
 *  objective → priority, model rewrite → admission (legacy shedding, or flow-control enqueue) →
 *  candidates (pool or the `x-gateway-destination-endpoint-subset` header) → per-request snapshot →
 *  PrepareData producers → Admission plugins → Scheduler.Schedule → PreRequest plugins → dispatch;
 *  ResponseHeaderProcessor plugins once when the response headers come back (v0.10 configs; routesim:
 *  the request's first streamed token) and ResponseComplete plugins when the response finishes.
 *
 * HTTP outcomes: 429 (sheddable request while saturated; scheduling failed; flow-control capacity),
 * 503 (no candidate endpoints; queue TTL expired), 500 (an Admission plugin denied).
 *
 * llm-d-router v0.10.0 configs (`dialect: 'llm-d-v0.10'`, `llm-d-router.md` §3) take handleV010:
 * parser chosen by path (none → 400), `x-llm-d-*` headers (GAIE aliases), request-header processors,
 * fairness id, screeners after the snapshot (intersection; empty → 503), producers stop at the
 * first error, typed scheduling/PreRequest errors keep their code (eppError.ts), and flow-control
 * outcomes follow §3.1 (capacity 429 `rejected-saturated` / 503 `rejected-no-endpoints`, TTL 429
 * `rejected-ttl-expired` / 503) with the drop reason on the decision.
 *
 * Synchronous and allocation-light: the simulated gateway calls it for every request; the pick
 * harness (policies/harness/) calls it with `trace` to explain decisions.
 */
import type { ResolvedConfig } from '../config/loader.js';
import type { FlowController } from '../flowcontrol/types.js';
import { createFlowController } from '../flowcontrol/controller.js';
import type { KvEvent } from '../types.js';
import { EppError, type EppStatus } from './eppError.js';
import {
  capacityOutcome,
  chooseParser,
  fairnessIdV010,
  failureOf,
  headerV010,
  HEADER_OBJECTIVE_V010,
  runHeaderProcessors,
  screen,
  ttlOutcome,
} from './lifecycleV010.js';
import { TtlPluginState } from './pluginState.js';
import { SpareCandidates } from './candidate.js';
import { clone, fmt, keepsNoCandidates, promptBytes, subsetCandidates } from './directorUtil.js';
import { schedule, schedulingRecorderInstalled } from './scheduler.js';
import {
  SchedulingError,
  type CycleContext,
  type PluginState,
  type LLMRequest,
  type ResponseInfo,
  type SchedEndpoint,
  type SchedulingResult,
} from './types.js';

export * from './decisions.js';
import type { Decision, DecisionTrace, DispatchDecision, EndpointPickerOptions, ExpiredRequest, ModelRewriteRule, PoolEndpoint, RejectCode, RejectDecision } from './decisions.js';

export const HEADER_OBJECTIVE = 'x-gateway-inference-objective';
export const HEADER_SUBSET = 'x-gateway-destination-endpoint-subset';
export const HEADER_FAIRNESS_ID = 'x-gateway-inference-fairness-id';

/**
 * What responseHeaders and responseComplete return when no plugin ran (GAIE default configs have no
 * ResponseComplete plugin): one shared empty map instead of a new one per request (≈ 200 B each,
 * issue 15). Callers only read what these return.
 */
const NO_HEADERS: ReadonlyMap<string, string> = new Map();

export { PLUGIN_STATE_TTL_US, TtlPluginState } from './pluginState.js';
export { promptBytes } from './directorUtil.js';

interface LiveRequest {
  readonly request: LLMRequest;
  readonly result: SchedulingResult;
  /** The response headers came back (ResponseHeaderProcessor plugins ran). */
  headersSeen: boolean;
}

/**
 * The live entry of every dispatched request when no plugin runs after dispatch (no ResponseComplete
 * or ResponseHeaderProcessor plugin, as in GAIE's default config): nothing reads its request or
 * result, so neither is kept until the response ends (issue 15: ≈ 250 B a request less that lives as
 * long as the request). Never written (responseHeaders writes headersSeen only with such plugins).
 */
const UNREAD: LiveRequest = Object.freeze({ request: null as unknown as LLMRequest, result: null as unknown as SchedulingResult, headersSeen: false });

export type ResponseUsage = NonNullable<ResponseInfo['usage']>; // token usage of a finished response

interface Queued {
  readonly trace: boolean;
  /** v0.10: the request attribute store filled before admission (request-header processors). */
  readonly state?: Map<string, unknown>;
}

export class EndpointPicker {
  readonly config: ResolvedConfig;
  private readonly rng: () => number;
  private readonly objectives: ReadonlyMap<string, number>;
  private readonly rewrites: ReadonlyMap<string, ModelRewriteRule>;
  readonly pluginState = new TtlPluginState();
  private readonly flow: FlowController | null;
  private readonly queued = new Map<string, Queued>();
  /** Dispatched requests whose response has not completed (for ResponseComplete plugins). */
  private readonly live = new Map<string, LiveRequest>();
  /** llm-d-router v0.10.0 lifecycle (`llm-d-router.md` §3) for llm-d.ai/v1alpha1 configs. */
  private readonly v010: boolean;
  /** Pool size at the last call (v0.10 flow-control outcomes depend on an empty pool). */
  private poolSize = 0;
  /** Candidates are renewed between requests (GAIE, no flow control, Plugin.keepsNoCandidates; candidate.ts). */
  private readonly reuse: boolean;
  /** Some plugin reads a dispatched request's result after dispatch (ResponseComplete, ResponseHeaderProcessor). */
  private readonly readsResults: boolean;
  private readonly spare = new SpareCandidates();

  constructor(config: ResolvedConfig, opts: EndpointPickerOptions) {
    this.config = config;
    this.rng = opts.rng;
    this.objectives = opts.objectives ?? new Map();
    const rw = new Map<string, ModelRewriteRule>();
    for (const r of opts.modelRewrites ?? []) if (!rw.has(r.model) && r.targets.length > 0) rw.set(r.model, r);
    this.rewrites = rw;
    this.flow = config.flowControl ? createFlowController(config.flowControl, config.plugins) : null;
    this.v010 = config.dialect === 'llm-d-v0.10';
    this.reuse = !this.v010 && this.flow === null && keepsNoCandidates(config);
    this.readsResults = config.responseComplete.length > 0 || (config.responseHeaderProcessors?.length ?? 0) > 0;
  }

  /** True when some plugin consumes engine KV events (precise prefix index). */
  get wantsKvEvents(): boolean {
    return this.config.kvEventListeners.length > 0;
  }

  /** True when the `flowControl` feature gate is on (requests may be queued). */
  get flowControlEnabled(): boolean {
    return this.flow !== null;
  }

  /** Requests waiting in the flow-control queue. */
  get queuedCount(): number {
    return this.flow?.queued ?? 0;
  }

  /** Some plugin runs at the response headers (v0.10 ResponseHeaderProcessor; GAIE configs: none): report first tokens. */
  get wantsResponseHeaders(): boolean {
    return (this.config.responseHeaderProcessors?.length ?? 0) > 0;
  }

  /** Dispatched requests whose response has not completed. */
  get inFlightCount(): number {
    return this.live.size;
  }

  /**
   * A request arrives (`epp.md` §1.1). `req.priority` is set from the objective header when the
   * header is present (unknown objective → 0); without the header the caller's value stands.
   *
   * `transient`: the caller reads a dispatch decision's `result` only before its next call to this
   * picker (the simulated gateway). When no plugin reads results after dispatch either, the result's
   * targets are then renewed for the next request like every other candidate, instead of being left
   * to the result and replaced by new objects (issue 15: one object a request fewer).
   */
  handleRequest(req: LLMRequest, pool: readonly PoolEndpoint[], nowUs: number, opts?: { trace?: boolean; transient?: boolean }): Decision {
    this.pluginState.advance(nowUs);
    const trace: DecisionTrace | undefined = opts?.trace ? { profiles: [] } : undefined;
    this.poolSize = pool.length;
    if (this.v010) return this.handleV010(req, pool, nowUs, trace);

    // 1–3: objective → priority; model rewrite.
    const objective = req.headers[HEADER_OBJECTIVE];
    if (objective !== undefined) req.priority = this.objectives.get(objective) ?? 0;
    const rule = this.rewrites.get(req.model);
    if (rule) req.targetModel = this.pickRewrite(rule);

    // 4: admission control.
    if (this.flow) {
      const bytes = req.requestSizeBytes ?? promptBytes(req.prompt);
      const out = this.flow.enqueue(req, bytes, nowUs);
      if (out.kind === 'rejected') return { kind: 'reject', status: out.status, code: 'flow-control-capacity', reason: out.reason, requestId: req.id, request: req, trace };
      this.queued.set(req.id, { trace: trace !== undefined });
      return { kind: 'queued', requestId: req.id, request: req, trace };
    }
    const candidates = this.candidates(req, pool, trace === undefined);
    if (req.priority < 0 || trace) {
      const ctx = this.context(nowUs);
      const sat = this.config.saturationDetector.saturation(ctx, candidates);
      if (trace) trace.saturation = sat;
      if (req.priority < 0 && sat >= 1.0) {
        return { kind: 'reject', status: 429, code: 'shed-saturated', reason: `sheddable request (priority ${req.priority}) rejected: pool saturated (${fmt(sat)} ≥ 1.0)`, requestId: req.id, request: req, trace };
      }
    }
    return this.schedule(req, candidates, nowUs, trace, undefined, opts?.transient === true);
  }

  /**
   * Flow control: releases queued requests while the controller lets them go (saturation of the
   * whole pool against each band's ceiling) and schedules each against the current pool and
   * metrics (late binding, §2.10).
   */
  dispatchQueued(pool: readonly PoolEndpoint[], nowUs: number, opts?: { trace?: boolean }): (DispatchDecision | RejectDecision)[] {
    const flow = this.flow;
    if (!flow || flow.queued === 0) return [];
    this.pluginState.advance(nowUs);
    const out: (DispatchDecision | RejectDecision)[] = [];
    this.poolSize = pool.length;
    const whole = pool.map(clone);
    const ctx = this.context(nowUs);
    for (;;) {
      const sat = this.config.saturationDetector.saturation(ctx, whole);
      const req = flow.dispatchOne(sat, nowUs);
      if (!req) break;
      const q = this.queued.get(req.id);
      this.queued.delete(req.id);
      const trace: DecisionTrace | undefined = q?.trace || opts?.trace ? { profiles: [], saturation: sat } : undefined;
      const d = this.schedule(req, this.candidates(req, pool), nowUs, trace, q?.state);
      out.push(d);
      // A dispatch changes nothing the detector sees until the next scrape; keep releasing while it allows.
    }
    return out;
  }

  /** Flow control: queued requests whose TTL has passed (HTTP 503). */
  expireQueued(nowUs: number): ExpiredRequest[] {
    if (!this.flow || this.flow.queued === 0) return [];
    return this.flow.expire(nowUs).map((request) => {
      this.queued.delete(request.id);
      if (!this.v010) return { requestId: request.id, request, status: 503 as const, code: 'flow-control-ttl' as const, reason: 'request timed out in queue' };
      const o = ttlOutcome(this.poolSize);
      return { requestId: request.id, request, status: o.status, code: 'flow-control-ttl' as const, reason: 'request timed out in queue', dropReason: o.dropReason };
    });
  }

  /**
   * Response headers came back from `endpointName` (routesim: the first token; P/D: decode pod): runs
   * ResponseHeaderProcessor plugins once per request, never after end of stream (`llm-d-router.md` §3
   * step 17). Returns the response headers plugins set.
   */
  responseHeaders(requestId: string, endpointName: string, nowUs: number): ReadonlyMap<string, string> {
    const rh = this.config.responseHeaderProcessors;
    const live = this.live.get(requestId);
    if (!live || live.headersSeen || rh === undefined || rh.length === 0) return NO_HEADERS;
    live.headersSeen = true;
    const headers = new Map<string, string>();
    this.pluginState.advance(nowUs);
    const ctx = this.context(nowUs);
    const info: ResponseInfo = { endpoint: endpointName, result: live.result, headers };
    for (const p of rh) p.processResponseHeaders(ctx, live.request, info);
    return headers;
  }

  /**
   * End of stream: runs ResponseComplete plugins (with the token `usage` of a served response) and
   * frees the request's plugin state. Returns the response headers plugins set.
   */
  responseComplete(requestId: string, endpointName: string, nowUs: number, usage?: ResponseUsage): ReadonlyMap<string, string> {
    const live = this.live.get(requestId);
    if (!live) return NO_HEADERS;
    this.live.delete(requestId);
    this.pluginState.advance(nowUs);
    const rc = this.config.responseComplete;
    let out: ReadonlyMap<string, string> = NO_HEADERS;
    if (rc.length > 0) {
      const headers = new Map<string, string>();
      const ctx = this.context(nowUs);
      const info: ResponseInfo = usage === undefined ? { endpoint: endpointName, result: live.result, headers } : { endpoint: endpointName, result: live.result, headers, usage };
      for (const p of rc) p.responseComplete(ctx, live.request, info);
      out = headers;
    }
    this.pluginState.delete(requestId);
    return out;
  }

  /** An engine KV event from endpoint `endpointName` (already delayed by the caller). */
  kvEvent(nowUs: number, endpointName: string, event: KvEvent): void {
    for (const l of this.config.kvEventListeners) l.kvEvent(nowUs, endpointName, event);
  }

  // -------------------------------------------------------------------------------------------

  /** Steps 5–11 for an admitted request. */
  private schedule(req: LLMRequest, snapshot: SchedEndpoint[], nowUs: number, trace: DecisionTrace | undefined, state?: Map<string, unknown>, transient = false): DispatchDecision | RejectDecision {
    if (snapshot.length === 0) {
      const why = req.headers[HEADER_SUBSET] !== undefined ? 'no endpoint of the requested subset is available' : 'no endpoints available in the pool';
      return { kind: 'reject', status: 503, code: 'no-candidates', reason: why, requestId: req.id, request: req, trace };
    }
    const cfg = this.config;
    const ctx = this.context(nowUs, state);
    let candidates = snapshot;
    if (this.v010 && (cfg.screeners?.length ?? 0) > 0) {
      // v0.10 step 9: screeners see the full snapshot; their results are intersected.
      candidates = screen(cfg.screeners!, ctx, req, snapshot);
      if (candidates.length === 0) return { kind: 'reject', status: 503, code: 'screened-out', reason: `no endpoint passed the screeners (${cfg.screeners!.map((s) => s.name).join(', ')})`, requestId: req.id, request: req, trace };
    }
    for (const p of cfg.prepareData) {
      try {
        p.prepareRequestData(ctx, req, candidates);
      } catch {
        // errors (and the timeout) are logged; GAIE v1.5.0 in routesim goes on with the next producer,
        // v0.10.0 stops the remaining producers (§3 step 10); the request continues either way.
        if (this.v010) break;
      }
    }
    for (const a of cfg.admission) {
      const denied = a.admitRequest(ctx, req, candidates);
      if (denied !== null) return { kind: 'reject', status: 500, code: 'admission-rejected', reason: `admission plugin ${a.name} denied the request: ${denied}`, requestId: req.id, request: req, trace };
    }
    let result: SchedulingResult;
    try {
      result = schedule(cfg.handler, cfg.profiles, ctx, req, candidates, trace);
    } catch (err) {
      if (this.v010 && err instanceof EppError) return { kind: 'reject', status: err.status, code: 'no-endpoint', reason: `failed to find target endpoint: ${err.message}`, dropReason: err.dropReason, requestId: req.id, request: req, trace };
      if (!(err instanceof SchedulingError)) throw err;
      return { kind: 'reject', status: 429, code: 'no-endpoint', reason: `failed to find target endpoint: ${err.message}`, requestId: req.id, request: req, trace };
    }
    // The targets stay with the result unless nobody reads it past this call (see handleRequest).
    if (snapshot === this.spare.list && (this.readsResults || !transient)) this.spare.keepTargets(result);
    const primary = result.profileResults.get(result.primaryProfileName);
    const first = primary?.targetEndpoints[0];
    if (!primary || !first) {
      return { kind: 'reject', status: 429, code: 'no-endpoint', reason: `failed to find target endpoint: profile ${result.primaryProfileName} has no result`, requestId: req.id, request: req, trace };
    }
    if (this.v010) {
      const failed = this.preRequestV010(ctx, req, result, first.name);
      if (failed) return { kind: 'reject', ...failed, code: 'pre-request-error', requestId: req.id, request: req, trace };
    } else for (const p of cfg.preRequest) p.preRequest(ctx, req, result);
    this.live.set(req.id, this.readsResults ? { request: req, result, headersSeen: false } : UNREAD);
    const fallbacks: string[] = [];
    for (let i = 1; i < primary.targetEndpoints.length; i++) fallbacks.push(primary.targetEndpoints[i]!.name);
    return { kind: 'dispatch', target: first.name, index: first.index, fallbacks, result, requestId: req.id, request: req, trace };
  }

  /** Step 5–6: the candidate endpoints, each cloned with a fresh attribute map (or renewed, see `reuse`). */
  private candidates(req: LLMRequest, pool: readonly PoolEndpoint[], renew = false): SchedEndpoint[] {
    const subset = req.headers[HEADER_SUBSET];
    if (subset === undefined) return renew && this.reuse && !schedulingRecorderInstalled() ? this.spare.renew(pool) : pool.map(clone);
    return subsetCandidates(subset, pool);
  }

  private context(nowUs: number, cycleState?: Map<string, unknown>): CycleContext {
    return new Cycle(nowUs, this.rng, this.pluginState, cycleState);
  }

  /**
   * llm-d-router v0.10.0 steps 1–7 (`llm-d-router.md` §3): parser by path (400), model rewrite,
   * objective (x-llm-d-inference-objective, GAIE alias), request-header processors, fairness id,
   * admission (gate off: legacy shedding, 429 without drop reason; gate on: enqueue, §3.1).
   */
  private handleV010(req: LLMRequest, pool: readonly PoolEndpoint[], nowUs: number, trace: DecisionTrace | undefined): Decision {
    const cfg = this.config;
    const reject = (status: EppStatus, code: RejectCode, reason: string, dropReason?: string): RejectDecision =>
      dropReason === undefined ? { kind: 'reject', status, code, reason, requestId: req.id, request: req, trace } : { kind: 'reject', status, code, reason, dropReason, requestId: req.id, request: req, trace };
    const choice = chooseParser(cfg.parsers ?? [], req);
    if ('reason' in choice) return reject(400, 'bad-request', choice.reason);
    const rule = this.rewrites.get(req.model);
    if (rule) req.targetModel = this.pickRewrite(rule);
    const objective = headerV010(req.headers, HEADER_OBJECTIVE_V010, HEADER_OBJECTIVE);
    if (objective !== undefined) req.priority = this.objectives.get(objective) ?? 0;
    const ctx = this.context(nowUs);
    const failed = runHeaderProcessors(cfg.requestHeaderProcessors ?? [], ctx, req);
    if (failed) return reject(failed.status, 'request-header-error', failed.reason, failed.dropReason);
    const fairnessId = fairnessIdV010(req, ctx);
    if (fairnessId !== req.fairnessId) (req as { fairnessId: string }).fairnessId = fairnessId;
    if (this.flow) {
      const out = this.flow.enqueue(req, req.requestSizeBytes ?? promptBytes(req.prompt), nowUs);
      if (out.kind === 'rejected') {
        const o = capacityOutcome(pool.length);
        return reject(o.status, 'flow-control-capacity', out.reason, o.dropReason);
      }
      this.queued.set(req.id, { trace: trace !== undefined, state: ctx.cycleState });
      return { kind: 'queued', requestId: req.id, request: req, trace };
    }
    const candidates = this.candidates(req, pool);
    if (req.priority < 0 || trace) {
      const sat = cfg.saturationDetector.saturation(ctx, candidates);
      if (trace) trace.saturation = sat;
      if (req.priority < 0 && sat >= 1.0) return reject(429, 'shed-saturated', `sheddable request (priority ${req.priority}) rejected: pool saturated (${fmt(sat)} ≥ 1.0)`);
    }
    return this.schedule(req, candidates, nowUs, trace, ctx.cycleState);
  }

  /**
   * v0.10 step 15: every PreRequest plugin runs; errors are joined; a single typed error keeps its
   * code, else 500. On failure the end-of-stream hooks run at once (the production's cleanup of a
   * stream that ends after a pick).
   */
  private preRequestV010(ctx: CycleContext, req: LLMRequest, result: SchedulingResult, target: string): { status: EppStatus; reason: string; dropReason?: string } | null {
    const errors: unknown[] = [];
    for (const p of this.config.preRequest) {
      try {
        p.preRequest(ctx, req, result);
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 0) return null;
    const joined = errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ');
    const one = errors.length === 1 ? failureOf(errors[0], 500, 'PreRequest failed') : { status: 500 as const, reason: `PreRequest failed: ${joined}` };
    const info: ResponseInfo = { endpoint: target, result, headers: new Map() };
    for (const p of this.config.responseComplete) p.responseComplete(ctx, req, info);
    this.pluginState.delete(req.id);
    return one.dropReason === undefined ? { status: one.status, reason: one.reason } : one;
  }

  /** Weighted random target by integer weight; all-zero weights → uniform. */
  private pickRewrite(rule: ModelRewriteRule): string {
    const t = rule.targets;
    let total = 0;
    for (const x of t) total += Math.max(0, Math.floor(x.weight));
    if (total <= 0) return t[Math.floor(this.rng() * t.length)]!.model;
    let r = Math.floor(this.rng() * total);
    for (const x of t) {
      const w = Math.max(0, Math.floor(x.weight));
      if (r < w) return x.model;
      r -= w;
    }
    return t[t.length - 1]!.model;
  }
}

/**
 * A scheduling cycle's context. Its CycleState is made when a plugin first reads it: most cycles
 * never do, and an empty Map per context was ≈ 200 B a request, twice (issue 15).
 */
class Cycle implements CycleContext {
  #cycleState: Map<string, unknown> | null;

  constructor(
    readonly nowUs: number,
    readonly rng: () => number,
    readonly pluginState: PluginState,
    cycleState?: Map<string, unknown>,
  ) {
    this.#cycleState = cycleState ?? null;
  }

  get cycleState(): Map<string, unknown> {
    return (this.#cycleState ??= new Map());
  }
}
