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
 */
import { mean, quantileSorted, standardDeviation } from 'simple-statistics';
import type { SloConfig } from '../scenario/types.js';
import type { ItlCounts, PolicyRun, ReplicaStats, RequestRecord } from './types.js';

/** Mean and tail quantiles of a latency, in ms; every field null when there are no samples. */
export interface LatencyStats {
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

export interface ThroughputStats {
  /** (latest lastTokenUs of a completed request − earliest arrivalUs of any request) / 1e6; 0 when nothing completed. */
  readonly duration_s: number;
  /** Completed requests / duration_s (0 when duration_s is 0; same for the token rates). */
  readonly requests_per_s: number;
  /** Σ inputTokens of completed requests / duration_s. */
  readonly input_tokens_per_s: number;
  /** Σ outputTokens of completed requests / duration_s. */
  readonly output_tokens_per_s: number;
}

export interface GoodputStats {
  /** Completed requests meeting every set SLO / duration_s. */
  readonly requests_per_s: number;
  /** Completed requests meeting every set SLO / arrived requests (0 when nothing arrived). */
  readonly fraction: number;
}

export interface ReplicaSummary {
  readonly name: string;
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
  /** Dropped requests per reason, keys sorted. */
  readonly dropped_by_reason: Readonly<Record<string, number>>;
  /** Requests arrived and none completed: every one was rejected or dropped (the CLI warns). */
  readonly all_failed: boolean;
  /** firstTokenUs − arrivalUs. */
  readonly ttft_ms: LatencyStats;
  /** (lastTokenUs − firstTokenUs) / (outputTokens − 1), requests with outputTokens > 1 only. */
  readonly tpot_ms: LatencyStats;
  /** Gap between consecutive output tokens, from the run's token-weighted ITL histogram. */
  readonly itl_ms: LatencyStats;
  /** lastTokenUs − arrivalUs. */
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
}

/** A latency block with every field null (no samples). */
const EMPTY_LATENCY: LatencyStats = { mean: null, p50: null, p90: null, p95: null, p99: null };

/** Builds a rounded latency block from a mean and a quantile function over the same samples. */
function latencyBlock(meanValue: number, quantile: (p: number) => number): LatencyStats {
  return {
    mean: round4(meanValue),
    p50: round4(quantile(0.5)),
    p90: round4(quantile(0.9)),
    p95: round4(quantile(0.95)),
    p99: round4(quantile(0.99)),
  };
}

/** Rejection reason used when a rejected record carries an empty reason. */
export const UNSPECIFIED_REASON = 'unspecified';

/** Rounds to 4 decimal places deterministically (and turns -0 into 0). */
export function round4(x: number): number {
  return Number(x.toFixed(4)) + 0;
}

/** Rounds, keeping null. */
function round4OrNull(x: number | null): number | null {
  return x === null ? null : round4(x);
}

/** a / b, or 0 when b is 0 (or the quotient is not finite). */
function ratio(a: number, b: number): number {
  if (b === 0) return 0;
  const r = a / b;
  return Number.isFinite(r) ? r : 0;
}

/** Latency block over plain samples (any order), rounded; all null when empty. */
export function latencyStats(samples: readonly number[]): LatencyStats {
  if (samples.length === 0) return EMPTY_LATENCY;
  const sorted = [...samples].sort((a, b) => a - b);
  return latencyBlock(mean(sorted), (p) => quantileSorted(sorted, p));
}

/**
 * A sorted sequence given as distinct ascending values with repeat counts, i.e. the "virtual"
 * expansion v0×c0, v1×c1, …, without materialising it.
 */
export interface WeightedSorted {
  readonly values: readonly number[];
  /** cumulative[i] = c0 + … + ci (positive counts only). */
  readonly cumulative: readonly number[];
  /** Total number of virtual elements. */
  readonly n: number;
}

/** Builds the virtual sorted sequence of a value → count map (zero/negative counts dropped). */
export function weightedSorted(counts: ReadonlyMap<number, number>): WeightedSorted {
  const entries = [...counts.entries()].filter(([, c]) => c > 0).sort((a, b) => a[0] - b[0]);
  const values: number[] = [];
  const cumulative: number[] = [];
  let n = 0;
  for (const [v, c] of entries) {
    n += c;
    values.push(v);
    cumulative.push(n);
  }
  return { values, cumulative, n };
}

/** Element `k` (0-based) of the virtual expanded sequence (binary search on the cumulative counts). */
function elementAt(ws: WeightedSorted, k: number): number {
  let lo = 0;
  let hi = ws.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((ws.cumulative[mid] as number) > k) hi = mid;
    else lo = mid + 1;
  }
  return ws.values[lo] as number;
}

