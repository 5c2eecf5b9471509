/**
 * The streamed summary (sim/metrics/stream/streamSummary.ts, issue 15): a hand-derived golden run
 * fed record by record, out of end order, with a fixed and an automatic warm-up; a property that on
 * real scenarios every figure of the summary, the distributions and the time series equals the record
 * path's exactly (up to 1,000,000 requests the latency columns are exact); the CLI's results
 * document with and without records; and the CLI's refusals.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newRequestRecord } from '../sim/metrics/records.js';
import { summarize } from '../sim/metrics/summary.js';
import { StreamedSummary } from '../sim/metrics/stream/streamSummary.js';
import { RELATIVE_ACCURACY } from '../sim/metrics/stream/latencySketch.js';
import { EXACT_VALUES } from '../sim/metrics/stream/latencyColumn.js';
import type { PolicyRun, RequestRecord } from '../sim/metrics/types.js';
import type { SummaryOptions } from '../sim/metrics/summary.js';
import { loadScenarioFile, parseScenario } from '../sim/scenario/load.js';
import { runCell } from '../lab/cells/runCell.js';
import type { CellResult } from '../lab/cells/cell.js';
import { routesim } from './cliHelpers.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BacklogCounts, EXACT_TIMES } from '../sim/metrics/stream/backlogCounts.js';
import { backlogOfTimes } from '../sim/metrics/steadyState.js';
import { runPolicy } from '../sim/simulation.js';
import type { PdFolder } from '../sim/metrics/stream/pdFolder.js';
import type { ScenarioConfig } from '../sim/scenario/types.js';

type Mutable = { -readonly [K in keyof RequestRecord]: RequestRecord[K] };

function rec(id: number, arrivalUs: number, set: Partial<Mutable>): RequestRecord {
  const r = newRequestRecord({ id, arrivalUs, inputTokens: set.inputTokens ?? 0, outputTokens: set.outputTokens ?? 10, adapter: null, priority: 0 }) as Mutable;
  return Object.assign(r, { outcome: 'completed', reason: '' }, set);
}

/** Completed: ttft, tpot over 10 output tokens, e2e (ms), queue (ms). */
function done(id: number, arrivalUs: number, ttftMs: number, tpotMs: number, e2eMs: number, queueMs: number, inputTokens: number, cachedTokens: number): RequestRecord {
  const first = arrivalUs + ttftMs * 1000;
  return rec(id, arrivalUs, { firstTokenUs: first, lastTokenUs: first + 9 * tpotMs * 1000, endUs: arrivalUs + e2eMs * 1000, enqueueUs: arrivalUs, scheduledUs: arrivalUs + queueMs * 1000, inputTokens, cachedTokens });
}

const RECORDS = [
  done(0, 0, 50, 10, 150, 0, 50, 0),
  done(1, 1_000_000, 200, 10, 300, 0, 50, 0),
  done(2, 2_000_000, 80, 20, 300, 10, 100, 16),
  rec(3, 3_000_000, { outcome: 'dropped', reason: 'shed', status: 429, endUs: 3_000_000 }),
  done(4, 4_000_000, 150, 30, 500, 50, 200, 0),
];
const END_ORDER = [3, 0, 2, 4, 1];
const SLO = { ttft_ms: 100, tpot_ms: null };

function emptyRun(records: RequestRecord[]): PolicyRun {
  return { policy: 'p', policyType: 'round-robin', records, replicas: [], itl: new Map(), endUs: 4_500_000 };
}

function streamed(opts: SummaryOptions) {
  const s = new StreamedSummary(SLO, opts);
  for (const r of RECORDS) s.onRecord({ ...r });
  for (const id of END_ORDER) s.onRequestEnd(id);
  s.finish();
  return s.summarize(emptyRun([]));
}

