/**
 * Per-policy summary of one simulation run: the numbers that go into results.json, the comparison
 * table and the README. Every definition below is the one documented there.
 *
 * Conventions:
 * - Latencies are in milliseconds and computed over **completed** requests only.
 * - Quantiles use simple-statistics' `quantileSorted` (linear interpolation, R/numpy type 7:
 *   index (n − 1)·p into the sorted samples, p = 0 → first, p = 1 → last).
 * - Every non-integer figure is rounded to 4 decimal places (`round4`) so the JSON output is
 *   byte-stable and readable. A statistic with no samples is `null`.
 * - Multi-pool, multi-route, multi-model, role-labelled and P/D runs (issue 10) add by_pool,
 *   by_route, by_model, by_role (pools.ts), pd (pdBreakdown.ts, ../shared/reference/gateway.md §4.6)
 *   and each replica's pool, GPU and role; a single-pool homogeneous unlabelled run gets none of
 *   them, so its summary is byte-identical to before.
 * - A fleet that fails and scales (issue 11, ../shared/reference/gateway.md §3, §5, §6) adds
 *   `failed` / `failed_by_reason` (some stream broke), `resilience` (resilience.ts: counters,
 *   timeouts, rate limits, retries, also per route in by_route and per tenant in by_class.tenant)
 *   and `replicas_over_time` (replicaTimeline.ts), each only when the run has it.
 */
import { mean, standardDeviation } from 'simple-statistics';
import type { SloConfig } from '../scenario/types.js';
import type { PolicyRun, ReplicaStats, RequestRecord } from './types.js';
import { durationSeconds, latencyStats, itlStats, ratio, round4, round4OrNull, sortedCounts, UNSPECIFIED_REASON, type GoodputStats, type LatencyStats, type ThroughputStats } from './latency.js';
import { classBreakdown, stageSummaries, subsetFigures, type ClassBreakdown, type StageSpan, type StageSummary } from './breakdown.js';
import { steadyState, type SteadyState } from './steadyState.js';
import { excludedBuckets } from './itlTimeline.js';
import { hasRoles, isMixedGpu, isMultiPool, poolBreakdown, poolName, type SubsetSummary } from './pools.js';
import { hasPd, pdBreakdown, type PdSummary } from './pdBreakdown.js';
import { hasFailed, hasResilience, resilienceSummary, type ResilienceSummary } from './resilience.js';
import { replicasOverTime, type ReplicasOverTime } from './replicaTimeline.js';

export * from './latency.js';
export type { ClassBreakdown, ClassSummary, StageSpan, StageSummary } from './breakdown.js';
export type { SteadyState } from './steadyState.js';
export type { SubsetSummary } from './pools.js';
export type { PdSummary, PartStats } from './pdBreakdown.js';
export type { ResilienceSummary, RequestOutcomeCounts } from './resilience.js';
export type { ReplicasOverTime, PoolTimelineSummary } from './replicaTimeline.js';

export interface ReplicaSummary {
  readonly name: string;
  /** Pool name, GPU type and `llm-d.ai/role` ('' = unlabelled): only in a multi-pool, mixed-GPU or role-labelled run. */
  readonly pool?: string;
  readonly gpu?: string;
  readonly role?: string;
  /** Requests dispatched to this replica. */
  readonly requests: number;
  /** requests / Σ requests over all replicas (0 when nothing was dispatched). */
  readonly share: number;
  readonly completed: number;
  readonly input_tokens: number;
  readonly output_tokens: number;
  /** prefixHitTokens / prefixQueryTokens (0 when no queries). */
  readonly prefix_cache_hit_rate: number;
  readonly preemptions: number;
  readonly lora_loads: number;
  /** busyUs / run endUs (0 when endUs is 0). */
  readonly busy_fraction: number;
  readonly num_gpu_blocks: number;
}

export interface BalanceStats {
  /** Coefficient of variation of per-replica request counts: population std / mean (0 when mean is 0). */
  readonly request_share_cv: number;
}

