/**
 * The request lifecycle of the production EPP (GAIE v1.5.0 `requestcontrol/director.go`
 * `HandleRequest`, `epp.md` §1.1), driven by a loaded EndpointPickerConfig:
 *
 *  objective → priority, model rewrite → admission (legacy shedding, or flow-control enqueue) →
 *  candidates (pool or the `x-gateway-destination-endpoint-subset` header) → per-request snapshot →
 *  PrepareData producers → Admission plugins → Scheduler.Schedule → PreRequest plugins → dispatch;
 *  later ResponseComplete plugins when the response finishes.
 *
 * HTTP outcomes: 429 (sheddable request while saturated; scheduling failed; flow-control capacity),
 * 503 (no candidate endpoints; queue TTL expired), 500 (an Admission plugin denied).
 *
 * Synchronous and allocation-light: the simulated gateway calls it for every request; the pick
 * harness (policies/harness/) calls it with `trace` to explain decisions.
 */
import type { ResolvedConfig } from '../config/loader.js';
import type { FlowController } from '../flowcontrol/types.js';
import { createFlowController } from '../flowcontrol/controller.js';
import type { EndpointMetrics, KvEvent } from '../types.js';
import { schedule, type SchedulingTrace } from './scheduler.js';
import {
  SchedulingError,
  type CycleContext,
  type LLMRequest,
  type PluginState,
  type Prompt,
  type ResponseInfo,
  type SchedEndpoint,
  type SchedulingResult,
} from './types.js';

/** One endpoint of the pool as the gateway last scraped it. */
export interface PoolEndpoint {
  readonly name: string;
  readonly index: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Last scraped metrics; null if never scraped. */
  readonly metrics: EndpointMetrics | null;
  /** IP (or `ip:port`) the subset header may name instead of the endpoint name. */
  readonly address?: string;
  /** Static endpoint attributes (endpoint attribute store) copied into every request's candidate. */
  readonly attributes?: ReadonlyMap<string, unknown>;
}

/** InferenceModelRewrite: requests for `model` go to one of `targets`, by integer weight. */
export interface ModelRewriteRule {
  readonly model: string;
  readonly targets: readonly { readonly model: string; readonly weight: number }[];
}

export interface EndpointPickerOptions {
  /** Seeded uniform [0, 1) stream: model rewrites, and every plugin's ctx.rng. */
  readonly rng: () => number;
  /** InferenceObjective name → priority (header `x-gateway-inference-objective`). */
  readonly objectives?: ReadonlyMap<string, number>;
  readonly modelRewrites?: readonly ModelRewriteRule[];
}

/** What the picker did, for the pick harness: the scheduling trace, plus the pool saturation when computed. */
export interface DecisionTrace extends SchedulingTrace {
  /** Saturation the legacy admission controller (or, when tracing, the detector) saw. */
  saturation?: number;
}

interface DecisionBase {
  readonly requestId: string;
  readonly request: LLMRequest;
  readonly trace?: DecisionTrace;
}

export interface DispatchDecision extends DecisionBase {
  readonly kind: 'dispatch';
  /** Name of the primary target endpoint. */
  readonly target: string;
  /** Its pool index. */
  readonly index: number;
  /** Further endpoints of the primary profile (maxNumOfEndpoints > 1), best first. */
  readonly fallbacks: string[];
  readonly result: SchedulingResult;
}

/**
 * Why the EPP answered a request itself, as a fixed code (the free text, with live values such as
 * the pool saturation, is `reason`): shed-saturated (429, sheddable request while the pool is
 * saturated), flow-control-capacity (429, a flow-control queue limit), no-endpoint (429, the
 * scheduler found no target), no-candidates (503, no endpoint in the pool / subset),
 * flow-control-ttl (503, timed out in the flow-control queue), admission-rejected (500, an admission
 * plugin denied it).
 */
export type RejectCode = 'shed-saturated' | 'flow-control-capacity' | 'no-endpoint' | 'no-candidates' | 'flow-control-ttl' | 'admission-rejected';

/** Every RejectCode, sorted. */
export const REJECT_CODES: readonly RejectCode[] = ['admission-rejected', 'flow-control-capacity', 'flow-control-ttl', 'no-candidates', 'no-endpoint', 'shed-saturated'];

export interface RejectDecision extends DecisionBase {
  readonly kind: 'reject';
  readonly status: 400 | 429 | 500 | 503;
  readonly code: RejectCode;
  readonly reason: string;
}

/** Flow control: the request waits in the EPP's queue; `dispatchQueued` releases it later. */
export interface QueuedDecision extends DecisionBase {
  readonly kind: 'queued';
}

export type Decision = DispatchDecision | RejectDecision | QueuedDecision;