describe('streamed summary: golden', () => {
  it('fixed warm-up 1.5 s: requests 2, 3, 4 are measured (derived by hand)', () => {
    const s = streamed({ warmup_s: 1.5 });
    expect([s.arrived, s.completed, s.rejected, s.dropped]).toEqual([5, 4, 0, 1]);
    expect(s.dropped_by_status).toEqual({ '429': 1 });
    expect(s.dropped_by_reason).toEqual({ shed: 1 });
    expect(s.window).toEqual({ warmup_s: 1.5, cooldown_s: 0, from_s: 1.5, to_s: 4 });
    // Completed in the window: requests 2 and 4. TTFT 80, 150; TPOT 20, 30; E2E 300, 500; queue 10, 50.
    expect([s.ttft_ms.mean, s.tpot_ms.mean, s.e2e_ms.mean, s.queue_ms.mean]).toEqual([115, 25, 400, 30]);
    // Duration: last end 4.5 s − first measured arrival 2 s = 2.5 s; 2 done, 300 in / 20 out tokens.
    expect(s.throughput).toEqual({ duration_s: 2.5, requests_per_s: 0.8, input_tokens_per_s: 120, output_tokens_per_s: 8 });
    // Only request 2 meets TTFT ≤ 100 ms: 1 / 2.5 s and 1 of 3 measured requests.
    expect(s.goodput).toEqual({ requests_per_s: 0.4, fraction: 0.3333 });
    expect(s.mean_cached_tokens).toBe(8);
    // Quantiles, type 7 (exact: two values): p50 of {80, 150} = 115, p99 = 80 + 0.99·70 = 149.3.
    expect([s.ttft_ms.p50, s.ttft_ms.p99]).toEqual([115, 149.3]);
    expect(s.by_class.priority['0']!.arrived).toBe(5);
    expect(s.by_class.tenant.none!.goodput).toEqual(s.goodput);
    expect(s.steady_state.detail).toBe('not tested: 5 arrivals (needs at least 20)');
  });

  it('automatic warm-up: a tenth of the 4 s span, 0.4 s: requests 1–4 are measured', () => {
    const s = streamed({ warmup_s: null });
    expect(s.window.from_s).toBe(0.4);
    // TTFT 200, 80, 150 → mean 143.3333; duration 4.5 − 1 = 3.5 s; 3 done → 0.8571 req/s.
    expect(s.ttft_ms.mean).toBe(143.3333);
    expect(s.throughput.duration_s).toBe(3.5);
    expect(s.throughput.requests_per_s).toBe(0.8571);
  });

  it('equals the record path on the same records, quantiles included', () => {
    for (const opts of [{ warmup_s: 1.5 }, { warmup_s: null }, {}] as SummaryOptions[]) {
      const exact = summarize(emptyRun(RECORDS.map((r) => ({ ...r }))), SLO, opts);
      expect(streamed(opts)).toEqual(exact);
    }
  });
});