/**
 * Quantile of the virtual expanded sequence, reproducing simple-statistics `quantileSorted`
 * (v7.12, type 7) step for step so the result is bit-identical to running it on the expanded
 * array: idx = (n − 1)·p; p = 1 → last; p = 0 → first; non-integer idx → linear interpolation
 * between elements ⌊idx⌋ and ⌈idx⌉; integer idx → element idx.
 */
export function weightedQuantileSorted(ws: WeightedSorted, p: number): number {
  const n = ws.n;
  const idx = (n - 1) * p;
  if (n === 0) throw new Error('quantile requires at least one data point.');
  if (p < 0 || p > 1) throw new Error('quantiles must be between 0 and 1');
  if (p === 1) return ws.values[ws.values.length - 1] as number;
  if (p === 0) return ws.values[0] as number;
  if (idx % 1 !== 0) {
    const lower = Math.floor(idx);
    const upper = Math.ceil(idx);
    const fraction = idx - lower;
    const xl = elementAt(ws, lower);
    return xl + fraction * (elementAt(ws, upper) - xl);
  }
  return elementAt(ws, idx);
}

/**
 * ITL block from the µs → token-count histogram. Values are converted to ms before the quantile
 * (so quantiles equal `quantileSorted` on the expanded ms array); the mean is Σ(v·c)/Σc computed
 * in µs (exact for integer µs) and then divided by 1000.
 */
export function itlStats(itl: ItlCounts): LatencyStats {
  let totalUs = 0;
  const msCounts = new Map<number, number>();
  for (const [us, c] of itl) {
    if (c <= 0) continue;
    totalUs += us * c;
    const ms = us / 1000;
    msCounts.set(ms, (msCounts.get(ms) ?? 0) + c);
  }
  const ws = weightedSorted(msCounts);
  if (ws.n === 0) return EMPTY_LATENCY;
  return latencyBlock(totalUs / ws.n / 1000, (p) => weightedQuantileSorted(ws, p));
}

/** TTFT of a record in ms. */
export function ttftMs(r: RequestRecord): number {
  return (r.firstTokenUs - r.arrivalUs) / 1000;
}

/** E2E latency of a record in ms. */
export function e2eMs(r: RequestRecord): number {
  return (r.lastTokenUs - r.arrivalUs) / 1000;
}

/** TPOT of a record in ms, or null when it has a single output token (no inter-token gap). */
export function tpotMs(r: RequestRecord): number | null {
  if (r.outputTokens <= 1) return null;
  return (r.lastTokenUs - r.firstTokenUs) / (r.outputTokens - 1) / 1000;
}

/**
 * Whether a completed request meets every SLO that is set: TTFT ≤ slo.ttft_ms and TPOT ≤
 * slo.tpot_ms (inclusive). A request without a TPOT (one output token) passes the TPOT SLO.
 */
export function meetsSlo(r: RequestRecord, slo: SloConfig): boolean {
  if (slo.ttft_ms !== null && ttftMs(r) > slo.ttft_ms) return false;
  if (slo.tpot_ms !== null) {
    const tpot = tpotMs(r);
    if (tpot !== null && tpot > slo.tpot_ms) return false;
  }
  return true;
}

