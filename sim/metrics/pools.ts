/**
 * Results per InferencePool, per route rule, per model and per replica role (issue 10, "Results"):
 * the same figures as the main summary over a subset of the records, plus the replica counters of
 * the subset's replicas where the subset is a set of replicas (pool, role). A dimension is only
 * reported when it splits the run (more than one pool / route / model, or any role label), so a
 * single-pool run's summary is unchanged. Gateway model: ../shared/reference/gateway.md §1–§2
 * (routes → pools), §4.6 (P/D roles, `llm-d.ai/role`).
 *
 * Keys:
 * - by_pool: the pool's name (PolicyRun.pools, `pool-N` when unnamed); a request counts under the
 *   pool its route sent it to (RequestRecord.pool). Requests that matched no route (pool -1) are in
 *   the fleet total only.
 * - by_route: the route rule's name (PolicyRun.routes, `route-N` when unnamed); no match → `(no route)`.
 * - by_model: the model the request asked for; '' (the pool's base model) → `(default)`.
 * - by_role: the `llm-d.ai/role` label of the replica that served the request's decode (or only)
 *   side (RequestRecord.replica); '' → `unlabelled`; never dispatched (a gateway drop) → `(not dispatched)`.
 */
import type { SloConfig } from '../scenario/types.js';
import type { PolicyRun, ReplicaStats, RequestRecord } from './types.js';
import { latencyStats, ratio, round4, sortedCounts, UNSPECIFIED_REASON, type GoodputStats, type LatencyStats, type ThroughputStats } from './latency.js';
import { groupBy, NO_EXTRA_KEYS, outcomeCounts, subsetFigures, type ExtraKeys, type Figures } from './breakdown.js';
import { hasFailed, hasResilience, requestOutcomeCounts, type RequestOutcomeCounts } from './resilience.js';

/** One subset's figures: counts over every request of the subset, latencies over the measured window. */
export interface SubsetSummary {
  readonly arrived: number;
  readonly completed: number;
  readonly rejected: number;
  readonly rejected_by_reason: Readonly<Record<string, number>>;
  readonly dropped: number;
  readonly dropped_by_reason: Readonly<Record<string, number>>;
  /** Issue 11, only when some request of the run failed mid-stream: the subset's failed streams and their reasons. */
  readonly failed?: number;
  readonly failed_by_reason?: Readonly<Record<string, number>>;
  readonly ttft_ms: LatencyStats;
  readonly tpot_ms: LatencyStats;
  readonly e2e_ms: LatencyStats;
  /** scheduledUs − enqueueUs of the completed requests in the window. */
  readonly queue_ms: LatencyStats;
  /** Over the subset's own span (first arrival to last completion), like the main summary's. */
  readonly throughput: ThroughputStats;
  /** Rate over the whole window's duration, so the subsets' rates add up to the fleet's. */
  readonly goodput: GoodputStats;
  /**
   * by_pool / by_role: Σ preemptions of the subset's replicas (as the fleet's); by_route /
   * by_model: Σ RequestRecord.preemptions of the subset's requests.
   */
  readonly preemptions: number;
  /** by_pool / by_role only: Σ prefixHitTokens / Σ prefixQueryTokens over the subset's replicas. */
  readonly prefix_cache_hit_rate?: number;
  /** by_pool / by_role only: Σ LoRA loads over the subset's replicas. */
  readonly lora_loads?: number;
  /** by_pool / by_role only: the subset's replicas, by name, in fleet order. */
  readonly replicas?: readonly string[];
  /** by_route only, when the run has resilience results (resilience.ts). */
  readonly resilience?: RequestOutcomeCounts;
}

/** The dimensions present in a summary (each absent when it does not split the run). */
export interface PoolBreakdown {
  readonly by_pool?: Readonly<Record<string, SubsetSummary>>;
  readonly by_route?: Readonly<Record<string, SubsetSummary>>;
  readonly by_model?: Readonly<Record<string, SubsetSummary>>;
  readonly by_role?: Readonly<Record<string, SubsetSummary>>;
}

export const NO_ROUTE = '(no route)';
export const DEFAULT_MODEL = '(default)';
export const UNLABELLED = 'unlabelled';
export const NOT_DISPATCHED = '(not dispatched)';

