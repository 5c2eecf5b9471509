/**
 * The report's distributions and time series of a streamed run (sim/metrics/stream/streamSummary.ts):
 * the same shapes and binning rules as profiles.ts builds from records, folded in as requests end.
 * Window counts (throughput, goodput, completed per TTFT bin) are exact; so are the quantiles up to
 * 1,000,000 completed requests (latencyColumn.ts, sketchBins.ts), from sketches past that
 * (latencySketch.ts states the bound).
 */
import type { PolicyRun, RequestRecord } from '../sim/metrics/types.js';
import type { SloConfig } from '../sim/scenario/types.js';
import { meetsSlo, round4 } from '../sim/metrics/latency.js';
import { MAX_TTFT_BINS } from '../sim/metrics/timeSeries.js';
import type { AllLatencies, StreamedSummary } from '../sim/metrics/stream/streamSummary.js';
import { DoublingBins } from '../sim/metrics/stream/doublingBins.js';
import { SketchBins } from '../sim/metrics/stream/sketchBins.js';
import { GRID_POINTS, MAX_WINDOWS, replicaTimeSeries, type LatencyDistributions, type TimeSeries } from './profiles.js';

/** The distributions (profiles.ts latencyDistributions) of a streamed run's completed requests (or one pool's). */
export function streamedDistributions(all: AllLatencies): LatencyDistributions {
  return { ttft_ms: all.ttft.grid(GRID_POINTS), tpot_ms: all.tpot.grid(GRID_POINTS), e2e_ms: all.e2e.grid(GRID_POINTS) };
}

/** Counts per window of `bins` re-binned to `widthUs` (a power-of-two multiple of its own) over `windows` windows. */
function rebinned(bins: DoublingBins, widthUs: number, windows: number): number[] {
  const out = new Array<number>(windows).fill(0);
  const k = widthUs / bins.binUs;
  bins.counts().forEach((c, i) => {
    if (c > 0) out[Math.floor(i / k)]! += c;
  });
  return out;
}

/** Watches a streamed run for its time series (profiles.ts timeSeries); `series(run)` after the run. */
export class StreamedTimeSeries {
  private readonly done: DoublingBins;
  private readonly good: DoublingBins;
  /** Every request by arrival: the offered-load series of a run whose replicas change. */
  private readonly arrivals: DoublingBins;
  private readonly ttft: SketchBins;
  private lastDoneUs = -1;
  private lastArrivalUs = -1;

  constructor(
    summary: StreamedSummary,
    private readonly slo: SloConfig,
    windowMs: number,
  ) {
    const windowUs = Math.max(1, Math.round(windowMs * 1000));
    this.done = new DoublingBins(windowUs, MAX_WINDOWS);
    this.good = new DoublingBins(windowUs, MAX_WINDOWS);
    this.arrivals = new DoublingBins(windowUs, MAX_WINDOWS);
    this.ttft = new SketchBins(windowUs, MAX_TTFT_BINS, summary.exactValues);
    summary.watch((r) => this.add(r));
  }

  private add(r: RequestRecord): void {
    this.arrivals.add(r.arrivalUs);
    if (r.arrivalUs > this.lastArrivalUs) this.lastArrivalUs = r.arrivalUs;
    if (r.outcome !== 'completed') return;
    this.done.add(r.endUs);
    if (r.endUs > this.lastDoneUs) this.lastDoneUs = r.endUs;
    if (meetsSlo(r, this.slo)) this.good.add(r.endUs);
    this.ttft.add(r.arrivalUs, (r.firstTokenUs - r.arrivalUs) / 1000);
  }

  /** Whether the TTFT-over-time quantiles are exact (sketchBins.ts). */
  get exact(): boolean {
    return this.ttft.exact;
  }

  series(run: PolicyRun): TimeSeries {
    // As profiles.ts: windows up to the last completion; with a replica timeline, also every arrival.
    const scaling = run.replicaTimeline !== undefined;
    const lastUs = Math.max(this.lastDoneUs, scaling ? this.lastArrivalUs : -1);
    // The doubling rule is monotone in the last time, so the widest series' width is the run's.
    const windowUs = Math.max(this.done.binUs, this.good.binUs, scaling ? this.arrivals.binUs : 0);
    const windows = lastUs < 0 ? 0 : Math.floor(lastUs / windowUs) + 1;
    const perS = 1e6 / windowUs;
    const rate = (bins: DoublingBins): number[] => rebinned(bins, windowUs, windows).map((c) => round4(c * perS));
    const t = this.ttft.series();
    return {
      sample_ms: run.samples ? run.samples.intervalUs / 1000 : 0,
      replicas: replicaTimeSeries(run),
      window_ms: windowUs / 1000,
      throughput_rps: rate(this.done),
      goodput_rps: rate(this.good),
      ttft_over_time: { bin_ms: this.ttft.binUs / 1000, count: t.count, p50_ms: t.p50, p99_ms: t.p99 },
      ...(scaling ? { arrivals_rps: rate(this.arrivals) } : {}),
    };
  }
}