export interface ExpiredRequest {
  readonly requestId: string;
  readonly request: LLMRequest;
  readonly status: 503;
  readonly code: 'flow-control-ttl';
  readonly reason: string;
}

export const HEADER_OBJECTIVE = 'x-gateway-inference-objective';
export const HEADER_SUBSET = 'x-gateway-destination-endpoint-subset';
export const HEADER_FAIRNESS_ID = 'x-gateway-inference-fairness-id';

/** PluginState entries untouched this long are garbage-collected (§1.8). */
export const PLUGIN_STATE_TTL_US = 5 * 60 * 1e6;

/**
 * Per-request plugin state with the production's 5-minute GC of untouched entries, swept lazily
 * (at most once per minute of clock time, when the director is called).
 */
export class TtlPluginState implements PluginState {
  nowUs = 0;
  private readonly entries = new Map<string, { values: Map<string, unknown>; touchedUs: number }>();
  private lastSweepUs = 0;

  read(requestId: string, key: string): unknown {
    const e = this.entries.get(requestId);
    if (!e) return undefined;
    e.touchedUs = this.nowUs;
    return e.values.get(key);
  }

  write(requestId: string, key: string, value: unknown): void {
    let e = this.entries.get(requestId);
    if (!e) {
      e = { values: new Map(), touchedUs: this.nowUs };
      this.entries.set(requestId, e);
    }
    e.touchedUs = this.nowUs;
    e.values.set(key, value);
  }

  delete(requestId: string): void {
    this.entries.delete(requestId);
  }

  /** Requests with state. */
  get size(): number {
    return this.entries.size;
  }

  /** Sets the clock and drops entries untouched for PLUGIN_STATE_TTL_US (checked once per minute). */
  advance(nowUs: number): void {
    this.nowUs = nowUs;
    if (nowUs - this.lastSweepUs < 60e6) return;
    this.lastSweepUs = nowUs;
    for (const [id, e] of this.entries) if (nowUs - e.touchedUs > PLUGIN_STATE_TTL_US) this.entries.delete(id);
  }
}

interface LiveRequest {
  readonly request: LLMRequest;
  readonly result: SchedulingResult;
}

interface Queued {
  readonly trace: boolean;
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

  constructor(config: ResolvedConfig, opts: EndpointPickerOptions) {
    this.config = config;
    this.rng = opts.rng;
    this.objectives = opts.objectives ?? new Map();
    const rw = new Map<string, ModelRewriteRule>();
    for (const r of opts.modelRewrites ?? []) if (!rw.has(r.model) && r.targets.length > 0) rw.set(r.model, r);
    this.rewrites = rw;
    this.flow = config.flowControl ? createFlowController(config.flowControl, config.plugins) : null;
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

  /** Dispatched requests whose response has not completed. */
  get inFlightCount(): number {
    return this.live.size;
  }

  /**
   * A request arrives (`epp.md` §1.1). `req.priority` is set from the objective header when the
   * header is present (unknown objective → 0); without the header the caller's value stands.
   */
  handleRequest(req: LLMRequest, pool: readonly PoolEndpoint[], nowUs: number, opts?: { trace?: boolean }): Decision {
    this.pluginState.advance(nowUs);
    const trace: DecisionTrace | undefined = opts?.trace ? { profiles: [] } : undefined;

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
    const candidates = this.candidates(req, pool);
    if (req.priority < 0 || trace) {
      const ctx = this.context(nowUs);
      const sat = this.config.saturationDetector.saturation(ctx, candidates);
      if (trace) trace.saturation = sat;
      if (req.priority < 0 && sat >= 1.0) {
        return { kind: 'reject', status: 429, code: 'shed-saturated', reason: `sheddable request (priority ${req.priority}) rejected: pool saturated (${fmt(sat)} ≥ 1.0)`, requestId: req.id, request: req, trace };
      }
    }
    return this.schedule(req, candidates, nowUs, trace);
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
    const whole = pool.map(clone);
    const ctx = this.context(nowUs);
    for (;;) {
      const sat = this.config.saturationDetector.saturation(ctx, whole);
      const req = flow.dispatchOne(sat, nowUs);
      if (!req) break;
      const q = this.queued.get(req.id);
      this.queued.delete(req.id);
      const trace: DecisionTrace | undefined = q?.trace || opts?.trace ? { profiles: [], saturation: sat } : undefined;
      const d = this.schedule(req, this.candidates(req, pool), nowUs, trace);
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
      return { requestId: request.id, request, status: 503 as const, code: 'flow-control-ttl' as const, reason: 'request timed out in queue' };
    });
  }

