/**
 * The simulated clock does not tick while nothing can change (issue 9 §1): metrics scrapes that
 * would only re-read an unchanged fleet are skipped (sim/gateway/scrapes.ts), and what the gateway
 * sees at every dispatch is exactly what firing every scrape would have shown.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextScrapeUs } from '../sim/gateway/scrapes.js';
import { runPolicy, type RunObserver } from '../sim/simulation.js';
import { parseScenario } from '../sim/scenario/load.js';
import type { PolicyRun } from '../sim/metrics/types.js';
import type { EndpointMetrics } from '../policies/types.js';
import type { SimRequest } from '../sim/workload/request.js';
import { linearScenario, req } from './helpers.js';
import { BIN } from './cliHelpers.js';
import { UserError } from '../sim/core/errors.js';

/** An onEvent hook that throws once more than `n` events were handled (so a regression fails fast rather than ticking for minutes or forever). */
function fuse(n: number): () => void {
  let seen = 0;
  return () => {
    if (++seen > n) throw new Error(`still ticking after ${n} events`);
  };
}

/** The reference: a scrape every refresh interval, whatever happens (what routesim did before). */
const eager = (nowUs: number, refreshUs: number): number => nowUs + refreshUs;

describe('nextScrapeUs', () => {
  it('is the next tick while something happens within one interval', () => {
    // Grid of 50 µs; scrape at 100; next event at 120 or exactly at 150 → the eager next tick, 150.
    expect(nextScrapeUs(100, 50, 120)).toBe(150);
    expect(nextScrapeUs(100, 50, 150)).toBe(150);
    // An event at the same time as the scrape (an arrival at 100 runs after it) → 150.
    expect(nextScrapeUs(100, 50, 100)).toBe(150);
  });

  it('jumps to the last grid point at or before a far event', () => {
    // Next event at 1 000 020: grid points 150 … 1 000 000 ≤ it; only 1 000 000 is needed.
    expect(nextScrapeUs(100, 50, 1_000_020)).toBe(1_000_000);
    // On a grid point itself: the scrape at that time runs before the arrival there.
    expect(nextScrapeUs(100, 50, 1_000_000)).toBe(1_000_000);
    // 10¹² µs (10⁶ s) away with a 50 ms interval: 10¹² is a multiple of 5·10⁴.
    expect(nextScrapeUs(0, 50_000, 1e12 + 12_345)).toBe(1e12);
  });

  it('is +∞ when no event is left (nothing could change the view again)', () => {
    expect(nextScrapeUs(100, 50, Infinity)).toBe(Infinity);
  });
});

