/**
 * Issue 10 results on a hand-made run: two pools (chat: one unlabelled H100 replica; code: a
 * prefill and a decode A100 replica), two routes, two models, a 404 with no route. by_pool /
 * by_route / by_model / by_role figures by hand; a single-pool run gets none of the new keys; the
 * CLI table gets one line per pool only when multi-pool; the requests CSV gets its extra columns
 * only when asked; results with the new keys round-trip through the results-file validation and
 * junk is still refused; the report draws per-pool and TTFT breakdown charts that compile.
 */
import { describe, expect, it } from 'vitest';
import { compile } from 'vega-lite';
import { completedRecord, replicaStats } from './fixtures.js';
import { newRequestRecord } from '../sim/metrics/records.js';
import { summarize, type PolicySummary } from '../sim/metrics/summary.js';
import type { PolicyRun, RequestRecord } from '../sim/metrics/types.js';
import { parseScenario } from '../sim/scenario/load.js';
import type { PoolConfig, ScenarioConfig, SloConfig } from '../sim/scenario/types.js';
import { buildCharts } from '../reports/charts/index.js';
import { poolView } from '../reports/charts/pools.js';
import { MAX_CHART_WIDTH } from '../reports/charts/palette.js';
import { renderSvg } from '../reports/render.js';
import { renderIndexHtml } from '../reports/html.js';
import { renderSummaryMarkdown } from '../reports/markdown.js';
import { csvIsExtended, REQUESTS_CSV_COLUMNS, REQUESTS_CSV_POOL_COLUMNS, requestsCsvHeader, requestsCsvRows } from '../reports/requestsCsv.js';
import { buildResultsDocument, serialiseResults, type PolicyExtras, type ResultsDocument } from '../reports/results.js';
import { latencyDistributions } from '../reports/profiles.js';
import { parseResults } from '../reports/resultsFile.js';
import { renderComparisonTable, renderRunTables } from '../reports/table.js';
import { figureStats } from '../reports/confidence.js';
import { UserError } from '../sim/core/errors.js';
import { betterDirection } from '../reports/check/directions.js';
import { flattenFigures } from '../reports/figures.js';

const SLO: SloConfig = { ttft_ms: 100, tpot_ms: null };

function dropped(over: Partial<RequestRecord> & Pick<RequestRecord, 'id' | 'arrivalUs'>): RequestRecord {
  return { ...newRequestRecord({ id: over.id, arrivalUs: over.arrivalUs, inputTokens: 100, outputTokens: 10, adapter: null, priority: 0, model: over.model ?? '' }), outcome: 'dropped', endUs: over.arrivalUs, ...over };
}

/**
 * chat (pool 0, route 0, model llama, replica 0): TTFT 10, 30, 50 ms, TPOT 10 ms; one shed (429).
 * code (pool 1, route 1, model coder, decode replica 2, prefill replica 1): TTFT 200 and 80 ms.
 * One request matched no route (pool -1, route -1, model '').
 */
function multiRun(): PolicyRun {
  const chat = { pool: 0, route: 0, model: 'llama', replica: 0 };
  const code = { pool: 1, route: 1, model: 'coder', replica: 2, prefillReplica: 1 };
  return {
    policy: 'pd',
    policyType: 'epp',
    records: [
      completedRecord({ id: 0, arrivalUs: 0, enqueueUs: 2_000, scheduledUs: 5_000, firstTokenUs: 10_000, lastTokenUs: 100_000, ...chat }),
      completedRecord({ id: 1, arrivalUs: 100_000, firstTokenUs: 130_000, lastTokenUs: 220_000, ...chat }),
      completedRecord({ id: 2, arrivalUs: 200_000, firstTokenUs: 250_000, lastTokenUs: 340_000, ...chat, preemptions: 1 }),
      dropped({ id: 3, arrivalUs: 300_000, pool: 0, route: 0, model: 'llama', reason: 'shed', status: 429 }),
      completedRecord({ id: 4, arrivalUs: 0, firstTokenUs: 200_000, lastTokenUs: 290_000, ...code, prefillQueueUs: 20_000, prefillComputeUs: 60_000, decodeQueueUs: 10_000, kvTransferUs: 30_000, kvReadyUs: 150_000, kvTransferBytes: 1000 }),
      completedRecord({ id: 5, arrivalUs: 400_000, firstTokenUs: 480_000, lastTokenUs: 570_000, ...code, prefillQueueUs: 0, prefillComputeUs: 40_000, decodeQueueUs: 0, kvTransferUs: 20_000, kvReadyUs: 470_000, kvTransferBytes: 3000 }),
      dropped({ id: 6, arrivalUs: 500_000, reason: 'no_route', status: 404 }),
    ],
    replicas: [
      replicaStats({ name: 'chat-0', pool: 0, gpu: 'H100', role: '', requests: 3, completed: 3, prefixQueryTokens: 1000, prefixHitTokens: 250, preemptions: 2 }),
      replicaStats({ name: 'code-p', pool: 1, gpu: 'A100', role: 'prefill', requests: 2, prefixQueryTokens: 400, prefixHitTokens: 300 }),
      replicaStats({ name: 'code-d', pool: 1, gpu: 'A100', role: 'decode', requests: 2, completed: 2, preemptions: 1 }),
    ],
    itl: new Map([[10_000, 36]]),
    endUs: 600_000,
    pools: ['chat', 'code'],
    routes: ['chat-route', 'code-route'],
  };
}

