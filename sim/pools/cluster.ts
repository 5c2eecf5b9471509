/**
 * The gateway over many pools (gateway.md: "Path of a request"): route match over the HTTPRoute
 * rules (precedence precomputed, sim/routes/), one backendRef drawn by weight independently per
 * request, then that pool's own Endpoint Picker (sim/gateway/gateway.ts: its own scraped metrics,
 * prefix index, in-flight counters and flow control). Answers of the gateway itself: no rule
 * matches ⇒ 404 `no-route`; the rule's backends all weigh 0 ⇒ 500 `no-backend` (§1.4); the pool's
 * picker unreachable (an outage window) ⇒ FailClose 503 `picker-unavailable`, FailOpen round-robin
 * over the pool's pods with no shedding, no prefix affinity and no P/D header (§2.3).
 *
 * Replica indices here are the run's flat indices (sim/fleet/fleet.ts); each pool's gateway works
 * on its own slice and its answers are shifted back.
 */
import type { EndpointMetrics, KvEvent } from '../../policies/types.js';
import type { PoolConfig, RouteRule } from '../scenario/types.js';
import type { SimRequest } from '../workload/request.js';
import { DEFAULT_PATH } from '../workload/request.js';
import type { BuiltFleet } from '../fleet/fleet.js';
import { Gateway, type GatewayDecision } from '../gateway/gateway.js';
import { createPickerBackend } from '../gateway/backend.js';
import { createRng, type Rng } from '../core/rng.js';
import { RouteTable, pickBackend, bbrHeaders } from '../routes/index.js';
import { CircuitBreaker, OutlierDetector, RateLimiter } from '../resilience/index.js';
import type { DecisionLog } from '../decisions/log.js';

/** Codes of the answers the gateway gives itself (before or instead of a pool's picker). */
export const GATEWAY_DROP_CODES = ['no-backend', 'no-route', 'picker-unavailable'] as const;

/** A gateway decision with its pool (-1: no route matched or the rule has no backend) and route rule (-1: no match). */
export type ClusterDecision = GatewayDecision & {
  /** Issue 11: the rule's fallback pool took it after its own pool answered 429/503. */
  readonly fallback?: boolean;
};

export interface ClusterOptions {
  readonly seed: number;
  /** Scrape interval, µs; 0 = oracle. */
  readonly refreshUs: number;
  readonly charsPerToken: number;
}

const EMPTY_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

export class Cluster {
  readonly gateways: Gateway[];
  private readonly table: RouteTable;
  private readonly poolIndex = new Map<string, number>();
  /** Backend pool indices per rule, aligned with the rule's backendRefs. */
  private readonly rulePools: number[][];
  private readonly ruleIndex = new Map<RouteRule, number>();
  private readonly routeRng: Rng;
  /** True when routing needs no matching: one catch-all rule with one backend. */
  private trivial: boolean;
  private readonly baseModels: ReadonlySet<string>;
  /** Round-robin position of each pool's FailOpen fallback. */
  private readonly failOpenNext: number[];
  /** Requests dispatched by FailOpen (the picker never saw them, so it is not told they completed). */
  private readonly bypassed = new Set<number>();
  /** Merged request + body-based-routing headers, per headers object and model (shared, never per request). */
  private readonly headerCache = new WeakMap<object, Map<string, Readonly<Record<string, string>>>>();
  private readonly poolOfReplica: Int32Array;
  /** Per rule, its local rate limits (Envoy token buckets; a header keys one bucket per value). */
  private readonly limiters: { readonly limiter: RateLimiter; readonly header: string | null }[][];
  /** Per pool, Envoy's circuit breaker when configured (in-flight requests of the pool's cluster). */
  private readonly breakers: (CircuitBreaker | null)[];
  /** Requests holding a circuit-breaker slot, by request id → pool. */
  private readonly breakerHeld = new Map<number, number>();
  /** Per pool, consecutive-5xx outlier detection when configured (local endpoint indices). */
  readonly outliers: (OutlierDetector | null)[];
  /** Per rule index, its fallback pool index (-1: none). */
  private readonly fallbackPool: number[];

