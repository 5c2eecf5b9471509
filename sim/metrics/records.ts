/** Fresh per-request records and per-replica counters (every time -1, every count 0). */
import type { ReplicaStats, RequestRecord } from './types.js';

export interface RecordSource {
  readonly id: number;
  readonly arrivalUs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly adapter: string | null;
  readonly priority: number;
  readonly client?: number;
  readonly model?: string;
}

/** A record for a request that has just arrived; its outcome stays 'rejected'/'incomplete' until it ends. */
export function newRequestRecord(req: RecordSource): RequestRecord {
  return {
    id: req.id,
    arrivalUs: req.arrivalUs,
    dispatchUs: -1,
    replica: -1,
    inputTokens: req.inputTokens,
    outputTokens: req.outputTokens,
    cachedTokens: 0,
    enqueueUs: -1,
    scheduledUs: -1,
    firstTokenUs: -1,
    lastTokenUs: -1,
    endUs: -1,
    prefillUs: 0,
    preemptions: 0,
    outcome: 'rejected',
    reason: 'incomplete',
    detail: '',
    status: 0,
    adapter: req.adapter,
    priority: req.priority,
    client: req.client !== undefined && req.client >= 0 ? req.client : -1,
    pool: -1,
    route: -1,
    model: req.model ?? '',
    prefillReplica: -1,
    prefillQueueUs: -1,
    prefillComputeUs: -1,
    decodeQueueUs: -1,
    kvTransferUs: -1,
    kvTransferBytes: 0,
    kvReadyUs: -1,
    attempts: 0,
    fallback: false,
  };
}

/** Where a replica sits: pool index, GPU type and `llm-d.ai/role` label ('' = unlabelled). */
export interface ReplicaPlace {
  readonly pool: number;
  readonly gpu: string;
  readonly role: string;
}

const NO_PLACE: ReplicaPlace = { pool: 0, gpu: '', role: '' };

export function newReplicaStats(name: string, numGpuBlocks: number, place: ReplicaPlace = NO_PLACE): ReplicaStats {
  return {
    name,
    pool: place.pool,
    gpu: place.gpu,
    role: place.role,
    requests: 0,
    completed: 0,
    inputTokens: 0,
    outputTokens: 0,
    prefixQueryTokens: 0,
    prefixHitTokens: 0,
    preemptions: 0,
    loraLoads: 0,
    steps: 0,
    busyUs: 0,
    numGpuBlocks,
  };
}