describe('streamed summary: the P/D decomposition only where a run can have one', () => {
  const folded = (s: StreamedSummary): number => (s as unknown as { pd: PdFolder }).pd.folded;
  const fed = (mayDisaggregate: boolean | undefined, roles: string[], records = RECORDS) => {
    const s = new StreamedSummary(SLO, { warmup_s: 0 });
    if (mayDisaggregate === undefined) s.onStart({}, roles);
    else s.onStart({}, roles, mayDisaggregate);
    for (const r of records) s.onRecord({ ...r });
    for (const r of records) s.onRequestEnd(r.id);
    s.finish();
    return s;
  };

  it('runs say whether a request can be disaggregated: a P/D EPP config can, the default EPP and a router cannot', () => {
    const file = loadScenarioFile('scenarios/pd-disaggregation.yaml');
    const scenario: ScenarioConfig = { ...file, requests: 10 };
    const router = parseScenario('fleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}\nrequests: 10\nworkload: {arrival: {process: poisson, rate: 10}, input: {dist: uniform, min: 20, max: 40}, output: {dist: uniform, min: 5, max: 10}}\npolicies: [least-requests]\n', 'router.yaml');
    const said = (sc: ScenarioConfig, i: number): boolean | undefined => {
      let may: boolean | undefined;
      runPolicy(sc, sc.policies[i]!, { onStart: (_names, _roles, m) => (may = m) });
      return may;
    };
    expect(scenario.policies.map((p) => p.name).slice(0, 2)).toEqual(['aggregated', 'pd-2p6d']);
    expect(said(scenario, 0)).toBe(false);
    expect(said(scenario, 1)).toBe(true);
    expect(said(router, 0)).toBe(false);
  });

  it('a run that cannot disaggregate and has no role label folds no P/D part, and its summary is the record path’s', () => {
    // The four completed RECORDS are aggregated: folded when the run may disaggregate or has a role.
    expect(folded(fed(undefined, []))).toBe(4);
    expect(folded(fed(true, []))).toBe(4);
    expect(folded(fed(false, ['', 'decode']))).toBe(4);
    const skipped = fed(false, ['', '']);
    expect(folded(skipped)).toBe(0);
    const summary = skipped.summarize(emptyRun([]));
    expect(summary.pd).toBeUndefined();
    expect(summary).toEqual(summarize(emptyRun(RECORDS.map((r) => ({ ...r }))), SLO, { warmup_s: 0 }));
  });

  it('a disaggregated request in a run that started unable to disaggregate is an error, not a section left out', () => {
    // Request 2 (TTFT 80 ms) prefilled on replica 1: prefill queue 20 + compute 30 ms, decode queue 5,
    // KV transfer 5, its KV ready 10 ms before its first token (first step 10 ms): gateway 80 − 70 = 10 ms.
    const pd = [...RECORDS.slice(0, 2), { ...RECORDS[2]!, prefillReplica: 1, prefillQueueUs: 20_000, prefillComputeUs: 30_000, decodeQueueUs: 5_000, kvTransferUs: 5_000, kvReadyUs: 2_070_000 }];
    expect(() => fed(false, [], pd)).toThrow(/request 2 was disaggregated in a run that started unable to disaggregate/);
    const d = fed(true, [], pd).summarize(emptyRun([])).pd?.disaggregated;
    expect([d?.count, d?.gateway_ms.mean, d?.first_step_ms.mean]).toEqual([1, 10, 10]);
  });
});

describe('streamed summary: a cool-down over thousands of held requests', () => {
  it('held requests are released as later arrivals place them, and the summary equals the record path', () => {
    // 6,000 requests 1 ms apart, each done 5 ms after arriving (TTFT 2 ms, 10 tokens); a 2 s cool-down
    // holds the ≈ 2,000 latest at any time, so the buffer of requests that may fall in it drains repeatedly.
    const records = Array.from({ length: 6000 }, (_, i) => done(i, i * 1000, 2, 0.25, 5, 1, 100, i % 7));
    for (const opts of [{ warmup_s: 0.5, cooldown_s: 2 }, { warmup_s: null, cooldown_s: 2 }] as SummaryOptions[]) {
      const s = new StreamedSummary(SLO, opts);
      for (const r of records) {
        s.onRecord({ ...r });
        // Requests end 5 ms after arriving: end every request that has ended by this arrival.
        const endedBy = r.arrivalUs - 5000;
        if (endedBy >= 0) s.onRequestEnd(endedBy / 1000);
      }
      s.finish();
      const streamed = s.summarize(emptyRun([]));
      const exact = summarize(emptyRun(records.map((r) => ({ ...r }))), SLO, opts);
      expect(streamed).toEqual(exact);
      expect(s.exact).toBe(true);
      // Window [0.5 s, 5.999 − 2 s] with the fixed warm-up: arrivals 0.5 … 3.999 s, 3,500 requests; the
      // last ends at 3.999 + 0.005 s, so the duration is 4.004 − 0.5 = 3.504 s.
      if (opts.warmup_s === 0.5) expect([streamed.throughput.duration_s, streamed.completed, streamed.throughput.requests_per_s]).toEqual([3.504, 6000, 998.8584]);
    }
  });
});

