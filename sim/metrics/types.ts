/** What a simulation run records; summaries are computed from these (sim/metrics/summary.ts). */
import type { ItlBuckets } from './itlTimeline.js';

/**
 * completed: the last token reached the client. rejected: the engine refused it (too long, LoRA not
 * servable). dropped: the gateway answered with an HTTP error (429 shed / no endpoint, 503 no
 * candidates or flow-control TTL, 500 admission plugin) and never sent it to a replica.
 * Issue 11 widens dropped to any HTTP error answer the client got before a token: also 504 request
 * timeout, 429 rate limit, 503 circuit breaker overflow, 503 replica failure before headers, after
 * any retries. failed: the stream had started (the client saw tokens) and broke — the replica died
 * or the request timed out mid-stream (a truncated stream, no [DONE]).
 */
export type Outcome = 'completed' | 'rejected' | 'dropped' | 'failed';

/** One request's life, all times integer µs from the start of the run (-1 = did not happen). */
export interface RequestRecord {
  readonly id: number;
  readonly arrivalUs: number;
  /** When the gateway sent it to a replica. */
  dispatchUs: number;
  /** Replica index, or -1. */
  replica: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Prompt tokens served from the engine's prefix cache at first scheduling. */
  cachedTokens: number;
  /** When the request entered the replica's waiting queue (after α0). */
  enqueueUs: number;
  /** When it was first scheduled into a batch. */
  scheduledUs: number;
  /** First token as the client sees it (engine time + α2). */
  firstTokenUs: number;
  /** Last token as the client sees it (engine time + α2), like firstTokenUs. */
  lastTokenUs: number;
  /**
   * When the request's life ended: completed → response complete (lastTokenUs + α1, the completion
   * overhead); rejected → the engine refused it; dropped → the gateway answered with its error.
   */
  endUs: number;
  /** Sum of the durations of the steps that computed this request's prompt (its own prefill time). */
  prefillUs: number;
  preemptions: number;
  outcome: Outcome;
  /**
   * Why it was rejected or dropped ('' when completed): one of a fixed set of codes (engine
   * rejections: exceeds_max_model_len, exceeds_kv_capacity, lora_not_enabled, lora_rank_too_large,
   * from Replica.rejectionReason in sim/engine/replica.ts; gateway drops: REJECT_CODES in
   * policies/framework/director.ts).
   */
  reason: string;
  /** The live specifics of a drop (e.g. the pool saturation 0.93, the flow-control limit); '' when none. */
  detail: string;
  /** HTTP status the gateway answered for a dropped request (429, 503, 500); 0 otherwise. */
  status: number;
  /** LoRA adapter served (after any gateway model rewrite). */
  adapter: string | null;
  readonly priority: number;
  /** Client / tenant index, or -1 when the workload has none. */
  readonly client: number;
  /** Pool index the route sent it to, or -1 (no route matched: 404). */
  pool: number;
  /** Route rule index (ScenarioConfig.routes order), or -1 (no match). */
  route: number;
  /** Model name the request asked for ('' = the pool's base model, as in pre-pool workloads). */
  readonly model: string;
  /**
   * P/D disaggregation (gateway.md §4.6), -1 for an aggregated request: the prefill replica; its
   * queueing (enqueue on the prefill pod → scheduled) and compute (scheduled → 1-token completion);
   * decoder admission wait (decode enqueue → blocks allocated); KV pull (→ KV present) and its bytes
   * per GPU. TTFT = dispatch α0 + prefill queue + prefill compute + α0 (sidecar → decode vLLM) +
   * decode queue + transfer + first decode step (the remainder, `firstTokenUs` − KV present).
   */
  prefillReplica: number;
  prefillQueueUs: number;
  prefillComputeUs: number;
  decodeQueueUs: number;
  kvTransferUs: number;
  kvTransferBytes: number;
  /** When the pulled KV was present on the decode pod (the first decode step follows), µs; -1. */
  kvReadyUs: number;
  /** Tries sent to a replica (1 + retries that were sent; 0 if none was). Issue 11. */
  attempts: number;
  /** True when a route's fallback pool served (or last answered) it. */
  fallback: boolean;
}