export interface PolicySummary {
  /** Number of request records (every arrival: completed, rejected or dropped). */
  readonly arrived: number;
  readonly completed: number;
  readonly rejected: number;
  /** Rejected requests per reason, keys sorted. */
  readonly rejected_by_reason: Readonly<Record<string, number>>;
  /** Requests the gateway answered with an HTTP error instead of dispatching (shed, no endpoint, TTL). */
  readonly dropped: number;
  /** Dropped requests per HTTP status ("429", "503", "500"), keys sorted. */
  readonly dropped_by_status: Readonly<Record<string, number>>;
  /** Dropped requests per reason code (a fixed set, README), keys sorted. */
  readonly dropped_by_reason: Readonly<Record<string, number>>;
  /** Issue 11, only when some request failed: streams that started and broke (the client saw tokens, no [DONE]). */
  readonly failed?: number;
  /** Failed streams per reason (`replica-failed`, `timeout`), keys sorted; with `failed` only. */
  readonly failed_by_reason?: Readonly<Record<string, number>>;
  /** Requests arrived and none completed: every one was rejected or dropped (the CLI warns). */
  readonly all_failed: boolean;
  /** firstTokenUs − arrivalUs (measured window). */
  readonly ttft_ms: LatencyStats;
  /** (lastTokenUs − firstTokenUs) / (outputTokens − 1), requests with outputTokens > 1 only (measured window). */
  readonly tpot_ms: LatencyStats;
  /** Gap between consecutive output tokens, token-weighted, of the tokens emitted in the window (100 ms resolution). */
  readonly itl_ms: LatencyStats;
  /** endUs − arrivalUs: response complete (last token + completion overhead α1) − arrival (measured window). */
  readonly e2e_ms: LatencyStats;
  /** scheduledUs − enqueueUs (time in the replica's waiting queue until first scheduled). */
  readonly queue_ms: LatencyStats;
  readonly throughput: ThroughputStats;
  readonly goodput: GoodputStats;
  /** Σ prefixHitTokens / Σ prefixQueryTokens over replicas (0 when no queries). */
  readonly prefix_cache_hit_rate: number;
  /** Σ preemptions over replicas. */
  readonly preemptions: number;
  /** Σ LoRA adapter loads over replicas. */
  readonly lora_loads: number;
  /** Mean cachedTokens (prompt tokens served from the prefix cache) over completed requests; null if none. */
  readonly mean_cached_tokens: number | null;
  readonly replicas: readonly ReplicaSummary[];
  readonly balance: BalanceStats;
  /** Whether the backlog settled (steadyState.ts). */
  readonly steady_state: SteadyState;
  /** The measurement window the latency, throughput and goodput figures cover. */
  readonly window: MeasurementWindow;
  /** Figures per priority, tenant and adapter (breakdown.ts). */
  readonly by_class: ClassBreakdown;
  /** Figures per InferencePool (pools.ts): only with more than one pool. */
  readonly by_pool?: Readonly<Record<string, SubsetSummary>>;
  /** Figures per route rule, `(no route)` for 404s (pools.ts): only with more than one route. */
  readonly by_route?: Readonly<Record<string, SubsetSummary>>;
  /** Figures per requested model (pools.ts): only with more than one model. */
  readonly by_model?: Readonly<Record<string, SubsetSummary>>;
  /** Figures per serving replica's `llm-d.ai/role` (pools.ts): only when some replica has a role label. */
  readonly by_role?: Readonly<Record<string, SubsetSummary>>;
  /** P/D TTFT decomposition (pdBreakdown.ts): only when some request was disaggregated or some replica has a role label. */
  readonly pd?: PdSummary;
  /** Per-stage figures of a rate ladder (absent without stages). */
  readonly stages?: readonly StageSummary[];
  /** Issue 11: resilience counters and request outcome totals (resilience.ts); only when the run has them. */
  readonly resilience?: ResilienceSummary;
  /** Issue 11: replicas over time per pool, GPU-hours and cost (replicaTimeline.ts); only with a replica timeline. */
  readonly replicas_over_time?: ReplicasOverTime;
}

/**
 * The measurement window: requests arriving in [from_s, to_s] (seconds of simulated time) count
 * for the latency, throughput and goodput figures; from_s = first arrival + warmup_s, to_s = last
 * arrival − cooldown_s. Counts (arrived, completed, rejected, dropped) cover every request.
 */
export interface MeasurementWindow {
  readonly warmup_s: number;
  readonly cooldown_s: number;
  readonly from_s: number;
  readonly to_s: number;
}

