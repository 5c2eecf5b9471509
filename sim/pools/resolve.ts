/**
 * The pools and routes a run uses (gateway.md §1–2). A single-`fleet` scenario is sugar for one
 * pool named `default` (its fleet, engine and step-time model, the scenario's model rewrites) behind
 * one catch-all route; the policy under comparison is that pool's picker, exactly as before pools.
 * With `pools:`, each pool keeps its own picker unless the policy names it (`pool:`), in which case
 * the policy's picker — and, when given, its replica groups — replace that pool's for the run.
 */
import type { PolicySpec, PoolConfig, ReplicaGroup, RouteRule, ScenarioConfig } from '../scenario/types.js';
import { resolveKvTransfer } from '../pd/transports.js';
import { parallelKeys } from '../engine/modelMath.js';
import type { ChurnEvent } from '../churn/events.js';

/** Name of the pool a single-`fleet` scenario becomes. */
export const SUGAR_POOL = 'default';

/** Policy type of the run that keeps every pool's own picker (a `pools:` scenario without `policies:`). */
export const AS_CONFIGURED = 'as-configured';

/** The scenario's pools as configured (the sugar pool for a single-`fleet` scenario). */
export function poolsOf(s: ScenarioConfig): readonly PoolConfig[] {
  if (s.pools !== undefined && s.pools.length > 0) return s.pools;
  const f = s.fleet;
  return [
    {
      name: SUGAR_POOL,
      model: f.model,
      replicas: [{ gpu: f.gpu, count: f.replicas, tp: f.tp, labels: {}, ...parallelKeys(f) }],
      engine: f.engine,
      step_time: s.step_time,
      picker: { name: AS_CONFIGURED, type: AS_CONFIGURED },
      failureMode: 'FailClose',
      picker_outages: [],
      objectives: [],
      model_rewrites: s.gateway.model_rewrites,
      adapters: [],
      kv_transfer: resolveKvTransfer({}),
    },
  ];
}

/** True when the scenario was written with `pools:` (not the single-`fleet` sugar). */
export function hasPools(s: ScenarioConfig): boolean {
  return s.pools !== undefined && s.pools.length > 0;
}

/** The route rules of a run: the policy's own, else the scenario's, else a catch-all to the only pool. */
export function routesOf(s: ScenarioConfig, policy?: PolicySpec): readonly RouteRule[] {
  if (policy?.routes !== undefined && policy.routes.length > 0) return policy.routes;
  if (s.routes !== undefined && s.routes.length > 0) return s.routes;
  const pools = poolsOf(s);
  return [{ name: 'default', routeIndex: 0, ruleIndex: 0, matches: [], backendRefs: pools.map((p) => ({ pool: p.name, weight: 1 })), timeouts: null }];
}

/** The pool a policy replaces: its `pool:`, else the only / first pool (null: it replaces none). */
export function targetPool(s: ScenarioConfig, policy: PolicySpec): string | null {
  if (policy.type === AS_CONFIGURED) return null;
  return policy.pool ?? poolsOf(s)[0]!.name;
}

/** The pools of one run: the policy's picker (and replica groups, when given) replace its target pool's. */
export function poolsForPolicy(s: ScenarioConfig, policy: PolicySpec): PoolConfig[] {
  const target = targetPool(s, policy);
  return poolsOf(s).map((p) => {
    if (p.name !== target) return p;
    const replicas: readonly ReplicaGroup[] = policy.replicas ?? p.replicas;
    return { ...p, picker: policy, replicas, ...(policy.autoscaling !== undefined ? { autoscaling: policy.autoscaling } : {}) };
  });
}

/** Replicas of a pool. */
export function poolReplicaCount(p: PoolConfig): number {
  let n = 0;
  for (const g of p.replicas) n += g.count;
  return n;
}

/** The churn events of a run: the policy's own, else the scenario's. */
export function eventsOf(s: ScenarioConfig, policy?: PolicySpec): readonly ChurnEvent[] {
  return policy?.events ?? s.events ?? [];
}

/** True when a rule uses issue 11's gateway resilience (timeouts, retries, rate limits, fallback). */
function ruleIsResilient(r: RouteRule): boolean {
  return r.retry != null || (r.timeouts?.request_ms ?? 0) > 0 || (r.timeouts?.backend_request_ms ?? 0) > 0 || (r.rate_limits?.length ?? 0) > 0 || r.fallback != null;
}

/** True when a pool has issue 11's resilience or scaling (circuit breaker, outlier detection, autoscaler). */
function poolIsResilient(p: PoolConfig): boolean {
  return p.circuit_breaker != null || p.outlier_detection != null || p.autoscaling != null;
}

/** True when one run (its pools, routes and churn) needs per-request resilience state (sim/resilience/flights.ts). */
export function runIsResilient(pools: readonly PoolConfig[], routes: readonly RouteRule[], churn: readonly ChurnEvent[]): boolean {
  return churn.length > 0 || routes.some(ruleIsResilient) || pools.some(poolIsResilient);
}

/**
 * True when some run of the scenario can retry, time out, rate-limit, fail over, lose or add
 * replicas (its results then carry attempts, resilience counters, replica timelines).
 */
export function hasResilienceOrChurn(s: ScenarioConfig): boolean {
  const pools = poolsOf(s);
  if (pools.some(poolIsResilient)) return true;
  if (s.policies.some((p) => p.autoscaling != null)) return true;
  if ((s.events?.length ?? 0) > 0 || (s.routes ?? []).some(ruleIsResilient)) return true;
  return s.policies.some((p) => (p.events?.length ?? 0) > 0 || (p.routes ?? []).some(ruleIsResilient));
}

/** True when some run of the scenario changes its replicas (churn events or an autoscaler): every run then reports its replica timeline. */
export function hasChurnOrScaling(s: ScenarioConfig): boolean {
  if (poolsOf(s).some((p) => p.autoscaling != null) || (s.events?.length ?? 0) > 0) return true;
  return s.policies.some((p) => p.autoscaling != null || (p.events?.length ?? 0) > 0);
}