/** One pool `default` behind one catch-all route, homogeneous, unlabelled: a pre-issue-10 run. */
function singleRun(): PolicyRun {
  const at = { pool: 0, route: 0 };
  return {
    policy: 'rr',
    policyType: 'round-robin',
    records: [
      completedRecord({ id: 0, arrivalUs: 0, firstTokenUs: 10_000, lastTokenUs: 100_000, ...at }),
      completedRecord({ id: 1, arrivalUs: 50_000, firstTokenUs: 90_000, lastTokenUs: 180_000, replica: 1, ...at }),
      dropped({ id: 2, arrivalUs: 60_000, ...at, reason: 'shed', status: 429 }),
    ],
    replicas: [replicaStats({ name: 'r-0', gpu: 'H100', requests: 1, completed: 1 }), replicaStats({ name: 'r-1', gpu: 'H100', requests: 1, completed: 1 })],
    itl: new Map([[10_000, 18]]),
    endUs: 200_000,
    pools: ['default'],
    routes: ['default'],
  };
}

/** The summary keys and replica keys before issue 10. */
const OLD_KEYS = ['arrived', 'completed', 'rejected', 'rejected_by_reason', 'dropped', 'dropped_by_status', 'dropped_by_reason', 'all_failed', 'ttft_ms', 'tpot_ms', 'itl_ms', 'e2e_ms', 'queue_ms', 'throughput', 'goodput', 'prefix_cache_hit_rate', 'preemptions', 'lora_loads', 'mean_cached_tokens', 'replicas', 'balance', 'steady_state', 'window', 'by_class'];
const OLD_REPLICA_KEYS = ['name', 'requests', 'share', 'completed', 'input_tokens', 'output_tokens', 'prefix_cache_hit_rate', 'preemptions', 'lora_loads', 'busy_fraction', 'num_gpu_blocks'];

const SCENARIO = `
name: pools
seed: 1
requests: 10
fleet: {replicas: 2, gpu: H100, model: Llama-3.1-8B}
workload:
  arrival: {process: poisson, rate: 10}
  input: 100
  output: 10
policies: [round-robin]
slo: {ttft_ms: 100}
`;

function docOf(summary: PolicySummary, policy = 'pd', extras: PolicyExtras = {}): ResultsDocument {
  const scenario: ScenarioConfig = parseScenario(SCENARIO, 'pools.yaml');
  return JSON.parse(serialiseResults(buildResultsDocument({ scenario, routesimVersion: '0.0.0-test', runs: [{ policy, policyType: 'epp', summary, ...extras }] }))) as ResultsDocument;
}

/** The multi-pool run's per-pool quantile grids, as collect.ts records them. */
function poolDistributions(run: PolicyRun): PolicyExtras {
  return {
    distributions: latencyDistributions(run.records),
    pool_distributions: { chat: latencyDistributions(run.records.filter((r) => r.pool === 0)), code: latencyDistributions(run.records.filter((r) => r.pool === 1)) },
  };
}