/** Records of one outcome counted by `key`, keys in sorted order (empty reason → `unspecified`). */
function countBy(records: readonly RequestRecord[], outcome: RequestRecord['outcome'], key: (r: RequestRecord) => string): Record<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) {
    if (r.outcome !== outcome) continue;
    const k = key(r) || UNSPECIFIED_REASON;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const out: Record<string, number> = {};
  for (const key of [...counts.keys()].sort()) out[key] = counts.get(key) as number;
  return out;
}

/**
 * Run duration in seconds: latest lastTokenUs of a completed request − earliest arrivalUs of any
 * request; 0 when nothing completed.
 */
export function durationSeconds(records: readonly RequestRecord[], completed: readonly RequestRecord[]): number {
  if (completed.length === 0) return 0;
  let firstArrival = Infinity;
  for (const r of records) firstArrival = Math.min(firstArrival, r.arrivalUs);
  let lastToken = -Infinity;
  for (const r of completed) lastToken = Math.max(lastToken, r.lastTokenUs);
  return Math.max(0, (lastToken - firstArrival) / 1e6);
}

/** Throughput of completed requests over `durationS` (unrounded); rates 0 when the duration is 0. */
function throughputStats(completed: readonly RequestRecord[], durationS: number): ThroughputStats {
  let inTok = 0;
  let outTok = 0;
  for (const r of completed) {
    inTok += r.inputTokens;
    outTok += r.outputTokens;
  }
  return {
    duration_s: round4(durationS),
    requests_per_s: round4(ratio(completed.length, durationS)),
    input_tokens_per_s: round4(ratio(inTok, durationS)),
    output_tokens_per_s: round4(ratio(outTok, durationS)),
  };
}

/** Per-replica figures. */
function replicaSummaries(replicas: readonly ReplicaStats[], endUs: number): ReplicaSummary[] {
  const dispatched = replicas.reduce((s, r) => s + r.requests, 0);
  return replicas.map((r) => ({
    name: r.name,
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

/** Summarises one policy's run against the scenario's SLOs. */
export function summarize(run: PolicyRun, slo: SloConfig): PolicySummary {
  const records = run.records;
  const completed = records.filter((r) => r.outcome === 'completed');
  const rejected = records.filter((r) => r.outcome === 'rejected').length;

  const tpots: number[] = [];
  for (const r of completed) {
    const t = tpotMs(r);
    if (t !== null) tpots.push(t);
  }

  const durationS = durationSeconds(records, completed);
  const good = completed.filter((r) => meetsSlo(r, slo)).length;
  const goodput: GoodputStats = {
    requests_per_s: round4(ratio(good, durationS)),
    fraction: round4(ratio(good, records.length)),
  };

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

  return {
    arrived: records.length,
    completed: completed.length,
    rejected,
    rejected_by_reason: countBy(records, 'rejected', (r) => r.reason),
    dropped: records.filter((r) => r.outcome === 'dropped').length,
    dropped_by_status: countBy(records, 'dropped', (r) => String(r.status)),
    dropped_by_reason: countBy(records, 'dropped', (r) => r.reason),
    all_failed: records.length > 0 && completed.length === 0,
    ttft_ms: latencyStats(completed.map(ttftMs)),
    tpot_ms: latencyStats(tpots),
    itl_ms: itlStats(run.itl),
    e2e_ms: latencyStats(completed.map(e2eMs)),
    queue_ms: latencyStats(completed.map((r) => (r.scheduledUs - r.enqueueUs) / 1000)),
    throughput: throughputStats(completed, durationS),
    goodput,
    prefix_cache_hit_rate: round4(ratio(hits, queries)),
    preemptions,
    lora_loads: loraLoads,
    mean_cached_tokens: round4OrNull(completed.length > 0 ? mean(completed.map((r) => r.cachedTokens)) : null),
    replicas: replicaSummaries(run.replicas, run.endUs),
    balance: { request_share_cv: requestShareCv(run.replicas) },
  };
}
