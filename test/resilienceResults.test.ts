/**
 * Results of a fleet that fails and scales (issue 11): a hand-made run with timeouts, retries, a
 * failed stream, rate-limited drops, circuit-open and reset drops, a fallback and a two-pool replica
 * timeline, counted by hand; a run without any of it gains no key; the CSV's attempt columns only
 * when asked; the table lines; the replicas-over-time chart compiles and renders; the new keys
 * round-trip through the results file and junk in them is refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { summarize } from '../sim/metrics/summary.js';
import type { PolicyRun, PoolReplicaTimeline, RequestRecord, ResilienceCounters } from '../sim/metrics/types.js';
import { fleetReady } from '../sim/metrics/replicaTimeline.js';
import { parseScenario } from '../sim/scenario/load.js';
import { buildCharts } from '../reports/charts/index.js';
import { MAX_CHART_WIDTH } from '../reports/charts/palette.js';
import { betterDirection } from '../reports/check/directions.js';
import { flattenFigures } from '../reports/figures.js';
import { timeSeries } from '../reports/profiles.js';
import { renderSvg } from '../reports/render.js';
import { csvHasAttempts, REQUESTS_CSV_COLUMNS, requestsCsvHeader, requestsCsvRows } from '../reports/requestsCsv.js';
import { parseResults } from '../reports/resultsFile.js';
import { buildResultsDocument, serialiseResults, type ResultsDocument } from '../reports/results.js';
import { fleetLines, renderComparisonTable } from '../reports/table.js';
import { completedRecord, replicaStats } from './fixtures.js';

const SLO = { ttft_ms: null, tpot_ms: null, e2e_ms: null };
const S = 1_000_000;

/** A record ending as `outcome` (times: arrival at `id` s, first token 0.1 s later when it streamed). */
function rec(id: number, over: Partial<RequestRecord>): RequestRecord {
  const t = id * S;
  const base = completedRecord({ id, arrivalUs: t, firstTokenUs: t + 100_000, lastTokenUs: t + 200_000, attempts: 1 });
  if (over.outcome === 'dropped') return { ...base, firstTokenUs: -1, lastTokenUs: -1, scheduledUs: -1, enqueueUs: -1, replica: -1, endUs: t + 50_000, ...over };
  if (over.outcome === 'failed') return { ...base, lastTokenUs: t + 150_000, endUs: t + 150_000, ...over };
  return { ...base, reason: '', ...over };
}

// route 0 = chat, 1 = batch; client 0 = acme, 1 = beta; pool 0 = main, 1 = spare.
const RECORDS: readonly RequestRecord[] = [
  rec(0, { route: 0, client: 0, pool: 0 }),
  rec(1, { route: 0, client: 0, pool: 0, attempts: 2 }),
  rec(2, { route: 0, client: 1, pool: 0, outcome: 'dropped', reason: 'timeout', status: 504 }),
  rec(3, { route: 1, client: 1, pool: 0, outcome: 'dropped', reason: 'per-try-timeout', status: 504, attempts: 3 }),
  rec(4, { route: 0, client: 0, pool: 0, outcome: 'failed', reason: 'replica-failed' }),
  rec(5, { route: 1, client: 0, pool: 0, outcome: 'dropped', reason: 'rate-limited', status: 429, attempts: 0 }),
  rec(6, { route: 1, client: 1, pool: 0, outcome: 'dropped', reason: 'rate-limited', status: 429, attempts: 0 }),
  rec(7, { route: 1, client: 1, pool: 1, replica: 2, attempts: 2, fallback: true }),
  rec(8, { route: 0, client: 1, pool: 0, outcome: 'dropped', reason: 'circuit-open', status: 503, attempts: 0 }),
  rec(9, { route: 1, client: 0, pool: 0, outcome: 'dropped', reason: 'upstream-reset', status: 503 }),
  rec(10, { route: 1, client: 1, pool: 0, outcome: 'failed', reason: 'timeout' }),
];

/** Keys deliberately unsorted: the summary sorts them. */
const COUNTERS: ResilienceCounters = {
  retries: { chat: 1, batch: 3 },
  retriesOverBudget: { batch: 1 },
  perTryTimeouts: { batch: 3 },
  ejections: { main: 2 },
  fallbacks: { batch: 1 },
};