/** Name of pool i. */
export function poolName(run: Pick<PolicyRun, 'pools'>, i: number): string {
  return run.pools?.[i] ?? `pool-${i}`;
}

export function routeName(run: Pick<PolicyRun, 'routes'>, i: number): string {
  return i < 0 ? NO_ROUTE : (run.routes?.[i] ?? `route-${i}`);
}

/** Whether the run has more than one pool (named, or among the replicas and records). */
export function isMultiPool(run: Pick<PolicyRun, 'pools' | 'replicas' | 'records'>): boolean {
  return poolIndices(run).length > 1;
}

/** Every pool index of a run (named, of a replica or of a routed request), ascending. */
export function poolIndices(run: Pick<PolicyRun, 'pools' | 'replicas' | 'records'>, routed: Iterable<number> = []): number[] {
  const seen = new Set<number>((run.pools ?? []).map((_, i) => i));
  for (const r of run.replicas) seen.add(r.pool);
  for (const r of run.records) if (r.pool >= 0) seen.add(r.pool);
  for (const p of routed) seen.add(p);
  return [...seen].sort((a, b) => a - b);
}

/** Whether any replica carries a role label. */
export function hasRoles(replicas: readonly ReplicaStats[]): boolean {
  return replicas.some((r) => r.role !== '');
}

/** Whether the replicas run more than one GPU type. */
export function isMixedGpu(replicas: readonly ReplicaStats[]): boolean {
  return new Set(replicas.map((r) => r.gpu)).size > 1;
}

/** Sorted counts of a key over the records with `outcome` ('' counts as `unspecified`). */
function reasons(records: readonly RequestRecord[], outcome: RequestRecord['outcome']): Record<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) {
    if (r.outcome !== outcome) continue;
    const k = r.reason || UNSPECIFIED_REASON;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return sortedCounts(counts);
}


/**
 * Figures of one subset. `inWindow` selects the measured records; `durationS` is the whole
 * window's duration (goodput rate denominator); `replicas` the subset's replicas, when it is one.
 */
export function subsetSummary(group: readonly RequestRecord[], inWindow: (r: RequestRecord) => boolean, slo: SloConfig, durationS: number, replicas?: readonly ReplicaStats[], extra: ExtraKeys = NO_EXTRA_KEYS): SubsetSummary {
  const { completed, rejected, dropped, failed } = outcomeCounts(group, extra);
  let recordPreemptions = 0;
  for (const r of group) recordPreemptions += r.preemptions;
  const measured = group.filter(inWindow);
  const f = subsetFigures(measured, slo, durationS);
  const done = measured.filter((r) => r.outcome === 'completed');
  const counts: SubsetCounts = {
    arrived: group.length,
    completed,
    rejected,
    rejected_by_reason: reasons(group, 'rejected'),
    dropped,
    dropped_by_reason: reasons(group, 'dropped'),
    ...(failed !== undefined ? { failed, failed_by_reason: reasons(group, 'failed') } : {}),
  };
  const queue = latencyStats(done.map((r) => (r.scheduledUs - r.enqueueUs) / 1000));
  return subsetSummaryOf(counts, f, queue, replicas === undefined ? { preemptions: recordPreemptions } : replicaFigures(replicas), extra.resilience ? requestOutcomeCounts(group) : undefined);
}

/** The counts and reasons of a subset entry (`failed` ones only when the run has failed streams). */
export type SubsetCounts = Pick<SubsetSummary, 'arrived' | 'completed' | 'rejected' | 'rejected_by_reason' | 'dropped' | 'dropped_by_reason' | 'failed' | 'failed_by_reason'>;

/**
 * A by_pool / by_route / by_model / by_role entry from its parts (the record path and the streamed
 * summary build the same shape): `place` is the record preemptions, or for pools and roles their
 * replicas' counters (replicaFigures).
 */
export function subsetSummaryOf(counts: SubsetCounts, f: Figures, queue: LatencyStats, place: Pick<SubsetSummary, 'preemptions' | 'prefix_cache_hit_rate' | 'lora_loads' | 'replicas'>, resilience?: RequestOutcomeCounts): SubsetSummary {
  return { ...counts, ttft_ms: f.ttft_ms, tpot_ms: f.tpot_ms, e2e_ms: f.e2e_ms, queue_ms: queue, throughput: f.throughput, goodput: f.goodput, ...place, ...(resilience !== undefined ? { resilience } : {}) };
}