describe('an idle fleet waiting for a far arrival', () => {
  /*
   * One replica, linear steps 1000 + 10·prefill + 100·decode µs, no α overheads, scrapes every 50 ms.
   * r0 at 0 and r1 at 10¹² + 12 345 µs (≈ 11.6 days later), each prompt 16, output 2:
   *   each request: Arrival, Enqueue (α0 = 0, same time), Schedule, prefill StepEnd (1160 µs, first
   *   token), Schedule, decode StepEnd (1100 µs, second token), ResponseDone = 7 events; the kick after
   *   the last StepEnd finds no work. Round-robin wants no KV events. 2 × 7 = 14.
   *   Scrapes: 0 (the arrival at 0 is next → next tick 50 000); 50 000 (next event r1 → the last grid
   *   point before it, 10¹²); 10¹² (r1 is within one interval → 10¹² + 50 000); 10¹² + 50 000 (nothing
   *   outstanding or pending: the last event). 4 scrapes. Total 18 events.
   * Scraping eagerly would have taken 10¹² / 50 000 = 2·10⁷ scrapes.
   */
  const far = 1e12 + 12_345;
  const requests = [req({ id: 0, at: 0, prompt: 16, output: 2 }), req({ id: 1, at: far, prompt: 16, output: 2 })];
  // Run once, lazily, inside the first test that needs it (so a regression fails the tests, not the file).
  let cached: { run: PolicyRun; views: { id: number; time: number; seen: EndpointMetrics }[] } | null = null;
  const result = () => {
    if (cached) return cached;
    const views: { id: number; time: number; seen: EndpointMetrics }[] = [];
    const run = runPolicy(
      linearScenario('num_gpu_blocks: 100', 'gateway: {refresh_metrics_ms: 50}'),
      { name: 'rr', type: 'round-robin' },
      {
        onDispatch: (r, time, view) => views.push({ id: r.id, time, seen: view.observedMetrics(0) }),
        // A fuse: ticking through the gap would take 2·10⁷ events; fail fast instead.
        onEvent: fuse(1000),
      },
      requests,
    );
    return (cached = { run, views });
  };

  it('handles a bounded number of events, not one per scrape interval of the gap', () => {
    const { run } = result();
    expect(run.events).toBe(18);
    expect(run.endUs).toBe(1e12 + 50_000);
    expect(run.records.map((r) => r.outcome)).toEqual(['completed', 'completed']);
    // r1: prefill 1160 + decode 1100 after its arrival.
    expect(run.records[1]!.lastTokenUs).toBe(far + 2260);
  });

  it('shows the late request the scrape at the last grid point: idle fleet, 12 345 µs old', () => {
    const { views } = result();
    expect(views).toHaveLength(2);
    const v = views[1]!;
    expect(v.id).toBe(1);
    expect(v.time).toBe(far);
    expect(v.seen.updateTimeUs).toBe(1e12);
    expect(v.time - v.seen.updateTimeUs).toBe(12_345);
    expect([v.seen.waitingQueueSize, v.seen.runningRequestsSize, v.seen.kvCacheUsagePercent]).toEqual([0, 0, 0]);
  });

  it('keeps the report samples bounded (the sampler halves its resolution over the gap)', () => {
    const { run } = result();
    // Default sample_ms 100: 10¹² µs would be 10⁷ samples; the cap is 2048 per replica.
    expect(run.samples!.count).toBeLessThanOrEqual(2048);
    expect(run.samples!.replicas[0]!.scrapedRunning.every((x) => x === 0 || x === 1)).toBe(true);
  });
});

describe('a generator with a very low rate', () => {
  it('ends after a handful of events per request', () => {
    // Poisson at 10⁻⁶ req/s: mean gap 10⁶ s = 2·10⁷ scrape intervals of 50 ms. Per request at most
    // 7 engine/gateway events (above) and 2 scrapes (the last grid point before its arrival and
    // the tick after it; its service, 2.26 ms, is shorter than one interval), plus the final one.
    const sc = parseScenario(
      `
seed: 3
requests: 5
fleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B, engine: {num_gpu_blocks: 100}}
step_time: {model: linear, coefficients: {beta0_us: 1000, beta1_us_per_prefill_token: 10, beta2_us_per_decode_token: 100}, overheads: false}
workload: {arrival: {process: poisson, rate: 0.000001}, input: 16, output: 2}
policies: [{name: gaie, epp: default}]
`,
      'sparse.yaml',
    );
    const run = runPolicy(sc, sc.policies[0]!, { onEvent: fuse(1000) });
    expect(run.records.every((r) => r.outcome === 'completed')).toBe(true);
    expect(run.endUs).toBeGreaterThan(1e9); // the arrivals really are far apart
    expect(run.events).toBeLessThanOrEqual(5 * (7 + 2) + 1);
    // ITL buckets: only the 100 ms buckets a step ended in, before the warm-up horizon — at most
    // 2 steps (prefill, decode) per request, so ≤ 10 (it used to be one per 100 ms since time 0:
    // ~2·10⁷ maps for these arrivals).
    expect(run.itlTimeline!.buckets.length).toBeLessThanOrEqual(5 * 2);
    expect(run.itlTimeline!.buckets.length).toBeGreaterThan(0);
  });
});

