/**
 * One subset of a streamed run (the whole run, a priority / tenant / adapter class, a pool, route,
 * model or load stage): outcome counts, reasons and preemptions over every request of the subset,
 * and the figures of its requests in the measurement window (TTFT, TPOT, E2E and queue sketches,
 * token sums, the SLO count, the first arrival and last completion), folded in one record at a
 * time. The figures follow breakdown.ts `subsetFigures`, pools.ts `subsetSummary` and latency.ts,
 * exactly while the latency columns are exact (latencyColumn.ts: up to EXACT_VALUES requests).
 */
import type { SloConfig } from '../../scenario/types.js';
import type { RequestRecord } from '../types.js';
import { durationFrom, goodputFrom, meetsSlo, sortedCounts, throughputFrom, tpotMs, ttftMs, e2eMs, UNSPECIFIED_REASON } from '../latency.js';
import { classSummaryOf, type ClassSummary, type EntryCounts, type Figures } from '../breakdown.js';
import { replicaFigures, subsetSummaryOf, type SubsetCounts, type SubsetSummary } from '../pools.js';
import { bump } from '../resilienceCounts.js';
import type { ReplicaStats } from '../types.js';
import { OutcomeTally } from '../resilience.js';
import { EXACT_VALUES, LatencyColumn } from './latencyColumn.js';
import type { WindowFields } from './heldRequests.js';

export class SubsetFolder {
  /** Every request of the subset, by outcome. */
  arrived = 0;
  completed = 0;
  rejected = 0;
  dropped = 0;
  failed = 0;
  /** Reasons of the rejected, dropped and failed requests ('' counts as `unspecified`). */
  readonly reasons = { rejected: new Map<string, number>(), dropped: new Map<string, number>(), failed: new Map<string, number>() };
  /** Σ preemptions of the subset's requests. */
  preemptions = 0;
  /** Timeouts, limits, failures and retries of the subset's requests (resilience.ts). */
  readonly outcomes = new OutcomeTally();
  /** Requests of the subset in the measurement window (any outcome). */
  measured = 0;
  /** Completed requests in the window meeting every SLO. */
  good = 0;
  readonly ttft: LatencyColumn;
  readonly tpot: LatencyColumn;
  readonly e2e: LatencyColumn;
  readonly queue: LatencyColumn;
  /** Completed requests in the window and their token sums (integers: exact). */
  measuredCompleted = 0;
  inputTokens = 0;
  outputTokens = 0;
  /** Earliest arrival of a request in the window; latest end of a completed one in it. */
  firstArrivalUs = Infinity;
  lastEndUs = -Infinity;

  /**
   * @param within the subset this one is part of, measured just before it for each request (the
   *   whole run for a class, pool or route): its latency columns share that one's values while they
   *   are the same (latencyColumn.ts).
   * @param exactValues values each latency keeps exactly before moving to a sketch.
   */
  constructor(
    private readonly slo: SloConfig,
    within?: SubsetFolder,
    exactValues = EXACT_VALUES,
  ) {
    this.ttft = new LatencyColumn(within?.ttft ?? null, exactValues);
    this.tpot = new LatencyColumn(within?.tpot ?? null, exactValues);
    this.e2e = new LatencyColumn(within?.e2e ?? null, exactValues);
    this.queue = new LatencyColumn(within?.queue ?? null, exactValues);
  }

  /** Whether its latency figures are exact (latencyColumn.ts). */
  get exact(): boolean {
    return this.ttft.exact && this.tpot.exact && this.e2e.exact && this.queue.exact;
  }

  /** Counts a request that ended (every request, in the window or not). */
  count(r: RequestRecord): void {
    this.arrived++;
    this.preemptions += r.preemptions;
    this.outcomes.add(r);
    if (r.outcome === 'completed') {
      this.completed++;
      return;
    }
    if (r.outcome === 'rejected') this.rejected++;
    else if (r.outcome === 'failed') this.failed++;
    else this.dropped++;
    bump(r.outcome === 'rejected' ? this.reasons.rejected : r.outcome === 'failed' ? this.reasons.failed : this.reasons.dropped, r.reason || UNSPECIFIED_REASON);
  }

  /** Adds a request of the measurement window to the figures. */
  measure(fields: WindowFields): void {
    // The latency helpers read only window fields (earlyBuffer.ts keeps exactly those).
    const r = fields as RequestRecord;
    this.measured++;
    if (r.arrivalUs < this.firstArrivalUs) this.firstArrivalUs = r.arrivalUs;
    if (r.outcome !== 'completed') return;
    this.measuredCompleted++;
    if (r.endUs > this.lastEndUs) this.lastEndUs = r.endUs;
    this.inputTokens += r.inputTokens;
    this.outputTokens += r.outputTokens;
    this.ttft.add(ttftMs(r));
    this.e2e.add(e2eMs(r));
    this.queue.add((r.scheduledUs - r.enqueueUs) / 1000);
    const tpot = tpotMs(r);
    if (tpot !== null) this.tpot.add(tpot);
    if (meetsSlo(r, this.slo)) this.good++;
  }

  /** As latency.ts durationSeconds over the window's requests. */
  durationS(): number {
    return durationFrom(this.firstArrivalUs, this.lastEndUs, this.measuredCompleted);
  }

  /** As breakdown.ts subsetFigures: goodput over `goodputDurationS` when given, else the subset's own duration. */
  figures(goodputDurationS?: number): Figures {
    const d = this.durationS();
    return {
      ttft_ms: this.ttft.stats(),
      tpot_ms: this.tpot.stats(),
      e2e_ms: this.e2e.stats(),
      throughput: throughputFrom(this.measuredCompleted, this.inputTokens, this.outputTokens, d),
      goodput: goodputFrom(this.good, this.measured, goodputDurationS ?? d),
    };
  }

  /** The outcome counts of a class or stage entry. */
  counts(withFailed: boolean): EntryCounts {
    return { completed: this.completed, rejected: this.rejected, dropped: this.dropped, ...(withFailed ? { failed: this.failed } : {}) };
  }

  /** A by_pool / by_route / by_model / by_role entry (pools.ts subsetSummary); `replicas` for pools and roles. */
  subsetSummary(durationS: number, withFailed: boolean, replicas?: readonly ReplicaStats[], withResilience = false): SubsetSummary {
    const counts: SubsetCounts = {
      arrived: this.arrived,
      completed: this.completed,
      rejected: this.rejected,
      rejected_by_reason: sortedCounts(this.reasons.rejected),
      dropped: this.dropped,
      dropped_by_reason: sortedCounts(this.reasons.dropped),
      ...(withFailed ? { failed: this.failed, failed_by_reason: sortedCounts(this.reasons.failed) } : {}),
    };
    const place = replicas === undefined ? { preemptions: this.preemptions } : replicaFigures(replicas);
    return subsetSummaryOf(counts, this.figures(durationS), this.queue.stats(), place, withResilience ? this.outcomes.counts() : undefined);
  }

  /** A by_class entry (breakdown.ts classesBy): the whole run's figures when the class is every request. */
  classSummary(whole: SubsetFolder, durationS: number, withFailed: boolean, withResilience = false): ClassSummary {
    const f = this.arrived === whole.arrived ? whole.figures() : this.figures(durationS);
    return classSummaryOf(this.arrived, this.counts(withFailed), f, withResilience ? this.outcomes.counts() : undefined);
  }
}