/** by_pool / by_role: the subset's replicas' counters (preemptions, prefix-cache hit rate, LoRA loads) and names. */
export function replicaFigures(replicas: readonly ReplicaStats[]): Required<Pick<SubsetSummary, 'preemptions' | 'prefix_cache_hit_rate' | 'lora_loads' | 'replicas'>> {
  let queries = 0;
  let hits = 0;
  let preemptions = 0;
  let loraLoads = 0;
  for (const r of replicas) {
    queries += r.prefixQueryTokens;
    hits += r.prefixHitTokens;
    preemptions += r.preemptions;
    loraLoads += r.loraLoads;
  }
  return { preemptions, prefix_cache_hit_rate: round4(ratio(hits, queries)), lora_loads: loraLoads, replicas: replicas.map((r) => r.name) };
}

/**
 * The per-pool, per-route, per-model and per-role figures of a run, each only when it splits the
 * run: by_pool with more than one pool, by_route with more than one route key (a rule's name or
 * `(no route)`) or more than one named route, by_model with more than one model key, by_role when
 * any replica has a role label. `inWindow` and `durationS` are the main summary's.
 */
export function poolBreakdown(run: PolicyRun, inWindow: (r: RequestRecord) => boolean, slo: SloConfig, durationS: number): PoolBreakdown {
  const out: {
    by_pool?: Record<string, SubsetSummary>;
    by_route?: Record<string, SubsetSummary>;
    by_model?: Record<string, SubsetSummary>;
    by_role?: Record<string, SubsetSummary>;
  } = {};
  const records = run.records;
  // Issue 11: `failed` on every subset when some request failed; resilience counts per route only.
  const failedOnly: ExtraKeys = { failed: hasFailed(records), resilience: false };
  const withResilience: ExtraKeys = { ...failedOnly, resilience: hasResilience(run) };

  if (isMultiPool(run)) {
    const byPool: Record<string, SubsetSummary> = {};
    for (const i of poolIndices(run)) {
      const group = records.filter((r) => r.pool === i);
      byPool[poolName(run, i)] = subsetSummary(group, inWindow, slo, durationS, run.replicas.filter((r) => r.pool === i), failedOnly);
    }
    out.by_pool = byPool;
  }

  const routes = new Map(groupBy(records, (r) => routeName(run, r.route)));
  if (routes.size > 1 || (run.routes?.length ?? 0) > 1) {
    const byRoute: Record<string, SubsetSummary> = {};
    // Every named rule appears, with zero counts when nothing matched it.
    for (const name of run.routes ?? []) if (!routes.has(name)) routes.set(name, []);
    for (const k of [...routes.keys()].sort()) byRoute[k] = subsetSummary(routes.get(k)!, inWindow, slo, durationS, undefined, withResilience);
    out.by_route = byRoute;
  }

  const models = new Map(groupBy(records, (r) => r.model || DEFAULT_MODEL));
  if (models.size > 1) {
    const byModel: Record<string, SubsetSummary> = {};
    for (const [k, g] of models) byModel[k] = subsetSummary(g, inWindow, slo, durationS, undefined, failedOnly);
    out.by_model = byModel;
  }

  if (hasRoles(run.replicas)) {
    const roleOf = (r: RequestRecord): string => {
      const rep = r.replica >= 0 ? run.replicas[r.replica] : undefined;
      return rep === undefined ? NOT_DISPATCHED : rep.role || UNLABELLED;
    };
    const roles = new Map(groupBy(records, roleOf));
    for (const rep of run.replicas) {
      const k = rep.role || UNLABELLED;
      if (!roles.has(k)) roles.set(k, []);
    }
    const byRole: Record<string, SubsetSummary> = {};
    for (const k of [...roles.keys()].sort()) {
      const reps = k === NOT_DISPATCHED ? undefined : run.replicas.filter((r) => (r.role || UNLABELLED) === k);
      byRole[k] = subsetSummary(roles.get(k)!, inWindow, slo, durationS, reps, failedOnly);
    }
    out.by_role = byRole;
  }
  return out;
}