  constructor(
    readonly pools: readonly PoolConfig[],
    readonly routes: readonly RouteRule[],
    readonly fleet: BuiltFleet,
    private readonly opts: ClusterOptions,
  ) {
    pools.forEach((p, i) => this.poolIndex.set(p.name, i));
    this.poolOfReplica = new Int32Array(fleet.replicas.length);
    for (let i = 0; i < fleet.replicas.length; i++) this.poolOfReplica[i] = fleet.info[i]!.pool;
    this.gateways = pools.map((pool, p) => {
      const from = fleet.offsets[p]!;
      const to = fleet.offsets[p + 1]!;
      const backend = createPickerBackend(pool.picker, {
        seed: opts.seed,
        rngName: p === 0 ? 'epp' : `epp:${pool.name}`,
        modelRewrites: pool.model_rewrites,
        objectives: pool.objectives,
      });
      return new Gateway(
        backend,
        fleet.replicas.slice(from, to),
        {
          refreshUs: opts.refreshUs,
          model: pool.model,
          charsPerToken: opts.charsPerToken,
          blockSize: pool.engine.block_size,
          labels: fleet.info.slice(from, to).map((x) => x.labels),
          pool: p,
          offset: from,
        },
        createRng(opts.seed, p === 0 ? 'router' : `router:${pool.name}`),
      );
    });
    this.table = new RouteTable(routes);
    routes.forEach((r, i) => this.ruleIndex.set(r, i));
    this.rulePools = routes.map((r) => r.backendRefs.map((b) => this.poolIndex.get(b.pool)!));
    this.routeRng = createRng(opts.seed, 'routes');
    const only = routes[0];
    this.trivial = routes.length === 1 && only !== undefined && only.matches.length === 0 && only.backendRefs.length === 1 && only.backendRefs[0]!.weight > 0;
    this.baseModels = new Set(pools.map((p) => p.model));
    this.failOpenNext = pools.map(() => 0);
    this.limiters = routes.map((r) =>
      (r.rate_limits ?? []).map((l) => ({ limiter: new RateLimiter({ maxTokens: l.max_tokens, tokensPerFill: l.tokens_per_fill, fillIntervalUs: l.fill_interval_us }), header: l.header })),
    );
    this.breakers = pools.map((p) => (p.circuit_breaker ? new CircuitBreaker({ maxRequests: p.circuit_breaker.max_requests, maxPendingRequests: p.circuit_breaker.max_pending_requests }) : null));
    this.outliers = pools.map((p, i) => {
      const o = p.outlier_detection;
      if (!o) return null;
      return new OutlierDetector(fleet.offsets[i + 1]! - fleet.offsets[i]!, {
        consecutive5xx: o.consecutive_5xx,
        intervalUs: o.interval_us,
        baseEjectionTimeUs: o.base_ejection_time_us,
        maxEjectionTimeUs: o.max_ejection_time_us,
        maxEjectionPercent: o.max_ejection_percent,
      });
    });
    this.fallbackPool = routes.map((r) => (r.fallback ? this.poolIndex.get(r.fallback)! : -1));
    this.trivial &&= this.limiters[0]!.length === 0 && this.fallbackPool[0] === -1;
  }

  /** `--decisions`: every pool's EPP decisions go to `log`, with its replicas as the truth. */
  recordDecisions(log: DecisionLog): void {
    this.gateways.forEach((g, p) => g.recordDecisions(log, this.fleet.replicas.slice(this.fleet.offsets[p]!, this.fleet.offsets[p + 1]!)));
  }

  get oracle(): boolean {
    return this.opts.refreshUs === 0;
  }

  /** Requests waiting in any pool's flow-control queue. */
  get queued(): number {
    let n = 0;
    for (const g of this.gateways) n += g.queued;
    return n;
  }

  get heldCanExpire(): boolean {
    return this.gateways.some((g) => g.heldCanExpire);
  }

  /** True when pool `p`'s picker consumes engine KV events. */
  wantsKvEvents(p: number): boolean {
    return this.gateways[p]!.wantsKvEvents;
  }

  /** Pool of replica `i`. */
  poolOf(i: number): number {
    return this.poolOfReplica[i]!;
  }

  scrape(now: number): void {
    for (const g of this.gateways) g.scrape(now);
  }

  observedMetrics(i: number): EndpointMetrics {
    const p = this.poolOfReplica[i]!;
    return this.gateways[p]!.observedMetrics(i - this.fleet.offsets[p]!);
  }

  /**
   * A request reaches the gateway: route, rate limits, draw a backend, circuit breaker, that pool's
   * picker, and the rule's fallback pool when the pool answers 429/503.
   */
  arrive(req: SimRequest, now: number): ClusterDecision {
    const d = this.route(req, now);
    if (d.kind === 'drop' && d.route >= 0 && (d.status === 429 || d.status === 503) && d.pool >= 0) {
      const fb = this.fallbackPool[d.route]!;
      if (fb >= 0 && fb !== d.pool) return { ...this.toPool(fb, req, now, d.route), fallback: true };
    }
    return d;
  }