describe('by_pool, by_route, by_model, by_role (hand-computed)', () => {
  const s = summarize(multiRun(), SLO);

  it('by_pool: counts, percentiles, goodput, throughput, cache hits and preemptions per pool', () => {
    expect(Object.keys(s.by_pool!)).toEqual(['chat', 'code']);
    const chat = s.by_pool!.chat!;
    expect([chat.arrived, chat.completed, chat.rejected, chat.dropped]).toEqual([4, 3, 0, 1]);
    expect(chat.dropped_by_reason).toEqual({ shed: 1 });
    // TTFT 10, 30, 50 ms; type-7 quantiles: p90 at index 2 × 0.9 = 1.8 → 30 + 0.8 × 20 = 46; p99 at 1.98 → 49.6.
    expect(chat.ttft_ms).toMatchObject({ mean: 30, p50: 30, p90: 46, p99: 49.6 });
    // TPOT (100 − 10) / 9 = 10 ms each.
    expect(chat.tpot_ms.p99).toBe(10);
    // Goodput over the whole window: last completion 570 ms − first arrival 0 = 0.57 s; 3 within 100 ms → 3 / 0.57 = 5.26316.
    expect(chat.goodput).toEqual({ requests_per_s: 5.2632, fraction: 0.75 });
    // Throughput over the pool's own span: 340 ms → 3 / 0.34 = 8.82353 req/s.
    expect(chat.throughput.requests_per_s).toBe(8.8235);
    expect(chat.prefix_cache_hit_rate).toBe(0.25); // 250 / 1000
    expect(chat.preemptions).toBe(2); // the replica's counter
    expect(chat.replicas).toEqual(['chat-0']);
    // queue = scheduled − enqueue: 3 ms, 0, 0 → mean 1.
    expect(chat.queue_ms.mean).toBe(1);

    const code = s.by_pool!.code!;
    expect([code.arrived, code.completed, code.dropped]).toEqual([2, 2, 0]);
    // TTFT 80, 200: p50 = 140, p90 = 80 + 0.9 × 120 = 188, p99 = 80 + 0.99 × 120 = 198.8.
    expect(code.ttft_ms).toMatchObject({ mean: 140, p50: 140, p90: 188, p99: 198.8 });
    // Only the 80 ms one meets the 100 ms SLO: 1 / 0.57 = 1.75439.
    expect(code.goodput).toEqual({ requests_per_s: 1.7544, fraction: 0.5 });
    expect(code.prefix_cache_hit_rate).toBe(0.75); // (300 + 0) / (400 + 0)
    expect(code.preemptions).toBe(1);
    expect(code.replicas).toEqual(['code-p', 'code-d']);
  });

  it('the 404 counts in the fleet total and under (no route) only', () => {
    expect(s.arrived).toBe(7);
    expect(s.by_pool!.chat!.arrived + s.by_pool!.code!.arrived).toBe(6);
    expect(Object.keys(s.by_route!)).toEqual(['(no route)', 'chat-route', 'code-route']);
    expect(s.by_route!['(no route)']).toMatchObject({ arrived: 1, completed: 0, dropped: 1, dropped_by_reason: { no_route: 1 } });
    expect(s.by_route!['(no route)']!.ttft_ms.p50).toBeNull();
    // A route's preemptions are its requests' own (record 2 was preempted once).
    expect(s.by_route!['chat-route']).toMatchObject({ arrived: 4, completed: 3, preemptions: 1 });
    expect(s.by_route!['chat-route']!.ttft_ms).toEqual(s.by_pool!.chat!.ttft_ms);
    expect(s.by_route!['chat-route']).not.toHaveProperty('prefix_cache_hit_rate');
  });

  it('by_model keys the model asked for, (default) for the base model', () => {
    expect(Object.keys(s.by_model!)).toEqual(['(default)', 'coder', 'llama']);
    expect(s.by_model!.coder!.ttft_ms.p50).toBe(140);
    expect(s.by_model!.llama!.arrived).toBe(4);
  });

  it('by_role keys the decode-side replica role; drops are (not dispatched); the prefill role has its replicas but no requests', () => {
    expect(Object.keys(s.by_role!)).toEqual(['(not dispatched)', 'decode', 'prefill', 'unlabelled']);
    expect(s.by_role!.decode).toMatchObject({ arrived: 2, completed: 2, prefix_cache_hit_rate: 0, preemptions: 1, replicas: ['code-d'] });
    expect(s.by_role!.prefill).toMatchObject({ arrived: 0, completed: 0, prefix_cache_hit_rate: 0.75, replicas: ['code-p'] });
    expect(s.by_role!.unlabelled).toMatchObject({ arrived: 3, completed: 3 });
    expect(s.by_role!['(not dispatched)']).toMatchObject({ arrived: 2, dropped: 2 });
    expect(s.by_role!['(not dispatched)']).not.toHaveProperty('replicas');
  });

  it('the subsets of one dimension add up to the fleet (counts; goodput rates over the same window)', () => {
    for (const by of [s.by_route!, s.by_model!, s.by_role!]) {
      const subs = Object.values(by);
      expect(subs.reduce((a, x) => a + x.arrived, 0)).toBe(s.arrived);
      expect(subs.reduce((a, x) => a + x.completed, 0)).toBe(s.completed);
      expect(subs.reduce((a, x) => a + x.goodput.requests_per_s, 0)).toBeCloseTo(s.goodput.requests_per_s, 3);
    }
  });

  it('per-replica entries carry pool name, GPU and role', () => {
    expect(s.replicas.map((r) => [r.name, r.pool, r.gpu, r.role])).toEqual([
      ['chat-0', 'chat', 'H100', ''],
      ['code-p', 'code', 'A100', 'prefill'],
      ['code-d', 'code', 'A100', 'decode'],
    ]);
  });

  it('pd is present: 2 of the 5 completed requests were disaggregated', () => {
    expect(s.pd!.disaggregated_share).toBe(0.4);
    expect(s.pd!.disaggregated.count).toBe(2);
    expect(s.pd!.aggregated.count).toBe(3);
  });
});