/** Per-replica counters at the end of a run. */
export interface ReplicaStats {
  readonly name: string;
  /** Pool index (0 in a single-fleet scenario). */
  readonly pool: number;
  readonly gpu: string;
  /** `llm-d.ai/role` label, '' when unlabelled. */
  readonly role: string;
  /** Requests dispatched here by the gateway (including any the engine then rejected). */
  requests: number;
  completed: number;
  /** Prompt tokens of the requests the engine accepted into its waiting queue, once per request. */
  inputTokens: number;
  /** Output tokens of the requests that completed here. */
  outputTokens: number;
  /** Prompt tokens looked up in the prefix cache / found there (vllm:prefix_cache_queries/hits). */
  prefixQueryTokens: number;
  prefixHitTokens: number;
  preemptions: number;
  loraLoads: number;
  steps: number;
  busyUs: number;
  numGpuBlocks: number;
}

/**
 * Inter-token latencies without per-token arrays: a map from an ITL value (µs) to how many tokens
 * had it. Tokens of one step share a value, so the map stays about as large as the step count.
 */
export type ItlCounts = Map<number, number>;

export interface PolicyRun {
  readonly policy: string;
  readonly policyType: string;
  readonly records: RequestRecord[];
  /** Requests that arrived, when the run kept no records (RunOptions.keepRecords false; records is then empty). */
  readonly arrived?: number;
  readonly replicas: ReplicaStats[];
  /** The whole run's ITL histogram. */
  readonly itl: ItlCounts;
  /** The same by emission time up to the latest warm-up end (itlTimeline.ts); absent = not windowable. */
  readonly itlTimeline?: ItlBuckets;
  /** With a staged arrival profile: each stage's ITL histogram, by its requests' arrival (stageItl.ts). */
  readonly stageItl?: readonly ItlCounts[];
  /** Time of the last event, µs. */
  readonly endUs: number;
  /** Events the loop handled (a cost measure: an idle stretch must not add any). */
  readonly events?: number;
  /** Per-replica engine state and the router's scraped view over time (sim/metrics/samples.ts). */
  readonly samples?: ReplicaSamples;
  /** Pool names (RequestRecord.pool / ReplicaStats.pool index them); absent = one pool. */
  readonly pools?: readonly string[];
  /** Route rule names (RequestRecord.route indexes them). */
  readonly routes?: readonly string[];
  /** Issue 11: gateway resilience and fleet churn counters (absent when nothing of it is configured). */
  readonly resilience?: ResilienceCounters;
  /** Issue 11: each pool's replica count over time (absent without churn or autoscaling). */
  readonly replicaTimeline?: readonly PoolReplicaTimeline[];
}

/** What the gateway's resilience features did, whole run. */
export interface ResilienceCounters {
  /** Retries sent, by route name. */
  readonly retries: Readonly<Record<string, number>>;
  /** Retries skipped because the retry budget was exhausted, by route name. */
  readonly retriesOverBudget: Readonly<Record<string, number>>;
  /** Per-try timeouts, by route name. */
  readonly perTryTimeouts: Readonly<Record<string, number>>;
  /** Endpoint ejections by outlier detection, by pool name. */
  readonly ejections: Readonly<Record<string, number>>;
  /** Requests sent to a route's fallback pool, by route name. */
  readonly fallbacks: Readonly<Record<string, number>>;
}

/** One pool's replicas over time: a step function, a point at every change. */
export interface PoolReplicaTimeline {
  readonly pool: string;
  /** Change times, s; the first is 0. */
  readonly t_s: readonly number[];
  /** Replicas serving (Ready, in the picker's datastore) from each time on. */
  readonly ready: readonly number[];
  /** Replicas holding a GPU but not serving yet (scheduling, loading, warming) or draining. */
  readonly starting: readonly number[];
  /** GPU-seconds by GPU type (every replica that holds GPUs, TP counted). */
  readonly gpu_seconds: Readonly<Record<string, number>>;
}

/** One replica's sampled gauges: the engine's true values and the router's last scrape of them. */
export interface ReplicaSeries {
  readonly name: string;
  readonly waiting: readonly number[];
  readonly running: readonly number[];
  /** KV-cache blocks in use / total, 0..1. */
  readonly kvUsage: readonly number[];
  readonly scrapedWaiting: readonly number[];
  readonly scrapedRunning: readonly number[];
  readonly scrapedKvUsage: readonly number[];
}

/** Samples i = 0 … count − 1, sample i taken at i × intervalUs. */
export interface ReplicaSamples {
  readonly intervalUs: number;
  readonly count: number;
  readonly replicas: readonly ReplicaSeries[];
}