/** How to summarise beyond the SLOs; every field optional. */
export interface SummaryOptions {
  /** Warm-up excluded from the figures, s; null = the automatic default (AUTO_WARMUP_*); absent = 0. */
  readonly warmup_s?: number | null;
  /** Cool-down excluded from the figures, s; absent = 0. */
  readonly cooldown_s?: number;
  /** Stages of a rate ladder, for `stages`. */
  readonly stages?: readonly StageSpan[];
  /** Tenant names by client index, for `by_class.tenant`. */
  readonly tenantNames?: readonly string[];
  /** $/h per GPU by GPU type (the scenario's price table): adds `cost_usd` to `replicas_over_time`. */
  readonly gpuPrices?: Readonly<Record<string, number>>;
}

/** Automatic warm-up: this fraction of the arrival span … */
export const AUTO_WARMUP_FRACTION = 0.1;
/** … capped at this many seconds. */
export const AUTO_WARMUP_CAP_S = 60;

/** The measurement window of records whose arrivals span [firstUs, lastUs]. */
export function measurementWindow(firstUs: number, lastUs: number, opts: SummaryOptions): MeasurementWindow {
  const spanS = Math.max(0, (lastUs - firstUs) / 1e6);
  const warmup = opts.warmup_s === null ? Math.min(AUTO_WARMUP_CAP_S, AUTO_WARMUP_FRACTION * spanS) : (opts.warmup_s ?? 0);
  const cooldown = opts.cooldown_s ?? 0;
  const first = Number.isFinite(firstUs) ? firstUs / 1e6 : 0;
  const last = Number.isFinite(lastUs) ? lastUs / 1e6 : 0;
  return { warmup_s: round4(warmup), cooldown_s: round4(cooldown), from_s: round4(first + warmup), to_s: round4(last - cooldown) };
}

function countBy(records: readonly RequestRecord[], outcome: RequestRecord['outcome'], key: (r: RequestRecord) => string): Record<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) {
    if (r.outcome !== outcome) continue;
    const k = key(r) || UNSPECIFIED_REASON;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return sortedCounts(counts);
}



/** Per-replica figures; `place` adds each replica's pool name, GPU and role (multi-pool, mixed or labelled runs). */
function replicaSummaries(replicas: readonly ReplicaStats[], endUs: number, place?: Pick<PolicyRun, 'pools'>): ReplicaSummary[] {
  const dispatched = replicas.reduce((s, r) => s + r.requests, 0);
  return replicas.map((r) => ({
    name: r.name,
    ...(place !== undefined ? { pool: poolName(place, r.pool), gpu: r.gpu, role: r.role } : {}),
    requests: r.requests,
    share: round4(ratio(r.requests, dispatched)),
    completed: r.completed,
    input_tokens: r.inputTokens,
    output_tokens: r.outputTokens,
    prefix_cache_hit_rate: round4(ratio(r.prefixHitTokens, r.prefixQueryTokens)),
    preemptions: r.preemptions,
    lora_loads: r.loraLoads,
    busy_fraction: round4(ratio(r.busyUs, endUs)),
    num_gpu_blocks: r.numGpuBlocks,
  }));
}

/** Population std / mean of per-replica request counts (0 with no replicas or no requests). */
export function requestShareCv(replicas: readonly ReplicaStats[]): number {
  if (replicas.length === 0) return 0;
  const counts = replicas.map((r) => r.requests);
  const m = mean(counts);
  return m === 0 ? 0 : round4(standardDeviation(counts) / m);
}

/** The summary's figures from the replicas' counters (no request records needed). */
export function fleetFigures(run: Pick<PolicyRun, 'replicas' | 'endUs' | 'pools' | 'records'>): Pick<PolicySummary, 'prefix_cache_hit_rate' | 'preemptions' | 'lora_loads' | 'replicas' | 'balance'> {
  let queries = 0;
  let hits = 0;
  let preemptions = 0;
  let loraLoads = 0;
  for (const r of run.replicas) {
    queries += r.prefixQueryTokens;
    hits += r.prefixHitTokens;
    preemptions += r.preemptions;
    loraLoads += r.loraLoads;
  }
  const placed = isMultiPool(run) || isMixedGpu(run.replicas) || hasRoles(run.replicas);
  return {
    prefix_cache_hit_rate: round4(ratio(hits, queries)),
    preemptions,
    lora_loads: loraLoads,
    replicas: replicaSummaries(run.replicas, run.endUs, placed ? run : undefined),
    balance: { request_share_cv: requestShareCv(run.replicas) },
  };
}