describe('a single-pool run is unchanged', () => {
  it('no new summary key, no new replica key', () => {
    const s = summarize(singleRun(), SLO);
    expect(Object.keys(s)).toEqual(OLD_KEYS);
    for (const r of s.replicas) expect(Object.keys(r)).toEqual(OLD_REPLICA_KEYS);
  });

  it('the same summary as the run without pool, route and names (records at pool -1, as before issue 10)', () => {
    const run = singleRun();
    const bare: PolicyRun = { ...run, pools: undefined, routes: undefined, records: run.records.map((r) => ({ ...r, pool: -1, route: -1 })) };
    expect(summarize(run, SLO)).toEqual(summarize(bare, SLO));
  });

  it('but one role label, or a second GPU type, adds the replicas\' place (and a role label adds by_role and pd)', () => {
    const labelled = singleRun();
    const run: PolicyRun = { ...labelled, replicas: [replicaStats({ name: 'r-0', gpu: 'H100', role: 'decode', requests: 1, completed: 1 }), labelled.replicas[1]!] };
    const s = summarize(run, SLO);
    expect(Object.keys(s)).toEqual([...OLD_KEYS, 'by_role', 'pd']);
    expect(s.replicas[0]).toMatchObject({ pool: 'default', gpu: 'H100', role: 'decode' });
    const mixed: PolicyRun = { ...labelled, replicas: [labelled.replicas[0]!, replicaStats({ name: 'r-1', gpu: 'A100', requests: 1, completed: 1 })] };
    const m = summarize(mixed, SLO);
    expect(Object.keys(m)).toEqual(OLD_KEYS);
    expect(m.replicas[1]).toMatchObject({ pool: 'default', gpu: 'A100', role: '' });
  });
});

describe('gate directions of the new figures', () => {
  it('every figure of a multi-pool P/D summary has a catalogued direction; dotted keys (model names) too', () => {
    const paths = [...flattenFigures(summarize(multiRun(), SLO)).keys()];
    expect(paths.filter((p) => p.startsWith('by_') || p.startsWith('pd.')).length).toBeGreaterThan(100);
    expect(paths.filter((p) => betterDirection(p) === 'unknown')).toEqual([]);
    expect(['by_pool.chat.ttft_ms.p99', 'by_model.Llama-3.1-8B.goodput.requests_per_s', 'by_role.decode.prefix_cache_hit_rate', 'by_route.(no route).arrived', 'pd.disaggregated.kv_transfer_ms.p99', 'pd.disaggregated_share', 'pd.aggregated.count', 'by_pool.x.nonsense'].map(betterDirection)).toEqual([
      'lower',
      'higher',
      'higher',
      'either',
      'lower',
      'either',
      'either',
      'unknown',
    ]);
  });
});