/** A rate ladder (summary `stages`, a pause between stages) on three replicas. */
const STAGED = `
name: staged
seed: 3
fleet: {replicas: 3, gpu: H100, model: Llama-3.1-8B}
workload:
  arrival: {process: poisson, stages: [{rate: 15, duration_s: 4}, {rate: 45, duration_s: 4}, {rate: 0, duration_s: 1}, {rate: 25, duration_s: 3}]}
  input: {dist: normal, mean: 256, std: 100, min: 2, max: 800}
  output: {dist: normal, mean: 128, std: 50, min: 1, max: 512}
policies: [least-requests, round-robin]
`;

describe('streamed summary: against the record path on real scenarios', () => {
  it('every figure equal: summary, distributions, time series (random scenario, seed, size, warm-up, cool-down, stages)', () => {
    // canary: two pools behind weighted routes; multi-model: two pools, routes by model and a rate ladder.
    // failure, autoscaling, rate-limits: resilience counts, failed streams, replicas over time, arrivals series;
    // pd-disaggregation: the P/D decomposition and by_role.
    const files = ['scenarios/quickstart.yaml', 'scenarios/multi-lora.yaml', 'scenarios/staleness.yaml', 'staged', 'scenarios/canary.yaml', 'scenarios/multi-model.yaml', 'scenarios/failure.yaml', 'scenarios/autoscaling.yaml', 'scenarios/rate-limits.yaml', 'scenarios/pd-disaggregation.yaml'];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: files.length - 1 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 30, max: 300 }), fc.constantFrom<number | null>(null, 0, 0.5, 2), fc.constantFrom(0, 0, 0.5, 3), (f, seed, requests, warmup, cooldown) => {
        const base = files[f] === 'staged' ? parseScenario(STAGED, 'staged.yaml') : loadScenarioFile(files[f]!);
        const staged = (base.workload.arrival.profile?.stages.length ?? 0) > 0;
        // The ladder keeps its own length (its stages are the point); the others are cut to `requests`.
        const sc = { ...base, ...(staged ? {} : { requests, duration_s: null }), report: { ...base.report!, warmup_s: warmup, cooldown_s: cooldown } };
        const cell = { variant: 0, policy: seed % sc.policies.length, seed, rate: sc.workload.arrival.rate, profiles: true, timeseries: true };
        const exact: CellResult = runCell(sc, cell);
        const stream: CellResult = runCell(sc, { ...cell, streamed: true });
        if (files[f] === 'staged') expect(stream.summary.stages?.length).toBe(3);
        if (files[f]!.includes('canary') || files[f]!.includes('multi-model')) expect(Object.keys(stream.summary.by_pool ?? {})).toHaveLength(2);
        expect(stream).toEqual(exact);
      }),
      { numRuns: 45, seed: 15 },
    );
  }, 120_000);
});

/** Every leaf equal, but percentiles (and grids, series quantiles) within α plus rounding of the exact value. */
function withinSketchBound(exact: unknown, stream: unknown, path: string, bad: string[]): void {
  if (exact !== null && typeof exact === 'object') {
    const keys = new Set([...Object.keys(exact), ...Object.keys((stream ?? {}) as object)]);
    for (const k of keys) withinSketchBound((exact as Record<string, unknown>)[k], (stream as Record<string, unknown> | undefined)?.[k], path === '' ? k : `${path}.${k}`, bad);
    return;
  }
  if (exact === stream) return;
  const quantile = /(^|\.)(p50|p90|p95|p99|p50_ms|p99_ms)(\.\d+)?$|^(pool_)?distributions\./.test(path);
  if (quantile && typeof exact === 'number' && typeof stream === 'number' && Math.abs(stream - exact) <= RELATIVE_ACCURACY * Math.abs(exact) + 2e-4) return;
  bad.push(`${path}: ${JSON.stringify(exact)} vs ${JSON.stringify(stream)}`);
}

