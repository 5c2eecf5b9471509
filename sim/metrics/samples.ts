/**
 * Time series of every replica's true engine state next to what the router last scraped from it,
 * sampled at a fixed interval for the report's queue / batch / KV-cache charts.
 *
 * Sampling adds no events to the simulation (so it cannot move the clock or the run's end time):
 * the engine and the gateway's view only change at events, so a sample at time s records the state
 * just before s — after every event earlier than s, before any event at s. The loop calls
 * `before(t)` just before it handles an event at time t, which records every pending sample time
 * ≤ t; `finish()` records one last sample after the final event (the state the run ended in).
 *
 * "Just before" matters for staleness: when the sample interval is a multiple of the scrape
 * interval, samples fall on scrape instants; taken before the scrape at s, the router's view in
 * the sample is one full scrape interval old (the stalest it gets) rather than freshly refreshed.
 *
 * Memory is bounded: when a run has `maxSamples` samples and needs another, every other sample is
 * dropped and the interval doubles (sample i is always at i × interval), so a long run keeps at
 * most `maxSamples` small records per replica.
 */
import type { EndpointMetrics } from '../../policies/types.js';
import type { ReplicaSamples, ReplicaSeries } from './types.js';

/** Default cap on samples per replica and run. */
export const MAX_SAMPLES = 2048;

/** What the sampler reads from a replica: the true engine gauges. */
export interface SampledReplica {
  readonly name: string;
  readonly scheduler: { readonly waiting: { readonly length: number }; readonly runningCount: number };
  readonly kv: { readonly usage: number };
}

/** What the sampler reads from the gateway: the metrics it last scraped for endpoint i. */
export interface SampledGateway {
  observedMetrics(i: number): EndpointMetrics;
}

interface MutableSeries {
  name: string;
  waiting: number[];
  running: number[];
  kvUsage: number[];
  scrapedWaiting: number[];
  scrapedRunning: number[];
  scrapedKvUsage: number[];
}

export class ReplicaSampler {
  private intervalUs: number;
  private nextUs = 0;
  private count = 0;
  private readonly series: MutableSeries[];

  constructor(
    private readonly replicas: readonly SampledReplica[],
    private readonly gateway: SampledGateway,
    intervalUs: number,
    private readonly maxSamples = MAX_SAMPLES,
  ) {
    if (!(intervalUs >= 1) || !Number.isInteger(intervalUs)) throw new RangeError(`sample interval must be a positive integer µs, got ${intervalUs}`);
    if (maxSamples < 2 || maxSamples % 2 !== 0) throw new RangeError(`maxSamples must be an even number ≥ 2, got ${maxSamples}`);
    this.intervalUs = intervalUs;
    this.series = replicas.map((r) => ({ name: r.name, waiting: [], running: [], kvUsage: [], scrapedWaiting: [], scrapedRunning: [], scrapedKvUsage: [] }));
  }

  /** Records every sample due at or before `t` (call before handling the first event at time t). */
  before(t: number): void {
    while (this.nextUs <= t) this.take();
  }

  /** Records the first sample after the last event (the final state) and returns the series. */
  finish(): ReplicaSamples {
    this.take();
    return { intervalUs: this.intervalUs, count: this.count, replicas: this.series };
  }

  private take(): void {
    // Full: keep every other sample and double the interval. The sample about to be taken, at
    // count × interval, is then sample count / 2 of the coarser grid (maxSamples is even).
    if (this.count === this.maxSamples) {
      for (const s of this.series) {
        for (const key of ['waiting', 'running', 'kvUsage', 'scrapedWaiting', 'scrapedRunning', 'scrapedKvUsage'] as const) {
          s[key] = s[key].filter((_, k) => k % 2 === 0);
        }
      }
      this.count /= 2;
      this.intervalUs *= 2;
    }
    for (let i = 0; i < this.replicas.length; i++) {
      const r = this.replicas[i]!;
      const s = this.series[i]!;
      const seen = this.gateway.observedMetrics(i);
      s.waiting.push(r.scheduler.waiting.length);
      s.running.push(r.scheduler.runningCount);
      s.kvUsage.push(r.kv.usage);
      s.scrapedWaiting.push(seen.waitingQueueSize);
      s.scrapedRunning.push(seen.runningRequestsSize);
      s.scrapedKvUsage.push(seen.kvCacheUsagePercent);
    }
    this.count++;
    this.nextUs = this.count * this.intervalUs;
  }
}

export type { ReplicaSamples, ReplicaSeries };