describe('CLI table', () => {
  const multi = summarize(multiRun(), SLO);
  const single = summarize(singleRun(), SLO);

  it('adds one line per pool under each policy of a multi-pool run', () => {
    const withPools = renderComparisonTable([{ policy: 'pd', summary: multi }, { policy: 'pd2', summary: multi }]);
    const { by_pool: _omit, ...plain } = multi;
    const without = renderComparisonTable([{ policy: 'pd', summary: plain as PolicySummary }, { policy: 'pd2', summary: plain as PolicySummary }]);
    const lines = withPools.split('\n');
    expect(lines.length).toBe(without.split('\n').length + 4);
    // header, rule, pd, its 2 pools, pd2, its 2 pools.
    expect(lines[2]!.startsWith('pd ')).toBe(true);
    expect(lines[3]).toBe('  pool chat: 3 done, TTFT p50/p99 30.0/49.6 ms, TPOT p99 10.00 ms, goodput 5.26 req/s');
    expect(lines[4]).toBe('  pool code: 2 done, TTFT p50/p99 140.0/198.8 ms, TPOT p99 10.00 ms, goodput 1.75 req/s');
    expect(lines[5]!.startsWith('pd2 ')).toBe(true);
  });

  it('with seeds, the pool lines show mean ± 95 % CI half-width from by_pool.<pool>.* statistics', () => {
    const doc = docOf(multi);
    // completed 3 and 5 over two seeds: mean 4, half-width t(0.975, 1) × std / √2 = 12.706 × 1.414 / 1.414 = 12.7 → 13.
    const seeded: ResultsDocument = { ...doc, seeds: [1, 2], policies: [{ ...doc.policies[0]!, stats: { 'by_pool.chat.completed': figureStats([3, 5]) } }] };
    const lines = renderRunTables([{ policy: 'pd', summary: multi }], seeded).split('\n');
    const at = lines.findIndex((l) => l.startsWith('pd '));
    expect(lines[at + 1]).toBe('  pool chat: 4 ± 13 done, TTFT p50/p99 -/- ms, TPOT p99 - ms, goodput - req/s');
    expect(lines[at + 2]).toBe('  pool code: - done, TTFT p50/p99 -/- ms, TPOT p99 - ms, goodput - req/s');
  });

  it('adds nothing for a single-pool run', () => {
    const out = renderComparisonTable([{ policy: 'rr', summary: single }]);
    expect(out).not.toContain('pool ');
    expect(out.split('\n').slice(0, 4).filter((l) => l !== '').length).toBe(3);
  });
});

describe('requests CSV', () => {
  const run = multiRun();

  it('single-pool header and rows are unchanged; extended ones add the pool columns', () => {
    expect(requestsCsvHeader()).toBe(REQUESTS_CSV_COLUMNS.join(',') + '\n');
    expect(requestsCsvHeader(true)).toBe([...REQUESTS_CSV_COLUMNS, ...REQUESTS_CSV_POOL_COLUMNS].join(',') + '\n');
    const plain = requestsCsvRows('pd', run.records).trimEnd().split('\n');
    const ext = requestsCsvRows('pd', run.records, undefined, run).trimEnd().split('\n');
    expect(ext.length).toBe(plain.length);
    ext.forEach((line, i) => expect(line.startsWith(plain[i]!)).toBe(true));
    // Record 4: pool code, route code-route, model coder, prefill replica 1, 20 / 60 / 10 / 30 ms, 1000 bytes, KV at 150 ms.
    expect(ext[4]!.slice(plain[4]!.length)).toBe(',code,code-route,coder,1,20,60,10,30,1000,150');
    // Record 6: no route, no pool, base model, aggregated.
    expect(ext[6]!.slice(plain[6]!.length)).toBe(',,,,,,,,,,');
  });

  it("csvIsExtended: several pools, or a role label on a pool's or a policy's replica group", () => {
    const one = parseScenario(SCENARIO, 'pools.yaml');
    expect(csvIsExtended(one)).toBe(false);
    // Only the groups matter: a minimal pool (the rest of PoolConfig is not read).
    const pool = (name: string, labels: Record<string, string> = {}): PoolConfig => ({ name, replicas: [{ gpu: 'H100', count: 2, tp: 1, labels }] }) as unknown as PoolConfig;
    expect(csvIsExtended({ ...one, pools: [pool('a', { tier: 'x' })] })).toBe(false);
    expect(csvIsExtended({ ...one, pools: [pool('a'), pool('b')] })).toBe(true);
    expect(csvIsExtended({ ...one, pools: [pool('a', { 'llm-d.ai/role': 'decode' })] })).toBe(true);
    expect(csvIsExtended({ ...one, pools: [pool('a')], policies: [{ name: 'pd', type: 'epp', replicas: [{ gpu: 'H100', count: 1, tp: 1, labels: { 'llm-d.ai/role': 'prefill' } }] }] })).toBe(true);
  });
});

