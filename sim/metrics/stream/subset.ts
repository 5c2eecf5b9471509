/**
 * One subset of a streamed run (the whole run, a priority / tenant / adapter class, a pool, route,
 * model or load stage): outcome counts, reasons and preemptions over every request of the subset,
 * and the figures of its requests in the measurement window (TTFT, TPOT, E2E and queue sketches,
 * token sums, the SLO count, the first arrival and last completion), folded in one record at a
 * time. The figures follow breakdown.ts `subsetFigures`, pools.ts `subsetSummary` and latency.ts;
 * only the quantiles are approximate (latencySketch.ts states the bound).
 */
import type { SloConfig } from '../../scenario/types.js';
import type { RequestRecord } from '../types.js';
import { meetsSlo, ratio, round4, sortedCounts, tpotMs, ttftMs, e2eMs, UNSPECIFIED_REASON, type GoodputStats, type LatencyStats, type ThroughputStats } from '../latency.js';
import type { ClassSummary } from '../breakdown.js';
import { replicaFigures, type SubsetSummary } from '../pools.js';
import type { ReplicaStats } from '../types.js';
import { OutcomeTally } from '../resilience.js';
import { LatencySketch } from './latencySketch.js';
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
  readonly ttft = new LatencySketch();
  readonly tpot = new LatencySketch();
  readonly e2e = new LatencySketch();
  readonly queue = new LatencySketch();
  /** Completed requests in the window and their token sums (integers: exact). */
  measuredCompleted = 0;
  inputTokens = 0;
  outputTokens = 0;
  /** Earliest arrival of a request in the window; latest end of a completed one in it. */
  firstArrivalUs = Infinity;
  lastEndUs = -Infinity;

  constructor(private readonly slo: SloConfig) {}

  /** Counts a request that ended (every request, in the window or not). */
  count(r: RequestRecord): void {
    this.arrived++;
    this.preemptions += r.preemptions;
    this.outcomes.add(r);
    if (r.outcome === 'completed') this.completed++;
    else if (r.outcome === 'rejected') this.bump(this.reasons.rejected, r, () => this.rejected++);
    else if (r.outcome === 'failed') this.bump(this.reasons.failed, r, () => this.failed++);
    else this.bump(this.reasons.dropped, r, () => this.dropped++);
  }

  private bump(m: Map<string, number>, r: RequestRecord, inc: () => void): void {
    inc();
    const k = r.reason || UNSPECIFIED_REASON;
    m.set(k, (m.get(k) ?? 0) + 1);
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
    if (this.measuredCompleted === 0) return 0;
    return Math.max(0, (this.lastEndUs - this.firstArrivalUs) / 1e6);
  }

  throughput(durationS: number): ThroughputStats {
    return {
      duration_s: round4(durationS),
      requests_per_s: round4(ratio(this.measuredCompleted, durationS)),
      input_tokens_per_s: round4(ratio(this.inputTokens, durationS)),
      output_tokens_per_s: round4(ratio(this.outputTokens, durationS)),
    };
  }

  goodput(durationS: number): GoodputStats {
    return { requests_per_s: round4(ratio(this.good, durationS)), fraction: round4(ratio(this.good, this.measured)) };
  }

  /** As breakdown.ts subsetFigures: goodput over `goodputDurationS` when given, else the subset's own duration. */
  figures(goodputDurationS?: number): { ttft_ms: LatencyStats; tpot_ms: LatencyStats; e2e_ms: LatencyStats; throughput: ThroughputStats; goodput: GoodputStats } {
    const d = this.durationS();
    return { ttft_ms: this.ttft.stats(), tpot_ms: this.tpot.stats(), e2e_ms: this.e2e.stats(), throughput: this.throughput(d), goodput: this.goodput(goodputDurationS ?? d) };
  }

  /** A by_pool / by_route / by_model entry (pools.ts subsetSummary); `replicas` for by_pool. */
  subsetSummary(durationS: number, withFailed: boolean, replicas?: readonly ReplicaStats[], withResilience = false): SubsetSummary {
    const f = this.figures(durationS);
    return {
      arrived: this.arrived,
      completed: this.completed,
      rejected: this.rejected,
      rejected_by_reason: sortedCounts(this.reasons.rejected),
      dropped: this.dropped,
      dropped_by_reason: sortedCounts(this.reasons.dropped),
      ...(withFailed ? { failed: this.failed, failed_by_reason: sortedCounts(this.reasons.failed) } : {}),
      ttft_ms: f.ttft_ms,
      tpot_ms: f.tpot_ms,
      e2e_ms: f.e2e_ms,
      queue_ms: this.queue.stats(),
      throughput: f.throughput,
      goodput: f.goodput,
      ...(replicas === undefined ? { preemptions: this.preemptions } : replicaFigures(replicas)),
      ...(withResilience ? { resilience: this.outcomes.counts() } : {}),
    };
  }

  /** A by_class entry (breakdown.ts classesBy): the whole run's figures when the class is every request. */
  classSummary(whole: SubsetFolder, durationS: number, withFailed: boolean, withResilience = false): ClassSummary {
    const f = this.arrived === whole.arrived ? whole.figures() : this.figures(durationS);
    return {
      arrived: this.arrived,
      completed: this.completed,
      rejected: this.rejected,
      dropped: this.dropped,
      ...(withFailed ? { failed: this.failed } : {}),
      ttft_ms: f.ttft_ms,
      tpot_ms: f.tpot_ms,
      e2e_ms: f.e2e_ms,
      goodput: f.goodput,
      ...(withResilience ? { resilience: this.outcomes.counts() } : {}),
    };
  }
}
