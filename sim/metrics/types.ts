/** What a simulation run records; summaries are computed from these (sim/metrics/summary.ts). */

export type Outcome = 'completed' | 'rejected';

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
  /** Last token / response complete as the client sees it (engine time + α2 + α1). */
  lastTokenUs: number;
  /** Sum of the durations of the steps that computed this request's prompt (its own prefill time). */
  prefillUs: number;
  preemptions: number;
  outcome: Outcome;
  /** Why it was rejected ('' when completed). */
  reason: string;
  readonly adapter: string | null;
  readonly priority: number;
}

/** Per-replica counters at the end of a run. */
export interface ReplicaStats {
  readonly name: string;
  requests: number;
  completed: number;
  inputTokens: number;
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
  readonly replicas: ReplicaStats[];
  readonly itl: ItlCounts;
  /** Time of the last event, µs. */
  readonly endUs: number;
}