describe('results file with the new keys', () => {
  const doc = docOf(summarize(multiRun(), SLO), 'pd', poolDistributions(multiRun()));

  it('round-trips through the results-file validation', () => {
    const text = serialiseResults(doc);
    const back = parseResults(JSON.parse(text), 'r.json');
    expect(back).toEqual(JSON.parse(text));
    expect(back.policies[0]!.summary.by_pool!.code!.ttft_ms.p99).toBe(198.8);
    expect(back.policies[0]!.pool_distributions!.code!.ttft_ms!.length).toBe(101);
  });

  const junk: [string, (s: Record<string, unknown>) => void, RegExp][] = [
    ['by_pool not an object', (s) => (s.by_pool = 'chat'), /by_pool/],
    ['a negative count', (s) => ((s.by_pool as Record<string, Record<string, unknown>>).chat!.arrived = -1), /by_pool\.chat\.arrived/],
    ['more completed than arrived', (s) => ((s.by_route as Record<string, Record<string, unknown>>)['code-route']!.completed = 9), /by_route/],
    ['a cache hit rate above 1', (s) => ((s.by_role as Record<string, Record<string, unknown>>).prefill!.prefix_cache_hit_rate = 1.5), /by_role\.prefill\.prefix_cache_hit_rate/],
    ['a share above 1', (s) => ((s.pd as Record<string, unknown>).disaggregated_share = 2), /pd\.disaggregated_share/],
    ['a negative TTFT part', (s) => (((s.pd as Record<string, Record<string, Record<string, unknown>>>).disaggregated!.kv_transfer_ms!.mean = -3)), /pd\.disaggregated\.kv_transfer_ms\.mean/],
    ['a numeric pool name', (s) => ((s.replicas as Record<string, unknown>[])[0]!.pool = 0), /replicas\.0\.pool|replicas\[0\]\.pool/],
  ];
  it('still rejects a decreasing pool quantile grid', () => {
    const data = JSON.parse(serialiseResults(doc)) as { policies: { pool_distributions: Record<string, Record<string, number[]>> }[] };
    data.policies[0]!.pool_distributions.chat!.ttft_ms!.reverse();
    expect(() => parseResults(data, 'r.json')).toThrow(/pool_distributions\.chat\.ttft_ms.*must not decrease/);
  });

  it.each(junk)('still rejects junk: %s', (_name, spoil, where) => {
    const data = JSON.parse(serialiseResults(doc)) as { policies: { summary: Record<string, unknown> }[] };
    spoil(data.policies[0]!.summary);
    let err: unknown;
    try {
      parseResults(data, 'r.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(where);
  });
});

describe('report', () => {
  const multi = docOf(summarize(multiRun(), SLO), 'pd', poolDistributions(multiRun()));
  const single = docOf(summarize(singleRun(), SLO), 'rr');

  it('multi-pool P/D results get per-pool charts and the TTFT breakdown; every spec compiles without warnings', () => {
    const charts = buildCharts(multi);
    const ids = charts.map((c) => c.id);
    expect(ids).toContain('ttft-breakdown');
    expect(ids).toEqual(expect.arrayContaining(['pool-chat-ttft-cdf', 'pool-code-e2e-cdf', 'pool-chat-latency-percentiles', 'pool-chat-load-share', 'pool-code-latency-percentiles', 'pool-code-load-share']));
    for (const c of charts) {
      const warnings: string[] = [];
      const logger = { level: () => 0, warn: (...a: unknown[]) => warnings.push(a.join(' ')), info: () => {}, debug: () => {}, error: (...a: unknown[]) => warnings.push(a.join(' ')) };
      compile(c.spec, { logger: logger as never });
      expect(warnings, c.id).toEqual([]);
    }
  });

  it('the new charts render to SVG without warnings, at most 1,300 px wide', async () => {
    for (const c of buildCharts(multi).filter((c) => c.id === 'ttft-breakdown' || c.id.startsWith('pool-'))) {
      const r = await renderSvg(c.spec);
      expect(r.warnings, c.id).toEqual([]);
      const width = Number(/^<svg[^>]*\swidth="([\d.]+)"/.exec(r.svg)![1]);
      expect(width, c.id).toBeLessThanOrEqual(MAX_CHART_WIDTH);
      expect(r.svg).toMatch(/class="mark-(rect|line|rule)/);
    }
  });

  it('the TTFT breakdown bar adds up to the mean TTFT of the disaggregated requests (140 ms)', () => {
    const chart = buildCharts(multi).find((c) => c.id === 'ttft-breakdown')!;
    const values = (chart.spec as { data: { values: { bar: string; ms: number }[] } }).data.values;
    const pd = values.filter((v) => v.bar === 'pd');
    expect(pd.length).toBe(6);
    expect(pd.reduce((a, v) => a + v.ms, 0)).toBeCloseTo(140, 9);
    // The aggregated requests: TTFT 10, 30, 50 → mean 30.
    expect(values.filter((v) => v.bar === 'pd · aggregated').reduce((a, v) => a + v.ms, 0)).toBeCloseTo(30, 9);
  });

  it("per-pool CDFs draw the pool's own quantile grid (code: TTFT 80 → 200 ms)", () => {
    const chart = buildCharts(multi).find((c) => c.id === 'pool-code-ttft-cdf')!;
    expect(chart.title).toBe('Pool code: ' + buildCharts(multi).find((c) => c.id === 'ttft-cdf')!.title);
    const values = JSON.stringify(chart.spec).match(/"latency":[\d.]+/g)!.map((m) => Number(m.slice(10)));
    expect(Math.min(...values)).toBe(80);
    expect(Math.max(...values)).toBe(200);
  });

  it('a pool view restricts the summary and replicas to the pool, shares renormalised', () => {
    const v = poolView(multi, 'code');
    expect(v.policies[0]!.summary.ttft_ms.p50).toBe(140);
    expect(v.policies[0]!.summary.replicas.map((r) => [r.name, r.share])).toEqual([
      ['code-p', 0.5],
      ['code-d', 0.5],
    ]);
  });

  it('single-pool results get no per-pool or P/D chart, table or section', () => {
    const ids = buildCharts(single).map((c) => c.id);
    expect(ids.filter((id) => id.startsWith('pool-') || id === 'ttft-breakdown')).toEqual([]);
    const md = renderSummaryMarkdown(single, []);
    const html = renderIndexHtml(single, [], ['', '', '']);
    for (const text of [md, html]) for (const h of ['Per pool', 'Per route', 'Per role', 'Replicas', 'TTFT breakdown']) expect(text).not.toContain(h);
  });

  it('multi-pool summary.md and index.html have the per-pool, route, model, role, replica and P/D tables', () => {
    const md = renderSummaryMarkdown(multi, []);
    const html = renderIndexHtml(multi, [], ['', '', '']);
    for (const text of [md, html]) for (const h of ['Per pool', 'Per route', 'Per model', 'Per role', 'Replicas', 'TTFT breakdown (P/D)']) expect(text).toContain(h);
    // E2E 100, 120, 140 ms → p99 = 120 + 0.98 × 20 = 139.6 ms = 0.14 s.
    expect(md).toContain('| pd | chat | 4 | 3 | 1 | 30.0 | 49.6 | 10.00 | 0.14 | 5.26 | 25.0 |');
    // Disaggregated means: gateway 20, prefill queue 10, compute 50, decode queue 5, KV 25, first step 30 (ms).
    expect(md).toContain('| pd | disaggregated | 2 | 40.0 | 20.0 | 10.0 | 50.0 | 5.0 | 25.0 | 30.0 | - | - |');
    expect(md).toContain('| pd | code-p | code | A100 | prefill |');
  });
});