/** main: 2 H100 replicas ready, a third starting at 30 s, ready at 90 s; spare: 1 replica gone at 60 s. */
const TIMELINE: readonly PoolReplicaTimeline[] = [
  { pool: 'main', t_s: [0, 30, 90], ready: [2, 2, 3], starting: [0, 1, 0], gpu_seconds: { H100: 7200 } },
  { pool: 'spare', t_s: [0, 60], ready: [1, 0], starting: [0, 0], gpu_seconds: { L4: 1800, A100: 3600 } },
];

const PRICES = { H100: 4.25, A100: 2.21 };
const TENANTS = ['acme', 'beta'];

function run(over: Partial<PolicyRun> = {}): PolicyRun {
  return {
    policy: 'rr',
    policyType: 'round-robin',
    records: RECORDS.map((r) => ({ ...r })),
    replicas: [replicaStats({ name: 'r0' }), replicaStats({ name: 'r1' }), replicaStats({ name: 'r2', pool: 1 })],
    itl: new Map(),
    endUs: 12 * S,
    pools: ['main', 'spare'],
    routes: ['chat', 'batch'],
    resilience: COUNTERS,
    replicaTimeline: TIMELINE,
    ...over,
  };
}

const summary = summarize(run(), SLO, { tenantNames: TENANTS, gpuPrices: PRICES });