/** Summarises one policy's run against the scenario's SLOs (and measurement window, stages, tenants). */
export function summarize(run: PolicyRun, slo: SloConfig, opts: SummaryOptions = {}): PolicySummary {
  const records = run.records;
  let firstUs = Infinity;
  let lastUs = -Infinity;
  for (const r of records) {
    if (r.arrivalUs < firstUs) firstUs = r.arrivalUs;
    if (r.arrivalUs > lastUs) lastUs = r.arrivalUs;
  }
  const window = measurementWindow(firstUs, lastUs, opts);
  // Bounds in whole µs, inclusive: every record when there is no warm-up and no cool-down.
  const fromUs = firstUs + Math.round(window.warmup_s * 1e6);
  const toUs = lastUs - Math.round(window.cooldown_s * 1e6);
  const inWindow = (r: RequestRecord): boolean => r.arrivalUs >= fromUs && r.arrivalUs <= toUs;
  const measured = window.warmup_s === 0 && window.cooldown_s === 0 ? records : records.filter(inWindow);
  const completed = measured.filter((r) => r.outcome === 'completed');
  let completedAll = 0;
  let rejected = 0;
  for (const r of records) {
    if (r.outcome === 'completed') completedAll++;
    else if (r.outcome === 'rejected') rejected++;
  }
  const f = subsetFigures(measured, slo);
  // ITL by emission time: leave out the buckets before the window and, with a cool-down, after it.
  // Exact to a bucket when the run was simulated with the same report settings (the simulation
  // buckets only as far as the warm-up can reach); otherwise only the bucketed part is left out.
  const excluded = run.itlTimeline === undefined || measured === records ? [] : excludedBuckets(run.itlTimeline, fromUs, window.cooldown_s > 0 ? toUs : Infinity);

  const durationS = durationSeconds(measured, completed);
  const extra = { failed: hasFailed(records), resilience: hasResilience(run) };
  const fleet = fleetFigures(run);

  return {
    arrived: records.length,
    completed: completedAll,
    rejected,
    rejected_by_reason: countBy(records, 'rejected', (r) => r.reason),
    dropped: records.filter((r) => r.outcome === 'dropped').length,
    dropped_by_status: countBy(records, 'dropped', (r) => String(r.status)),
    dropped_by_reason: countBy(records, 'dropped', (r) => r.reason),
    ...(extra.failed ? { failed: records.filter((r) => r.outcome === 'failed').length, failed_by_reason: countBy(records, 'failed', (r) => r.reason) } : {}),
    all_failed: records.length > 0 && completedAll === 0,
    ttft_ms: f.ttft_ms,
    tpot_ms: f.tpot_ms,
    itl_ms: itlStats(run.itl, excluded),
    e2e_ms: f.e2e_ms,
    queue_ms: latencyStats(completed.map((r) => (r.scheduledUs - r.enqueueUs) / 1000)),
    throughput: f.throughput,
    goodput: f.goodput,
    prefix_cache_hit_rate: fleet.prefix_cache_hit_rate,
    preemptions: fleet.preemptions,
    lora_loads: fleet.lora_loads,
    mean_cached_tokens: round4OrNull(completed.length > 0 ? mean(completed.map((r) => r.cachedTokens)) : null),
    replicas: fleet.replicas,
    balance: fleet.balance,
    steady_state: steadyState(records),
    window,
    by_class: classBreakdown(records, inWindow, slo, f, durationS, opts.tenantNames, extra),
    ...poolBreakdown(run, inWindow, slo, durationS),
    ...(hasPd(records, run.replicas) ? { pd: pdBreakdown(measured) } : {}),
    ...(opts.stages !== undefined && opts.stages.length > 0 ? { stages: stageSummaries(records, opts.stages, slo, extra) } : {}),
    ...(extra.resilience ? { resilience: resilienceSummary(run) } : {}),
    ...(run.replicaTimeline !== undefined ? { replicas_over_time: replicasOverTime(run.replicaTimeline, opts.gpuPrices) } : {}),
  };
}
