/** Record fixtures for summary/report tests: a completed record and replica counters, with overrides. */
import { newReplicaStats, newRequestRecord } from '../sim/metrics/records.js';
import type { ReplicaStats, RequestRecord } from '../sim/metrics/types.js';

/**
 * A completed record whose every time equals its arrival; override any field. The end (response
 * complete) defaults to the last token, i.e. no completion overhead.
 */
export function completedRecord(over: Partial<RequestRecord> & Pick<RequestRecord, 'id' | 'arrivalUs'>): RequestRecord {
  const t = over.arrivalUs;
  return {
    ...newRequestRecord({ id: over.id, arrivalUs: t, inputTokens: 100, outputTokens: 10, adapter: null, priority: 0 }),
    dispatchUs: t,
    replica: 0,
    enqueueUs: t,
    scheduledUs: t,
    firstTokenUs: t,
    lastTokenUs: t,
    outcome: 'completed',
    reason: '',
    ...over,
    endUs: over.endUs ?? over.lastTokenUs ?? t,
  };
}

export function replicaStats(over: Partial<ReplicaStats> & Pick<ReplicaStats, 'name'>): ReplicaStats {
  return { ...newReplicaStats(over.name, 1000), ...over };
}