describe('resilience results, counted by hand', () => {
  it('whole run: failed, failed_by_reason and the outcome totals', () => {
    // completed 0, 1, 7; dropped 2, 3, 5, 6, 8, 9; failed 4 (replica-failed), 10 (timeout mid-stream).
    expect(summary.completed).toBe(3);
    expect(summary.dropped).toBe(6);
    expect(summary.failed).toBe(2);
    expect(summary.failed_by_reason).toEqual({ 'replica-failed': 1, timeout: 1 });
    expect(summary.completed + summary.rejected + summary.dropped + summary.failed!).toBe(summary.arrived);
    expect(summary.resilience).toEqual({
      // counters, keys sorted
      retries: { batch: 3, chat: 1 },
      retries_over_budget: { batch: 1 },
      per_try_timeouts: { batch: 3 },
      ejections: { main: 2 },
      fallbacks: { batch: 1 },
      // timeouts: 2 (504), 3 (per-try 504), 10 (mid-stream) = 3; rate-limited 5, 6; circuit 8; reset 9
      timed_out: 3,
      rate_limited: 2,
      circuit_open: 1,
      upstream_reset: 1,
      failed: 2,
      fallback: 1,
      // retried (attempts > 1): 1, 3, 7
      retried: 3,
      // sent at least once: 0(1) 1(2) 2(1) 3(3) 4(1) 7(2) 9(1) 10(1) = 12 tries / 8 requests
      mean_attempts: 1.5,
    });
    expect(Object.keys(summary.resilience!.retries)).toEqual(['batch', 'chat']);
  });

  it('per route (by_route) and per tenant (by_class.tenant)', () => {
    // chat: 0, 1, 2, 4, 8 — timeout 2, circuit 8, failed 4, retried 1; tries 1 + 2 + 1 + 1 = 5 over 4.
    expect(summary.by_route!.chat!.resilience).toEqual({ timed_out: 1, rate_limited: 0, circuit_open: 1, upstream_reset: 0, failed: 1, fallback: 0, retried: 1, mean_attempts: 1.25 });
    expect(summary.by_route!.chat).toMatchObject({ arrived: 5, completed: 2, dropped: 2, failed: 1, failed_by_reason: { 'replica-failed': 1 } });
    // batch: 3, 5, 6, 7, 9, 10 — timeouts 3, 10; rate-limited 5, 6; reset 9; failed 10; fallback 7;
    // retried 3, 7; tries 3 + 2 + 1 + 1 = 7 over 4.
    expect(summary.by_route!.batch!.resilience).toEqual({ timed_out: 2, rate_limited: 2, circuit_open: 0, upstream_reset: 1, failed: 1, fallback: 1, retried: 2, mean_attempts: 1.75 });
    expect(summary.by_route!.batch).toMatchObject({ arrived: 6, completed: 1, dropped: 4, failed: 1, failed_by_reason: { timeout: 1 } });
    // acme: 0, 1, 4, 5, 9 — rate-limited 5, reset 9, failed 4, retried 1; tries 1 + 2 + 1 + 1 = 5 over 4.
    expect(summary.by_class.tenant.acme!.resilience).toEqual({ timed_out: 0, rate_limited: 1, circuit_open: 0, upstream_reset: 1, failed: 1, fallback: 0, retried: 1, mean_attempts: 1.25 });
    expect(summary.by_class.tenant.acme).toMatchObject({ arrived: 5, completed: 2, dropped: 2, failed: 1 });
    // beta: 2, 3, 6, 7, 8, 10 — timeouts 2, 3, 10; rate-limited 6; circuit 8; failed 10; fallback 7.
    expect(summary.by_class.tenant.beta!.resilience).toEqual({ timed_out: 3, rate_limited: 1, circuit_open: 1, upstream_reset: 0, failed: 1, fallback: 1, retried: 2, mean_attempts: 1.75 });
    // the other dimensions get `failed` but no resilience block
    expect(summary.by_class.priority['0']).toMatchObject({ failed: 2 });
    expect(summary.by_class.priority['0']!.resilience).toBeUndefined();
    expect(summary.by_pool!.main).toMatchObject({ arrived: 10, failed: 2 });
    expect(summary.by_pool!.main!.resilience).toBeUndefined();
  });

  it('replicas_over_time: the timelines, GPU-hours and cost', () => {
    const rot = summary.replicas_over_time!;
    expect(rot.pools.main).toEqual({ t_s: [0, 30, 90], ready: [2, 2, 3], starting: [0, 1, 0], ready_min: 2, ready_max: 3, gpu_hours: { H100: 2, total: 2 }, cost_usd: 8.5 });
    // spare: 3600 s A100 = 1 h at $2.21; L4 1800 s = 0.5 h, no price.
    expect(rot.pools.spare).toEqual({ t_s: [0, 60], ready: [1, 0], starting: [0, 0], ready_min: 0, ready_max: 1, gpu_hours: { A100: 1, L4: 0.5, total: 1.5 }, cost_usd: 2.21 });
    // fleet ready at 0, 30, 60, 90 s: 2+1, 2+1, 2+0, 3+0 → min 2, max 3; cost 2 × 4.25 + 1 × 2.21.
    expect(rot).toMatchObject({ ready_min: 2, ready_max: 3, gpu_hours: { A100: 1, H100: 2, L4: 0.5, total: 3.5 }, cost_usd: 10.71, unpriced: ['L4'] });
    expect(fleetReady(TIMELINE)).toEqual({ t_s: [0, 30, 60, 90], ready: [3, 3, 2, 3] });
    // without a price table: no cost, no unpriced list
    const free = summarize(run(), SLO).replicas_over_time!;
    expect(free.cost_usd).toBeUndefined();
    expect(free.unpriced).toBeUndefined();
    expect(free.pools.main!.cost_usd).toBeUndefined();
  });

  it('the step arrays are not figures; GPU-hours and cost are, better when lower', () => {
    const paths = [...flattenFigures(summary).keys()];
    expect(paths.some((p) => /replicas_over_time\.pools\.[^.]+\.(t_s|ready|starting)\./.test(p))).toBe(false);
    expect(paths).toContain('replicas_over_time.pools.main.gpu_hours.H100');
    for (const p of paths) expect(betterDirection(p), p).not.toBe('unknown');
    for (const p of ['failed', 'failed_by_reason.timeout', 'resilience.timed_out', 'resilience.retries.chat', 'resilience.mean_attempts', 'by_route.chat.resilience.failed', 'by_class.tenant.acme.resilience.rate_limited', 'by_route.chat.failed', 'replicas_over_time.cost_usd', 'replicas_over_time.gpu_hours.total', 'replicas_over_time.pools.main.gpu_hours.H100', 'replicas_over_time.pools.a.b.cost_usd']) {
      expect(betterDirection(p), p).toBe('lower');
    }
    expect(betterDirection('replicas_over_time.ready_max')).toBe('either');
    expect(betterDirection('replicas_over_time.pools.main.ready_min')).toBe('either');
  });
});

/** Keys of a summary before issue 11 (a single-pool run with these records' shape). */
const NEW_KEYS = ['failed', 'failed_by_reason', 'resilience', 'replicas_over_time'];