describe('requests held forever', () => {
  /** Flow control whose usage limit (threshold 0) no pool saturation passes: nothing ever dispatches. */
  const never = (ttl: string) =>
    `{name: never, epp: {apiVersion: inference.networking.x-k8s.io/v1alpha1, kind: EndpointPickerConfig, featureGates: [flowControl], plugins: [{type: queue-scorer}, {type: static-usage-limit-policy, parameters: {threshold: 0}}], flowControl: {usageLimitPolicyPluginRef: static-usage-limit-policy${ttl}}}}`;
  const scenario = (ttl: string) => `
name: stuck
seed: 1
requests: 3
fleet: {replicas: 1, gpu: H100, model: Llama-3.1-8B}
workload: {arrival: {process: constant, rate: 10}, input: 100, output: 5}
policies: [${never(ttl)}]
`;

  it('with no TTL the run stops with one line instead of ticking forever', () => {
    // Before: a sweep every simulated second and a scrape every 50 ms, forever. Now: arrivals at 0,
    // 0.1, 0.2 s are all held; from the sweep at 1 s on only the ticks are pending (stalled since
    // 1 s). The bound is one scrape interval plus lcm(50 ms, 1 s) = 1.05 s: the sweep at 2 s (1 s
    // stalled) goes on, the one at 3 s (2 s stalled) stops the run.
    const dir = mkdtempSync(join(tmpdir(), 'routesim-idle-'));
    writeFileSync(join(dir, 'stuck.yaml'), scenario(''));
    const r = spawnSync(process.execPath, [BIN, 'run', 'stuck.yaml'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^routesim: stuck\.yaml: policies\[0\] \(never\): flow control holds 3 requests that can never be dispatched: .* for 2 s released none .*\(fix: set flowControl\.defaultRequestTTL/);
  }, 40_000);

  it('the same holds in-process: a UserError, after a bounded number of events', () => {
    const sc = parseScenario(scenario(''), 'stuck.yaml');
    let events = 0;
    const stop = fuse(10_000);
    expect(() =>
      runPolicy(sc, sc.policies[0]!, {
        onEvent: () => {
          events++;
          stop();
        },
      }),
    ).toThrow(UserError);
    // Arrivals at 0, 0.1, 0.2 s; scrapes every 50 ms to 3 s (61); sweeps at 1, 2, 3 s.
    expect(events).toBe(3 + 61 + 3);
  });

  it('with a TTL they expire (HTTP 503) and the run ends normally', () => {
    const sc = parseScenario(scenario(', defaultRequestTTL: 1500ms'), 'stuck.yaml');
    const run = runPolicy(sc, sc.policies[0]!);
    expect(run.records.map((r) => [r.outcome, r.status])).toEqual([
      ['dropped', 503],
      ['dropped', 503],
      ['dropped', 503],
    ]);
  });
});

// ——— the lazy schedule against the eager reference ———

const POLICIES = [
  'round-robin',
  'least-requests',
  'sglang-cache-aware',
  '{name: gaie, epp: default}',
  // Flow control with a TTL: held requests, sweeps, 503s; the utilization detector reads metric ages.
  '{name: flow, epp: {apiVersion: inference.networking.x-k8s.io/v1alpha1, kind: EndpointPickerConfig, featureGates: [flowControl], plugins: [{type: queue-scorer}, {type: utilization-detector, parameters: {queueDepthThreshold: 1, metricsStalenessThreshold: 30ms}}], saturationDetector: {pluginRef: utilization-detector}, flowControl: {defaultRequestTTL: 300ms}}}',
  // Flow control without a TTL: held requests only leave by dispatch (an idle pool always lets them).
  '{name: flow-nottl, epp: {apiVersion: inference.networking.x-k8s.io/v1alpha1, kind: EndpointPickerConfig, featureGates: [flowControl], plugins: [{type: queue-scorer}, {type: utilization-detector, parameters: {queueDepthThreshold: 1}}], saturationDetector: {pluginRef: utilization-detector}}}',
  '{name: legacy, epp: policies/configs/legacy-v0.5.yaml}',
  '{name: precise, epp: policies/configs/llm-d-precise-prefix.yaml}',
];

interface Sparse {
  replicas: number;
  refreshMs: number;
  sampleMs: number;
  kvDelayMs: number;
  policy: number;
  /** Gap before each request, in units of the refresh interval, and a sub-interval offset in µs. */
  gaps: { intervals: number; offsetUs: number; prompt: number; output: number; shared: boolean; priority: number }[];
}

const sparseArb: fc.Arbitrary<Sparse> = fc.record({
  replicas: fc.integer({ min: 1, max: 3 }),
  refreshMs: fc.constantFrom(1, 7, 50, 200),
  sampleMs: fc.constantFrom(1, 50, 100, 333),
  kvDelayMs: fc.constantFrom(0, 10, 120),
  policy: fc.integer({ min: 0, max: POLICIES.length - 1 }),
  gaps: fc.array(
    fc.record({
      // Mostly far apart (idle gaps of many intervals), sometimes bursts (0) and exact grid points.
      intervals: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 20, max: 400 })),
      offsetUs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 200_000 })),
      prompt: fc.integer({ min: 1, max: 600 }),
      output: fc.integer({ min: 1, max: 40 }),
      shared: fc.boolean(),
      priority: fc.constantFrom(0, 0, -1, 2),
    }),
    { minLength: 1, maxLength: 25 },
  ),
});

