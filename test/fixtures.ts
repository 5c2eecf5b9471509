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

/**
 * The TTFT-over-time example (reportReadable.test.ts, streamBlocks.test.ts): in 1 s bins by arrival,
 * bin 0 holds TTFTs 100 and 300 ms, bin 1 50 ms, bin 2 only a rejected request, bin 3 80 ms.
 */
export function ttftOverTimeExample(): RequestRecord[] {
  const rec = completedRecord;
  return [
    rec({ id: 0, arrivalUs: 0, firstTokenUs: 100_000 }), // bin 0, TTFT 100 ms
    rec({ id: 1, arrivalUs: 400_000, firstTokenUs: 700_000 }), // bin 0, 300 ms
    rec({ id: 2, arrivalUs: 1_200_000, firstTokenUs: 1_250_000 }), // bin 1, 50 ms
    rec({ id: 3, arrivalUs: 2_500_000, outcome: 'rejected', firstTokenUs: -1 }), // not completed: ignored
    rec({ id: 4, arrivalUs: 3_100_000, firstTokenUs: 3_180_000 }), // bin 3, 80 ms
  ];
}