describe('streamed summary of a run known to be larger than RECORDS_KEPT (Cell.sketched)', () => {
  it('sketches from the first request: approximate, every figure equal but percentiles within 0.5 %', () => {
    const sc = { ...loadScenarioFile('scenarios/multi-lora.yaml'), requests: 400, duration_s: null };
    const cell = { variant: 0, policy: 0, seed: 7, rate: sc.workload.arrival.rate, profiles: true, timeseries: true };
    const exact = runCell(sc, cell);
    const sketched = runCell(sc, { ...cell, streamed: true, sketched: true });
    expect(sketched.approximate).toBe(true);
    expect(runCell(sc, { ...cell, streamed: true }).approximate).toBeUndefined();
    const bad: string[] = [];
    withinSketchBound({ ...exact, approximate: true }, sketched, '', bad);
    expect(bad).toEqual([]);
    // Not vacuous: some percentile does differ (sketch buckets are not the exact values).
    expect(JSON.stringify(sketched.summary.ttft_ms)).not.toBe(JSON.stringify(exact.summary.ttft_ms));
  });
});

describe('streamed summary past EXACT_VALUES requests', () => {
  it('1,000,001 completed requests: no longer exact, percentiles within the sketch bound', () => {
    // TTFT i mod 1000 ms (so p50 of the whole run ≈ 499.5, p99 ≈ 989.x), one request every 10 µs.
    const n = EXACT_VALUES + 1;
    const s = new StreamedSummary(SLO, { warmup_s: 0 });
    const r = rec(0, 0, {}) as Mutable;
    for (let i = 0; i < n; i++) {
      const ttft = (i % 1000) * 1000;
      Object.assign(r, { id: i, arrivalUs: 10 * i, enqueueUs: 10 * i, scheduledUs: 10 * i, firstTokenUs: 10 * i + ttft, lastTokenUs: 10 * i + ttft + 9000, endUs: 10 * i + ttft + 9000 });
      s.onRecord(r);
      s.onRequestEnd(i);
    }
    s.finish();
    const sum = s.summarize(emptyRun([]));
    expect(s.exact).toBe(false);
    expect(sum.completed).toBe(n);
    // Type 7 over 1001 copies of 0…999 less one: p50 idx 500000 → value 499 or 500; within α of it.
    expect(Math.abs(sum.ttft_ms.p50! - 499.5)).toBeLessThanOrEqual(499.5 * RELATIVE_ACCURACY + 0.5);
    // Mean: 1000 · (0 + … + 999) ms over 1,000,001 requests (the last one 0 ms) = 499.4995 after rounding.
    expect(sum.ttft_ms.mean).toBe(499.4995);
  }, 60_000);
});

