/**
 * The report's time series: every replica's true engine gauges next to the router's last scrape,
 * sampled without adding events (sim/metrics/samples.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EndpointMetrics } from '../policies/types.js';
import { ReplicaSampler } from '../sim/metrics/samples.js';
import { req, simulate } from './helpers.js';

describe('sampling a run (golden)', () => {
  /*
   * One replica (max_num_seqs 1, 100 KV blocks of 16 tokens), linear step 1000 + 10·prefill + 100·decode
   * µs, no α overheads; the router scrapes every 2 ms (0, 2000, 4000, … µs) and we sample every 1 ms.
   *
   *   r0 at 0: prompt 100 (7 blocks), output 4 → prefill [0, 2000], decodes end 3100, 4200, 5300 (done).
   *   r1 at 500: prompt 100, output 2 → waits (max_num_seqs 1) until 5300; prefill [5300, 7300],
   *   decode ends 8400 (done). KV in use: 7 of 100 blocks = 0.07 while either request runs
   *   (101–103 tokens still fit 7 blocks).
   *   Scrapes: at 0 (before r0 arrives: all 0), 2000 and 4000 (w1 r1 0.07: a StepEnd comes before
   *   the scrape at the same time, r0 is still running), 6000 (r1 running: w0 r1), 8000 (w0 r1);
   *   the scrape at 10000 finds nothing outstanding and is the run's last event.
   *
   * A sample at s shows the state after every event before s (so the scrape at s itself is not yet
   * in it): sample 2 (2000 µs) still shows the scrape at 0, sample 6 (6000 µs) the scrape at 4000.
   * The last sample (11000 µs, after the final event) shows the final state.
   */
  const run = simulate('num_gpu_blocks: 100\nmax_num_seqs: 1', [req({ id: 0, at: 0, prompt: 100, output: 4 }), req({ id: 1, at: 500, prompt: 100, output: 2 })], {
    extra: 'gateway: {refresh_metrics_ms: 2}\nreport: {sample_ms: 1}',
  });
  const s = run.samples!;
  const r = s.replicas[0]!;

  it('takes one sample per interval from 0 to just after the last event, without moving the end of the run', () => {
    expect(run.endUs).toBe(10_000);
    expect(s.intervalUs).toBe(1000);
    expect(s.count).toBe(12);
    expect(r.name).toBe('replica-0');
  });

  it('records the engine truth', () => {
    //                     0  1  2  3  4  5  6  7  8  9 10 11   (ms)
    expect(r.waiting).toEqual([0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(r.running).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
    expect(r.kvUsage).toEqual([0, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0, 0, 0]);
  });

  it('records the router’s scraped view, one scrape behind', () => {
    //                            0  1  2  3  4  5  6  7  8  9 10 11   (scrape seen: 0 0 0 2 2 4 4 6 6 8 8 10)
    expect(r.scrapedWaiting).toEqual([0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect(r.scrapedRunning).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
    expect(r.scrapedKvUsage).toEqual([0, 0, 0, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0.07, 0]);
  });
});

/** A fake replica whose gauges are one settable value, and a gateway that reports another. */
function fakes() {
  const state = { engine: 0, seen: 0 };
  const replica = { name: 'r', scheduler: { waiting: { get length() { return state.engine; } }, runningCount: 0 }, kv: { usage: 0 } };
  const gateway = { observedMetrics: (): EndpointMetrics => ({ waitingQueueSize: state.seen }) as EndpointMetrics };
  return { state, replica, gateway };
}

describe('ReplicaSampler', () => {
  it('halves its resolution instead of growing past maxSamples', () => {
    const { state, replica, gateway } = fakes();
    const sampler = new ReplicaSampler([replica], gateway, 10, 4);
    // Event at t = 5k sets the value k, so a sample at s = 10i sees the value of the event at 10i − 5: 2i − 1.
    for (let k = 1; k <= 13; k++) {
      sampler.before(5 * k);
      state.engine = k;
    }
    const out = sampler.finish();
    // Samples at 0, 10, 20, 30 (values 0, 1, 3, 5) fill the cap of 4; the one due at 40 first halves
    // them (keep 0 and 20, interval 20) and is then taken (7); then 60 (11). The last event is at
    // 65, so the final sample is due at 80: halve again (keep 0 and 40, interval 40), take it (13).
    expect(out.intervalUs).toBe(40);
    expect(out.count).toBe(3);
    expect(out.replicas[0]!.waiting).toEqual([0, 7, 13]);
  });

  it('sample i shows the state after every event before i × interval (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 99 })), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 8 }).map((h) => 2 * h),
        (raw, interval, cap) => {
          const events = [...raw].sort((a, b) => a[0] - b[0]);
          const { state, replica, gateway } = fakes();
          const sampler = new ReplicaSampler([replica], gateway, interval, cap);
          for (const [t, v] of events) {
            sampler.before(t);
            state.engine = v;
            state.seen = v + 1;
          }
          const out = sampler.finish();
          const series = out.replicas[0]!;
          expect(out.count).toBeLessThanOrEqual(cap);
          expect(series.waiting).toHaveLength(out.count);
          for (let i = 0; i < out.count; i++) {
            const at = i * out.intervalUs;
            const last = i === out.count - 1 ? events.at(-1) : events.filter(([t]) => t < at).at(-1);
            expect(series.waiting[i]).toBe(last ? last[1] : 0);
            expect(series.scrapedWaiting[i]).toBe(last ? last[1] + 1 : 0);
          }
          // The last sample is the first sample time after the last event.
          expect((out.count - 1) * out.intervalUs).toBeGreaterThan(events.at(-1)![0]);
        },
      ),
    );
  });
});