  /**
   * The response of a dispatched request finished (end of stream): runs ResponseComplete plugins
   * and frees the request's plugin state. Returns the response headers plugins set.
   */
  responseComplete(requestId: string, endpointName: string, nowUs: number): Map<string, string> {
    const headers = new Map<string, string>();
    const live = this.live.get(requestId);
    if (!live) return headers;
    this.live.delete(requestId);
    this.pluginState.advance(nowUs);
    const rc = this.config.responseComplete;
    if (rc.length > 0) {
      const ctx = this.context(nowUs);
      const info: ResponseInfo = { endpoint: endpointName, result: live.result, headers };
      for (const p of rc) p.responseComplete(ctx, live.request, info);
    }
    this.pluginState.delete(requestId);
    return headers;
  }

  /** An engine KV event from endpoint `endpointName` (already delayed by the caller). */
  kvEvent(nowUs: number, endpointName: string, event: KvEvent): void {
    for (const l of this.config.kvEventListeners) l.kvEvent(nowUs, endpointName, event);
  }

  // -------------------------------------------------------------------------------------------

  /** Steps 5–11 for an admitted request. */
  private schedule(req: LLMRequest, candidates: SchedEndpoint[], nowUs: number, trace: DecisionTrace | undefined): DispatchDecision | RejectDecision {
    if (candidates.length === 0) {
      const why = req.headers[HEADER_SUBSET] !== undefined ? 'no endpoint of the requested subset is available' : 'no endpoints available in the pool';
      return { kind: 'reject', status: 503, code: 'no-candidates', reason: why, requestId: req.id, request: req, trace };
    }
    const cfg = this.config;
    const ctx = this.context(nowUs);
    for (const p of cfg.prepareData) {
      try {
        p.prepareRequestData(ctx, req, candidates);
      } catch {
        // errors (and the 400 ms timeout) are logged and ignored by the production
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
      if (!(err instanceof SchedulingError)) throw err;
      return { kind: 'reject', status: 429, code: 'no-endpoint', reason: `failed to find target endpoint: ${err.message}`, requestId: req.id, request: req, trace };
    }
    const primary = result.profileResults.get(result.primaryProfileName);
    const first = primary?.targetEndpoints[0];
    if (!primary || !first) {
      return { kind: 'reject', status: 429, code: 'no-endpoint', reason: `failed to find target endpoint: profile ${result.primaryProfileName} has no result`, requestId: req.id, request: req, trace };
    }
    for (const p of cfg.preRequest) p.preRequest(ctx, req, result);
    this.live.set(req.id, { request: req, result });
    const fallbacks: string[] = [];
    for (let i = 1; i < primary.targetEndpoints.length; i++) fallbacks.push(primary.targetEndpoints[i]!.name);
    return { kind: 'dispatch', target: first.name, index: first.index, fallbacks, result, requestId: req.id, request: req, trace };
  }

  /** Step 5–6: the candidate endpoints, each cloned with a fresh attribute map. */
  private candidates(req: LLMRequest, pool: readonly PoolEndpoint[]): SchedEndpoint[] {
    const subset = req.headers[HEADER_SUBSET];
    if (subset === undefined) return pool.map(clone);
    const wanted = new Set<string>();
    for (const part of subset.split(',')) {
      const s = part.trim();
      if (s) wanted.add(s);
    }
    const out: SchedEndpoint[] = [];
    if (wanted.size === 0) return out;
    for (const e of pool) {
      if (wanted.has(e.name) || (e.address !== undefined && (wanted.has(e.address) || wanted.has(stripPort(e.address))))) out.push(clone(e));
      else if (e.address !== undefined) {
        for (const w of wanted) if (stripPort(w) === stripPort(e.address)) {
          out.push(clone(e));
          break;
        }
      }
    }
    return out;
  }

  private context(nowUs: number): CycleContext {
    return { nowUs, rng: this.rng, cycleState: new Map(), pluginState: this.pluginState };
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

function clone(e: PoolEndpoint): SchedEndpoint {
  return { name: e.name, index: e.index, labels: e.labels, metrics: e.metrics, attributes: new Map(e.attributes) };
}

function stripPort(s: string): string {
  const m = /^(.*):\d+$/.exec(s);
  return m ? m[1]! : s;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

/** Size of the request body's prompt in bytes, when the raw body size is unknown (flow-control accounting). */
export function promptBytes(p: Prompt): number {
  switch (p.kind) {
    case 'completion':
      return Buffer.byteLength(p.text, 'utf8');
    case 'chat':
      return Buffer.byteLength(JSON.stringify(p.messages), 'utf8');
    case 'synthetic': {
      let n = 0;
      for (const s of p.spans) n += s.tokens;
      return n * p.charsPerToken;
    }
  }
}