describe('a run without resilience, failures or a timeline', () => {
  const plain = (): PolicyRun => run({ records: RECORDS.filter((r) => r.outcome !== 'failed').map((r) => ({ ...r, attempts: Math.min(r.attempts, 1), fallback: false })), resilience: undefined, replicaTimeline: undefined });

  it('gets none of the new keys anywhere, and attempts of 0 or 1 change nothing', () => {
    const s = summarize(plain(), SLO, { tenantNames: TENANTS, gpuPrices: PRICES });
    const json = JSON.stringify(s);
    for (const k of NEW_KEYS) expect(json).not.toContain(`"${k}"`);
    // attempts (0 = never sent, 1 = sent once) carry no information without retries: deep-equal.
    const zero = plain();
    for (const r of zero.records) r.attempts = 0;
    expect(summarize(zero, SLO, { tenantNames: TENANTS })).toEqual(s);
  });

  it('property: outcomes among completed / rejected / dropped, attempts ≤ 1, no fallback ⇒ no new key', () => {
    const arb = fc.array(
      fc.record({ outcome: fc.constantFrom('completed', 'rejected', 'dropped'), route: fc.integer({ min: -1, max: 1 }), client: fc.integer({ min: -1, max: 2 }), attempts: fc.integer({ min: 0, max: 1 }) }),
      { minLength: 1, maxLength: 30 },
    );
    fc.assert(
      fc.property(arb, (rows) => {
        const records = rows.map((x, i) => rec(i, { outcome: x.outcome as RequestRecord['outcome'], route: x.route, client: x.client, attempts: x.attempts, reason: x.outcome === 'completed' ? '' : 'x' }));
        const json = JSON.stringify(summarize(run({ records, resilience: undefined, replicaTimeline: undefined }), SLO));
        return NEW_KEYS.every((k) => !json.includes(`"${k}"`));
      }),
    );
  });

  it('property: per-route and per-tenant counts add up to the totals; every arrival ends once', () => {
    const arb = fc.array(
      fc.record({
        kind: fc.constantFrom('ok', 'timeout', 'per-try-timeout', 'rate-limited', 'circuit-open', 'upstream-reset', 'replica-failed', 'stream-timeout'),
        route: fc.integer({ min: 0, max: 2 }),
        client: fc.integer({ min: 0, max: 2 }),
        attempts: fc.integer({ min: 0, max: 4 }),
        fallback: fc.boolean(),
      }),
      { minLength: 1, maxLength: 40 },
    );
    fc.assert(
      fc.property(arb, (rows) => {
        const records = rows.map((x, i) => {
          if (x.kind === 'ok') return rec(i, { route: x.route, client: x.client, attempts: x.attempts, fallback: x.fallback });
          const failed = x.kind === 'replica-failed' || x.kind === 'stream-timeout';
          return rec(i, { route: x.route, client: x.client, attempts: x.attempts, fallback: x.fallback, outcome: failed ? 'failed' : 'dropped', reason: x.kind === 'stream-timeout' ? 'timeout' : x.kind });
        });
        const s = summarize(run({ records, routes: ['a', 'b', 'c'] }), SLO);
        const tot = s.resilience!;
        for (const dim of [s.by_route!, s.by_class.tenant]) {
          for (const k of ['timed_out', 'rate_limited', 'circuit_open', 'upstream_reset', 'failed', 'fallback', 'retried'] as const) {
            expect(Object.values(dim).reduce((a, e) => a + e.resilience![k], 0)).toBe(tot[k]);
          }
        }
        expect(s.completed + s.rejected + s.dropped + (s.failed ?? 0)).toBe(s.arrived);
        expect(tot.timed_out + tot.rate_limited + tot.circuit_open + tot.upstream_reset).toBeLessThanOrEqual(s.dropped + (s.failed ?? 0));
      }),
    );
  });
});