function sparseRun(c: Sparse, requests: SimRequest[], lazy: boolean): { run: PolicyRun; views: string[]; problem: string | null } {
  const sc = parseScenario(
    `
seed: 9
requests: 1
fleet: {replicas: ${c.replicas}, gpu: H100, model: Llama-3.1-8B, engine: {num_gpu_blocks: 300, max_num_seqs: 4, max_num_batched_tokens: 512}}
step_time: {model: linear, coefficients: {beta0_us: 1000, beta1_us_per_prefill_token: 10, beta2_us_per_decode_token: 100}, overheads: false}
gateway: {refresh_metrics_ms: ${c.refreshMs}, kv_events_delay_ms: ${c.kvDelayMs}}
report: {sample_ms: ${c.sampleMs}}
workload: {arrival: {process: constant, rate: 1}, input: 16, output: 1}
policies: [${POLICIES[c.policy]}]
`,
    'sparse.yaml',
  );
  const views: string[] = [];
  let last = -1;
  let problem: string | null = null;
  const observer: RunObserver = {
    onEvent: (t) => {
      if (t < last) problem ??= `clock went back ${last} → ${t}`;
      last = t;
    },
    onDispatch: (r, time, view) => {
      const seen = Array.from({ length: c.replicas }, (_, i) => {
        const m = view.observedMetrics(i);
        return { ...m, ageUs: time - m.updateTimeUs };
      });
      views.push(JSON.stringify({ id: r.id, time, seen }));
    },
  };
  const run = runPolicy(sc, sc.policies[0]!, observer, requests, lazy ? {} : { nextScrapeUs: eager });
  return { run, views, problem };
}

function buildRequests(c: Sparse): SimRequest[] {
  let t = 0;
  const refreshUs = c.refreshMs * 1000;
  return c.gaps.map((g, id) => {
    t += g.intervals * refreshUs + (g.intervals > 0 ? g.offsetUs : 0);
    // Shared requests start with the same 64-token block of content 77 (prefix-aware policies care).
    const segments: [number, number][] = g.shared ? [[77, 64], [1_000_000 + id, g.prompt]] : [[2_000_000 + id, g.prompt]];
    return req({ id, at: t, segments, output: g.output, priority: g.priority });
  });
}

describe('skipping scrapes is invisible', () => {
  it('every dispatch sees the view (values and ages) eager scraping gives; records, samples and end time agree', () => {
    fc.assert(
      fc.property(sparseArb, (c) => {
        const requests = buildRequests(c);
        const lazy = sparseRun(c, requests, true);
        const ref = sparseRun(c, requests, false);
        expect(lazy.problem).toBeNull();
        expect(ref.problem).toBeNull();
        expect(lazy.views).toEqual(ref.views);
        expect(lazy.run.records).toEqual(ref.run.records);
        expect(lazy.run.endUs).toBe(ref.run.endUs);
        expect(lazy.run.samples).toEqual(ref.run.samples);
        expect([...lazy.run.itl]).toEqual([...ref.run.itl]);
        expect(lazy.run.events!).toBeLessThanOrEqual(ref.run.events!);
        // Every request ends exactly once: one record each, none left in flight.
        expect(lazy.run.records.map((r) => r.id)).toEqual(requests.map((r) => r.id));
        for (const r of lazy.run.records) {
          expect(['completed', 'rejected', 'dropped']).toContain(r.outcome);
          expect(r.reason).not.toBe('incomplete');
        }
      }),
      { numRuns: 120 },
    );
  });
});
