/**
 * One subset of a streamed run (the whole run, or one priority / tenant / adapter class): outcome
 * counts over every request of the subset, and the figures of its requests in the measurement window
 * (TTFT, TPOT and E2E sketches, token sums, the SLO count, the first arrival and last completion),
 * folded in one record at a time. The figures follow sim/metrics/breakdown.ts `subsetFigures` and
 * latency.ts definitions; only the quantiles are approximate (latencySketch.ts states the bound).
 */
import type { SloConfig } from '../../scenario/types.js';
import type { RequestRecord } from '../types.js';
import { meetsSlo, ratio, round4, tpotMs, ttftMs, e2eMs, type GoodputStats, type LatencyStats, type ThroughputStats } from '../latency.js';
import type { ClassSummary } from '../breakdown.js';
import { LatencySketch } from './latencySketch.js';
import type { WindowFields } from './heldRequests.js';

export class SubsetFolder {
  /** Every request of the subset, by outcome. */
  arrived = 0;
  completed = 0;
  rejected = 0;
  dropped = 0;
  failed = 0;
  /** Requests of the subset in the measurement window (any outcome). */
  measured = 0;
  /** Completed requests in the window meeting every SLO. */
  good = 0;
  readonly ttft = new LatencySketch();
  readonly tpot = new LatencySketch();
  readonly e2e = new LatencySketch();
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
    if (r.outcome === 'completed') this.completed++;
    else if (r.outcome === 'rejected') this.rejected++;
    else if (r.outcome === 'failed') this.failed++;
    else this.dropped++;
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

  /** A by_class entry (breakdown.ts classesBy): the whole run's figures when the class is every request. */
  classSummary(whole: SubsetFolder, durationS: number, withFailed: boolean): ClassSummary {
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
    };
  }
}