describe('requests CSV', () => {
  it('the attempt columns only when asked (csvHasAttempts); otherwise unchanged', () => {
    expect(requestsCsvHeader()).toBe(REQUESTS_CSV_COLUMNS.join(',') + '\n');
    expect(requestsCsvHeader(false, true)).toBe([...REQUESTS_CSV_COLUMNS, 'attempts', 'fallback'].join(',') + '\n');
    expect(requestsCsvHeader(true, true).trimEnd().split(',').slice(-3)).toEqual(['kv_ready_ms', 'attempts', 'fallback']);
    expect(csvHasAttempts(run())).toBe(true);
    expect(csvHasAttempts(run({ resilience: undefined }))).toBe(true);
    expect(csvHasAttempts(run({ resilience: undefined, replicaTimeline: undefined }))).toBe(false);
    const plain = requestsCsvRows('rr', RECORDS.slice(7, 8), TENANTS).trimEnd().split(',');
    const rows = requestsCsvRows('rr', RECORDS.slice(7, 8), TENANTS, undefined, true).trimEnd().split(',');
    expect(plain).toHaveLength(REQUESTS_CSV_COLUMNS.length);
    // request 7: two tries, served by the fallback pool
    expect(rows).toEqual([...plain, '2', '1']);
    const failed = requestsCsvRows('rr', RECORDS.slice(4, 5), TENANTS, run(), true).trimEnd().split(',');
    expect(failed.slice(2, 4)).toEqual(['failed', 'replica-failed']);
    expect(failed.slice(-2)).toEqual(['1', '0']);
  });
});

describe('comparison table', () => {
  it('a resilience line and a replicas line under the policy; none for an earlier run', () => {
    expect(fleetLines(summary)).toEqual([
      // retries 3 + 1, over budget 1, timeouts 3, …
      '  retries 4 (over budget 1), timeouts 3, rate-limited 2, circuit-open 1, failed 2, fallbacks 1',
      '  replicas 2–3, GPU-h 3.50, $10.71',
    ]);
    const table = renderComparisonTable([{ policy: 'rr', summary }]);
    const lines = table.split('\n');
    const row = lines.findIndex((l) => l.startsWith('rr'));
    expect(lines.slice(row + 1, row + 5).filter((l) => l.startsWith('  retries') || l.startsWith('  replicas'))).toHaveLength(2);
    const plain = summarize(run({ records: RECORDS.filter((r) => r.outcome === 'completed').map((r) => ({ ...r, attempts: 1, fallback: false })), resilience: undefined, replicaTimeline: undefined, pools: undefined, routes: undefined }), SLO);
    expect(fleetLines(plain)).toEqual([]);
    expect(renderComparisonTable([{ policy: 'rr', summary: plain }])).not.toMatch(/retries|GPU-h/);
  });
});

const SCENARIO = parseScenario(
  `
name: scaling
seed: 1
requests: 10
fleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}
workload:
  arrival: {process: poisson, rate: 1}
  input: 100
  output: {dist: uniform, min: 5, max: 10}
policies: [round-robin]
report: {window_ms: 2000}
`,
  'scaling.yaml',
);

function doc(): ResultsDocument {
  const r = run();
  return buildResultsDocument({
    scenario: SCENARIO,
    runs: [{ policy: 'rr', policyType: 'round-robin', summary, timeseries: timeSeries(r, SLO, 2000) }],
    routesimVersion: '0.0.0-test',
  });
}