  private route(req: SimRequest, now: number): ClusterDecision {
    let route = 0;
    let pool: number;
    if (this.trivial) {
      pool = this.rulePools[0]![0]!;
    } else {
      const rule = this.table.match(req.path ?? DEFAULT_PATH, this.headersOf(req));
      if (rule === null) return { kind: 'drop', status: 404, reason: 'no-route', detail: `no HTTPRoute rule matches path ${req.path ?? DEFAULT_PATH}${req.model !== undefined ? ` and model ${req.model}` : ''}`, pool: -1, route: -1 };
      route = this.ruleIndex.get(rule)!;
      for (const { limiter, header } of this.limiters[route]!) {
        const key = header === null ? '' : (req.headers?.[header] ?? '');
        if (!limiter.take(key, now)) {
          const after = limiter.retryAfterUs(key, now);
          return { kind: 'drop', status: 429, reason: 'rate-limited', detail: `local rate limit of route ${rule.name}${header ? ` (${header}: ${key || '(none)'})` : ''}; retry after ${Math.ceil(after / 1000)} ms`, pool: -1, route };
        }
      }
      const refs = rule.backendRefs;
      const k = refs.length === 1 ? (refs[0]!.weight > 0 ? 0 : -1) : pickBackend(refs, this.routeRng());
      if (k < 0) return { kind: 'drop', status: 500, reason: 'no-backend', detail: `route ${rule.name}: every backendRef has weight 0`, pool: -1, route };
      pool = this.rulePools[route]![k]!;
    }
    return this.toPool(pool, req, now, route);
  }

  /** Hand the request to pool `pool`: circuit breaker, then its picker (or FailOpen / FailClose). */
  private toPool(pool: number, req: SimRequest, now: number, route: number): ClusterDecision {
    const cfg = this.pools[pool]!;
    const breaker = this.breakers[pool]!;
    if (breaker !== null) {
      if (!breaker.tryAcquire()) return { kind: 'drop', status: 503, reason: 'circuit-open', detail: `pool ${cfg.name}'s circuit breaker is open (${breaker.active} requests in flight ≥ max_requests; x-envoy-overloaded)`, pool, route };
      const d = this.pick(cfg, pool, req, now, route);
      if (d.kind === 'dispatch' || d.kind === 'queued') this.breakerHeld.set(req.id, pool);
      else breaker.release();
      return d;
    }
    return this.pick(cfg, pool, req, now, route);
  }

  private pick(cfg: PoolConfig, pool: number, req: SimRequest, now: number, route: number): ClusterDecision {
    if (this.pickerDown(cfg, now)) {
      if (cfg.failureMode === 'FailClose') {
        return { kind: 'drop', status: 503, reason: 'picker-unavailable', detail: `the Endpoint Picker of pool ${cfg.name} is unreachable and the pool is FailClose`, pool, route };
      }
      return this.failOpen(pool, req, route, now);
    }
    return this.gateways[pool]!.arrive(req, now, route);
  }

  /** Flow control of every pool: whatever may dispatch now. */
  dispatchQueued(now: number): { req: SimRequest; decision: ClusterDecision }[] {
    const out: { req: SimRequest; decision: ClusterDecision }[] = [];
    this.gateways.forEach((g) => {
      if (g.queued === 0) return;
      for (const x of g.dispatchQueued(now)) out.push(x);
    });
    return out;
  }

  expireQueued(now: number): { req: SimRequest; decision: ClusterDecision }[] {
    const out: { req: SimRequest; decision: ClusterDecision }[] = [];
    this.gateways.forEach((g) => {
      if (g.queued === 0) return;
      for (const x of g.expireQueued(now)) out.push(x);
    });
    return out;
  }

  /** The response for `req` from replica `i` completed (`served`: fully streamed), or the engine refused it. */
  complete(req: SimRequest, i: number, now: number, served = false): void {
    this.releaseBreaker(req.id);
    if (this.bypassed.delete(req.id)) return;
    this.gateways[this.poolOfReplica[i]!]!.complete(req, i, now, served);
  }

  /** Some pool's picks can be disaggregated (Gateway.mayDisaggregate). */
  get mayDisaggregate(): boolean {
    return this.gateways.some((g) => g.mayDisaggregate);
  }