describe('backlog counts up to EXACT_TIMES', () => {
  it('equal backlogOfTimes exactly, whether the times are integer µs (kept as int32 offsets) or not (fast-check)', () => {
    const time = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 4e9 }) }, { weight: 1, arbitrary: fc.double({ min: 0, max: 4e9, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(fc.tuple(time, time), { minLength: 1, maxLength: 300 }), fc.double({ min: 0, max: 4e9, noNaN: true }), (pairs, to) => {
        const b = new BacklogCounts();
        for (const [a, s] of pairs) {
          b.arrive(a);
          b.serve(s);
        }
        const exact = backlogOfTimes(Float64Array.from(pairs.map((p) => p[0])), Float64Array.from(pairs.map((p) => p[1])), 0, to);
        expect(b.series(0, to)).toEqual(exact);
        expect(b.exact).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('keep integer times as int32 offsets from the first (4 B each): ±2^31 µs around it, ≈ 36 minutes', () => {
    const b = new BacklogCounts();
    for (const t of [1e9, 1e9 + 2 ** 31 - 1, 1e9 - 2 ** 31]) b.arrive(t);
    const arrivals = (b as unknown as { arrivals: { times: { compact: boolean } } }).arrivals.times;
    expect(arrivals.compact).toBe(true);
    b.arrive(1e9 + 2 ** 31);
    expect(arrivals.compact).toBe(false);
    expect(b.series(0, 4e9).arrived.at(-1)).toBe(4);
  });
});

describe('backlog counts past EXACT_TIMES', () => {
  it('exact to one doubling bin: arrivals every 10 µs, each served 35 µs later', () => {
    const n = EXACT_TIMES + 1000;
    const b = new BacklogCounts();
    const arrivals = new Float64Array(n);
    const served = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      arrivals[i] = 10 * i;
      served[i] = 10 * i + 35;
      b.arrive(arrivals[i]!);
      b.serve(served[i]!);
    }
    const last = 10 * (n - 1);
    const exact = backlogOfTimes(arrivals, served, 0, last);
    const approx = b.series(0, last);
    expect(approx.timesUs).toEqual(exact.timesUs);
    // Span ≈ 1.0e7 µs over at most 2^20 bins: width 16 µs, so each count is off by at most the two
    // events (10 µs apart) that can share a sample time's bin after it.
    for (let k = 0; k < exact.timesUs.length; k++) {
      expect(Math.abs(approx.arrived[k]! - exact.arrived[k]!)).toBeLessThanOrEqual(2);
      expect(Math.abs(approx.backlog[k]! - exact.backlog[k]!)).toBeLessThanOrEqual(2);
    }
    // Served 35 µs after arriving 10 µs apart: 3 or 4 waiting at any time (exactly).
    expect(exact.backlog.slice(1).every((w) => w === 3 || w === 4)).toBe(true);
  });
});

describe('streamed summary: CLI', () => {
  it('--streamed-summary gives the record path’s results document bit for bit, with no warning (up to 1,000,000 requests)', () => {
    const args = ['run', 'scenarios/quickstart.yaml', '--set', 'requests=300', '--seeds', '2', '--jobs', '1', '--json'];
    const records = routesim(args);
    const streamed = routesim([...args, '--streamed-summary']);
    expect([records.code, streamed.code]).toEqual([0, 0]);
    expect(streamed.stdout).toBe(records.stdout);
    const doc = JSON.parse(streamed.stdout) as { warnings?: string[]; policies: { summary: { arrived: number } }[] };
    expect(doc.policies[0]!.summary.arrived).toBe(300);
    expect(doc.warnings ?? []).toEqual([]);
    expect(streamed.stderr).not.toMatch(/streamed summary/);
  });

  it('a run of more than 100,000 requests keeps no records unless an output needs them: the same document either way', () => {
    const dir = mkdtempSync(join(tmpdir(), 'routesim-streamed-'));
    try {
      const file = join(dir, 'big.yaml');
      writeFileSync(file, `name: big\nseed: 4\nrequests: 100001\nfleet: {replicas: 4, gpu: H100, model: Llama-3.1-8B}\nworkload:\n  arrival: {process: poisson, rate: 120}\n  input: {dist: uniform, min: 20, max: 200}\n  output: {dist: uniform, min: 2, max: 40}\npolicies: [round-robin]\n`);
      const streamed = routesim(['run', file, '--json']);
      // --trace-out needs the records: this run keeps them.
      const records = routesim(['run', file, '--json', '--trace-out', join(dir, 'trace.yaml')]);
      expect([streamed.code, records.code]).toEqual([0, 0]);
      expect(JSON.parse(streamed.stdout).policies[0].summary.completed).toBe(100001);
      expect(streamed.stdout).toBe(records.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a run over 1,000,000 requests with an output that needs records, in one line, before running', () => {
    const r = routesim(['run', 'scenarios/quickstart.yaml', '--set', 'requests=1000001', '--trace-out', '/tmp/routesim-never-written.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/requests: 1000001 a run is more than 1000000, and such runs keep no per-request records, which --trace-out need: set requests/);
  });

  it('a time-limited run is sized at its highest swept rate: 20,000 s × 60 req/s = 1,200,000 requests', () => {
    const r = routesim(['run', 'scenarios/quickstart.yaml', '--set', 'requests=null', '--set', 'duration_s=20000', '--sweep-rate', '60', '--trace-out', '/tmp/routesim-never-written.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/requests: 1200000 a run is more than 1000000/);
  });

  it('refuses --streamed-summary with an output that needs records', () => {
    const r = routesim(['run', 'scenarios/quickstart.yaml', '--streamed-summary', '--benchmark-report', '/tmp/routesim-never-written']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--streamed-summary keeps no per-request records, which --benchmark-report \/ --inference-perf-report need: drop --streamed-summary/);
  });
});