describe('report: replicas over time, round trip', () => {
  it('the time series carries arrivals per window only with a timeline', () => {
    // arrivals at 0 … 10 s, 2 s windows: [0,2) holds 0, 1; … [10,12) holds 10 → 2 per window = 1 req/s, last 0.5.
    expect(timeSeries(run(), SLO, 2000).arrivals_rps).toEqual([1, 1, 1, 1, 1, 0.5]);
    expect(timeSeries(run({ replicaTimeline: undefined }), SLO, 2000).arrivals_rps).toBeUndefined();
  });

  it('the chart compiles and renders without warnings, within the width limit; TTFT over time is drawn too', async () => {
    const charts = buildCharts(doc());
    const ids = charts.map((c) => c.id);
    expect(ids).toContain('replicas-over-time');
    expect(ids).toContain('ttft-over-time');
    const chart = charts.find((c) => c.id === 'replicas-over-time')!;
    const values = (chart.spec as { vconcat: { data: { values: { pool?: string; state?: string; t_s: number; replicas?: number }[] } }[] }).vconcat[0]!.data.values;
    // main ready: 0, 30, 90 s, held to the end (90 s: the last change is after the last arrival window, 12 s)
    expect(values.filter((v) => v.pool === 'main' && v.state === 'ready').map((v) => [v.t_s, v.replicas])).toEqual([[0, 2], [30, 2], [90, 3]]);
    // spare ready: 0, 60 s, held to 60 (nothing after it)
    expect(values.filter((v) => v.pool === 'spare' && v.state === 'ready').map((v) => [v.t_s, v.replicas])).toEqual([[0, 1], [60, 0]]);
    const r = await renderSvg(chart.spec);
    expect(r.warnings).toEqual([]);
    const width = Number(/<svg[^>]*width="([\d.]+)"/.exec(r.svg)![1]);
    expect(width).toBeLessThanOrEqual(MAX_CHART_WIDTH);
    const plain = buildResultsDocument({ scenario: SCENARIO, runs: [{ policy: 'rr', policyType: 'round-robin', summary: summarize(run({ resilience: undefined, replicaTimeline: undefined }), SLO) }], routesimVersion: '0' });
    expect(buildCharts(plain).map((c) => c.id)).not.toContain('replicas-over-time');
  });

  it('round-trips through the results file', () => {
    const d = doc();
    const text = serialiseResults(d);
    expect(parseResults(JSON.parse(text), 'r.json')).toEqual(JSON.parse(text));
    expect(text).toContain('"t_s": [0, 30, 90]');
  });

  it('junk in the new keys is refused, naming the field', () => {
    const bad = (edit: (s: Record<string, any>) => void): string => {
      const d = JSON.parse(serialiseResults(doc()));
      edit(d.policies[0].summary);
      try {
        parseResults(d, 'r.json');
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(bad((s) => s.replicas_over_time.pools.main.ready.push(4))).toMatch(/same length/);
    expect(bad((s) => (s.replicas_over_time.pools.main.t_s = [0, 90, 30]))).toMatch(/t_s must increase/);
    expect(bad((s) => (s.replicas_over_time.cost_usd = -1))).toMatch(/cost_usd/);
    expect(bad((s) => (s.replicas_over_time.ready_min = 9))).toMatch(/ready_min exceeds ready_max/);
    expect(bad((s) => (s.failed = 1.5))).toMatch(/failed/);
    expect(bad((s) => (s.failed = 100))).toMatch(/exceeds arrived/);
    expect(bad((s) => (s.resilience.mean_attempts = 0.5))).toMatch(/mean_attempts/);
    expect(bad((s) => (s.resilience.retries = { chat: 'two' }))).toMatch(/retries/);
    expect(bad((s) => (s.by_route.chat.failed = 99))).toMatch(/exceeds arrived/);
    expect(bad((s) => (s.by_class.tenant.acme.resilience.timed_out = -1))).toMatch(/timed_out/);
    expect(bad(() => undefined)).toBe('accepted');
  });
});

describe('replicas-over-time chart data', () => {
  it('the offered load is a step per window from its start, the last held to its end', () => {
    const chart = buildCharts(doc()).find((c) => c.id === 'replicas-over-time')!;
    const load = (chart.spec as { vconcat: { data: { values: { t_s: number; rps: number }[] } }[] }).vconcat[1]!.data.values;
    // 2 s windows of arrivals_rps [1, 1, 1, 1, 1, 0.5] at 0, 2, …, 10 s, then 0.5 held to 12 s.
    expect(load.map((v) => [v.t_s, v.rps])).toEqual([[0, 1], [2, 1], [4, 1], [6, 1], [8, 1], [10, 0.5], [12, 0.5]]);
  });
});

describe('stages', () => {
  it('carry `failed` when some request failed, and not otherwise', () => {
    // stage [0, 5) s: requests 0–4, request 4 failed; stage [5, 11): requests 5–10, request 10 failed.
    const stages = [{ from_s: 0, to_s: 5, rate: 1 }, { from_s: 5, to_s: 11, rate: 1 }];
    const s = summarize(run(), SLO, { stages });
    expect(s.stages!.map((x) => [x.arrived, x.completed, x.dropped, x.failed])).toEqual([[5, 2, 2, 1], [6, 1, 4, 1]]);
    const plain = summarize(run({ records: RECORDS.filter((r) => r.outcome !== 'failed').map((r) => ({ ...r })) }), SLO, { stages });
    expect(plain.stages!.every((x) => !('failed' in x))).toBe(true);
  });
});