  /** Some pool's picker runs plugins at the response headers: report first tokens (firstToken). */
  get wantsFirstToken(): boolean {
    return this.gateways.some((g) => g.wantsFirstToken);
  }

  /** The first token of `req` reached the client from replica `i` (P/D: the decode pod). */
  firstToken(req: SimRequest, i: number, now: number): void {
    if (this.bypassed.has(req.id)) return;
    this.gateways[this.poolOfReplica[i]!]!.firstToken(req, i, now);
  }

  /** A P/D prefill leg sent to replica `i` returned to the decode sidecar. */
  prefillReturned(i: number): void {
    this.gateways[this.poolOfReplica[i]!]!.prefillReturned(i);
  }

  /** Pod membership in its pool's picker datastore (gateway.md §6.1). */
  setMember(i: number, member: boolean): void {
    this.gateways[this.poolOfReplica[i]!]!.setMember(i, member);
  }

  /** Whether replica `i` answers scrapes and connections. */
  setReachable(i: number, reachable: boolean): void {
    this.gateways[this.poolOfReplica[i]!]!.setReachable(i, reachable);
  }

  /** Ask pool `pool`'s picker directly (a retry that re-picks; the route already matched). */
  arriveAt(pool: number, req: SimRequest, now: number, route: number): ClusterDecision {
    return this.gateways[pool]!.arrive(req, now, route);
  }

  /** An engine KV event of replica `event.index` reaches its pool's picker. */
  kvEvent(now: number, event: KvEvent): void {
    const p = this.poolOfReplica[event.index]!;
    const off = this.fleet.offsets[p]!;
    this.gateways[p]!.kvEvent(now, off === 0 ? event : { ...event, index: event.index - off });
  }

  /** True when the replica serves the model the request asked for (vLLM answers 404 otherwise). */
  serves(i: number, req: SimRequest): boolean {
    return req.model === undefined || this.pools[this.poolOfReplica[i]!]!.model === req.model;
  }

  /** A request that held a circuit-breaker slot ended (completed, failed, or its retry re-picks). */
  releaseBreaker(id: number): void {
    const p = this.breakerHeld.get(id);
    if (p === undefined) return;
    this.breakerHeld.delete(id);
    this.breakers[p]!.release();
  }

  /**
   * A try's result reaches outlier detection (gateway.md §3.2): `is5xx` for resets and timeouts.
   * Returns true when the endpoint was ejected by it. With the picker's ORIGINAL_DST wiring an
   * ejection cannot steer InferencePool traffic; it removes the pod from the FailOpen fallback.
   */
  tryResult(i: number, now: number, is5xx: boolean): boolean {
    const p = this.poolOfReplica[i]!;
    const o = this.outliers[p];
    if (!o) return false;
    o.sweep(now);
    return o.onResponse(i - this.fleet.offsets[p]!, now, is5xx);
  }

  private pickerDown(cfg: PoolConfig, now: number): boolean {
    for (const o of cfg.picker_outages) if (now >= o.from_s * 1e6 && now < o.to_s * 1e6) return true;
    return false;
  }

  private failOpen(p: number, req: SimRequest, route: number, now: number): GatewayDecision {
    const from = this.fleet.offsets[p]!;
    const n = this.fleet.offsets[p + 1]! - from;
    const o = this.outliers[p];
    o?.sweep(now);
    let k = this.failOpenNext[p]!;
    for (let tries = 0; tries < n && o && o.isEjected(k); tries++) k = (k + 1) % n;
    this.failOpenNext[p] = (k + 1) % n;
    this.bypassed.add(req.id);
    return { kind: 'dispatch', index: from + k, adapter: req.adapter, prefill: -1, pool: p, route };
  }

  /** Request headers plus the body-based-routing headers for its model (gateway.md §2.5). */
  private headersOf(req: SimRequest): Readonly<Record<string, string>> {
    const base = req.headers ?? EMPTY_HEADERS;
    if (req.model === undefined && req.adapter === null) return base;
    const key = `${req.model ?? ''}\u0000${req.adapter ?? ''}`;
    let byModel = this.headerCache.get(base);
    if (byModel === undefined) this.headerCache.set(base, (byModel = new Map()));
    const hit = byModel.get(key);
    if (hit !== undefined) return hit;
    const merged: Readonly<Record<string, string>> = { ...base, ...bbrHeaders(req.model, req.adapter, this.baseModels) };
    byModel.set(key, merged);
    return merged;
  }
}
