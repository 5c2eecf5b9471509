/**
 * inference-perf lifecycle metrics out of a simulation (`routesim run --inference-perf-report`,
 * reports/inferencePerf/) and back in as a measured run for `routesim check`
 * (reports/check/measured.ts): Summary statistics on hand-made records, the per-stage files of a
 * rate ladder, unchanged default outputs, and the hand-written fixture of
 * test/fixtures/inference-perf-output/ read as figures in ms.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { failureLabel, lifecycleMetrics } from '../reports/inferencePerf/lifecycle.js';
import { histogramStats, ipSummary } from '../reports/inferencePerf/sampleStats.js';
import { readInferencePerfOutput } from '../reports/inferencePerf/read.js';
import { newRequestRecord } from '../sim/metrics/records.js';
import type { RequestRecord } from '../sim/metrics/types.js';
import { ROOT, routesim } from './cliHelpers.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'inference-perf-output');
const tmp = mkdtempSync(join(tmpdir(), 'routesim-ipout-'));

/** A completed request: arrival a s, TTFT t s, last token 1 s after the first, end 10 ms later, 100 in / 11 out tokens. */
function done(id: number, a: number, t: number): RequestRecord {
  const r = newRequestRecord({ id, arrivalUs: a * 1e6, inputTokens: 100, outputTokens: 11, adapter: null, priority: 0 });
  r.outcome = 'completed';
  r.reason = '';
  r.firstTokenUs = (a + t) * 1e6;
  r.lastTokenUs = r.firstTokenUs + 1e6;
  r.endUs = r.lastTokenUs + 10_000;
  r.cachedTokens = 40;
  return r;
}

function shed(id: number, a: number): RequestRecord {
  const r = newRequestRecord({ id, arrivalUs: a * 1e6, inputTokens: 100, outputTokens: 11, adapter: null, priority: 0 });
  r.outcome = 'dropped';
  r.reason = 'shed';
  r.status = 429;
  r.endUs = a * 1e6 + 2000;
  return r;
}

type Obj = Record<string, any>;

describe('lifecycle metrics of hand-made records', () => {
  // Arrivals 0, 1, 2, 3 s with TTFT 0.1, 0.2, 0.3, 0.4 s; one more request shed at 3.5 s.
  const recs = [done(0, 0, 0.1), done(1, 1, 0.2), done(2, 2, 0.3), done(3, 3, 0.4), shed(4, 3.5)];
  const m = lifecycleMetrics({ records: recs, itl: null, stage: { kind: 'open', rate: 1.25 }, load: { kind: 'open', rate: 1.25 } }) as Obj;

  it('times the set as inference-perf does: max end − min start, sends over max − min start', () => {
    // Last end: 3 + 0.4 + 1 + 0.01 = 4.41 s; first start 0.
    expect(m.benchmark_time_seconds).toBeCloseTo(4.41, 12);
    expect(m.load_summary.count).toBe(5);
    expect(m.load_summary.send_duration).toBeCloseTo(3.5, 12);
    expect(m.load_summary.achieved_rate).toBeCloseTo(5 / 3.5, 12);
    expect(m.load_summary.requested_rate).toBe(1.25);
    expect(m.load_summary.schedule_delay.max).toBe(0);
  });

  it('writes Summaries in seconds with numpy-linear percentiles and median for p50', () => {
    const ttft = m.successes.latency.time_to_first_token;
    expect(Object.keys(ttft)).toEqual(['mean', 'min', 'max', 'p0.1', 'p1', 'p5', 'p10', 'p25', 'median', 'p75', 'p90', 'p95', 'p99', 'p99.9']);
    expect(ttft.mean).toBeCloseTo(0.25, 12);
    // Type 7 over [0.1, 0.2, 0.3, 0.4]: index 3p; median at 1.5 → 0.25, p90 at 2.7 → 0.37, p25 at 0.75 → 0.175.
    expect(ttft.median).toBeCloseTo(0.25, 12);
    expect(ttft.p90).toBeCloseTo(0.37, 12);
    expect(ttft.p25).toBeCloseTo(0.175, 12);
    expect([ttft.min, ttft.max]).toEqual([0.1, 0.4]);
    // TPOT = 1 s / (11 − 1) = 0.1 s/token; E2E = TTFT + 1.01; NTPOT = E2E / 11.
    expect(m.successes.latency.time_per_output_token.mean).toBeCloseTo(0.1, 12);
    expect(m.successes.latency.request_latency.max).toBeCloseTo(1.41, 12);
    expect(m.successes.latency.normalized_time_per_output_token.min).toBeCloseTo(1.11 / 11, 12);
    expect(m.successes.latency.inter_token_latency).toBeUndefined();
  });

  it('counts successes and failures, throughput over the benchmark time, both prompt_len and prompt_tokens', () => {
    expect(m.successes.count).toBe(4);
    expect(m.successes.throughput.output_tokens_per_sec).toBeCloseTo(44 / 4.41, 12);
    expect(m.successes.throughput.input_tokens_per_sec).toBeCloseTo(400 / 4.41, 12);
    expect(m.successes.throughput.total_tokens_per_sec).toBeCloseTo(444 / 4.41, 12);
    expect(m.successes.throughput.requests_per_sec).toBeCloseTo(4 / 4.41, 12);
    expect(m.successes.prompt_len.mean).toBe(100);
    expect(m.successes.prompt_tokens).toMatchObject({ total: 400, cached: 160, uncached: 240, mean: 100 });
    expect(m.successes.output_tokens.total).toBe(44);
    expect(m.failures.count).toBe(1);
    expect(m.failures.request_latency.mean).toBeCloseTo(0.002, 12);
    expect(m.failures.by_label).toEqual({ '429 - Rate Limit': { count: 1, messages: [{ message: 'shed' }] } });
  });

  it('the summary file has no requested_rate or send_duration; a closed loop has concurrency and no schedule_delay', () => {
    const sum = lifecycleMetrics({ records: recs, itl: null, stage: null, load: { kind: 'open', rate: 1 } }) as Obj;
    expect(Object.keys(sum.load_summary)).toEqual(['count', 'schedule_delay']);
    const closed = lifecycleMetrics({ records: recs, itl: null, stage: { kind: 'closed', concurrency: 8 }, load: { kind: 'closed', concurrency: 8 } }) as Obj;
    // inference-perf writes a concurrent stage's request count as its requested_rate.
    expect(closed.load_summary).toMatchObject({ requested_rate: 5, concurrency: 8 });
    expect(closed.load_summary.schedule_delay).toBeUndefined();
  });

  it('labels failures as inference-perf does', () => {
    const r = shed(9, 0);
    expect(failureLabel(r)).toBe('429 - Rate Limit');
    r.status = 503;
    expect(failureLabel(r)).toBe('503 - Service Unavailable');
    r.outcome = 'rejected';
    expect(failureLabel(r)).toBe('400 - Bad Request');
    r.outcome = 'failed';
    r.reason = 'timeout';
    expect(failureLabel(r)).toBe('Timeout');
    r.reason = 'replica-failed';
    expect(failureLabel(r)).toBe('Connection Error');
  });

  it('pools ITL from the µs histogram; an empty set is null', () => {
    // Gaps 1, 1, 1, 3 ms: mean 1.5 ms; type 7 median at index 1.5 → 1 ms; p90 at 2.7 → 1 + 0.7·2 = 2.4 ms.
    const s = ipSummary(histogramStats(new Map([[1000, 3], [3000, 1]]), 1e-6))!;
    expect(s.mean).toBeCloseTo(0.0015, 15);
    expect(s.median).toBeCloseTo(0.001, 15);
    expect(s.p90).toBeCloseTo(0.0024, 15);
    expect(ipSummary(histogramStats(new Map(), 1e-6))).toBeNull();
  });
});

const TINY = `
name: tiny
seed: 1
requests: 4
fleet: {replicas: 1, gpu: H100, model: Llama-3.1-8B, tp: 1}
workload:
  arrival: {process: constant, rate: 1}
  input: {dist: constant, value: 100}
  output: {dist: constant, value: 10}
report: {warmup_s: 0}
policies: [round-robin]
`;

const LADDER = `
name: ladder
seed: 1
duration_s: 8
fleet: {replicas: 1, gpu: H100, model: Llama-3.1-8B, tp: 1}
workload:
  arrival: {process: constant, stages: [{rate: 1, duration_s: 4}, {rate: 0, duration_s: 1}, {rate: 2, duration_s: 3}]}
  input: {dist: constant, value: 100}
  output: {dist: constant, value: 10}
report: {warmup_s: 0}
policies: [round-robin, least-requests]
`;

function csvRows(file: string): Obj[] {
  const [head, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = head!.split(',');
  return rows.map((r) => Object.fromEntries(r.split(',').map((v, i) => [cols[i], v])));
}

const readJson = (f: string): Obj => JSON.parse(readFileSync(f, 'utf8')) as Obj;

describe('routesim run --inference-perf-report', () => {
  writeFileSync(join(tmp, 'tiny.yaml'), TINY);
  writeFileSync(join(tmp, 'ladder.yaml'), LADDER);

  it('a 1-replica run at 1 req/s: stage 0 and summary files whose figures follow from the requests CSV', () => {
    const r = routesim(['run', 'tiny.yaml', '--inference-perf-report', 'ip', '--requests-csv', 'req.csv', '--out', 'res.json'], tmp);
    expect(r.stderr).toBe('');
    expect(readdirSync(join(tmp, 'ip'))).toEqual(['round-robin']);
    expect(readdirSync(join(tmp, 'ip', 'round-robin')).sort()).toEqual(['stage_0_lifecycle_metrics.json', 'summary_lifecycle_metrics.json']);
    const rows = csvRows(join(tmp, 'req.csv'));
    // Requests 1 s apart never overlap (E2E ≪ 1 s): every one has the same TTFT and E2E.
    const ttft = Number(rows[0]!.ttft_ms) / 1000;
    const e2e = Number(rows[0]!.e2e_ms) / 1000;
    expect(rows.every((x) => x.ttft_ms === rows[0]!.ttft_ms)).toBe(true);
    const st = readJson(join(tmp, 'ip', 'round-robin', 'stage_0_lifecycle_metrics.json'));
    // Sends at 0, 1, 2, 3 s; the last response ends at 3 s + E2E.
    expect(st.load_summary).toMatchObject({ count: 4, send_duration: 3, requested_rate: 1 });
    expect(st.load_summary.achieved_rate).toBeCloseTo(4 / 3, 12);
    expect(st.benchmark_time_seconds).toBeCloseTo(3 + e2e, 9);
    expect(st.successes.latency.time_to_first_token.median).toBeCloseTo(ttft, 9);
    expect(st.successes.latency.request_latency.p99).toBeCloseTo(e2e, 9);
    const tpot = (Number(rows[0]!.last_token_ms) - Number(rows[0]!.first_token_ms)) / 1000 / 9;
    expect(st.successes.latency.time_per_output_token.mean).toBeCloseTo(tpot, 9);
    expect(st.successes.throughput.output_tokens_per_sec).toBeCloseTo(40 / (3 + e2e), 9);
    expect(st.successes.throughput.requests_per_sec).toBeCloseTo(4 / (3 + e2e), 9);
    // One stage = the whole run: the pooled ITL is known; 4 × 9 gaps. The requests do not overlap
    // (1 s apart), so each one's 9 gaps add up to its last − first token: the pooled mean is TPOT.
    expect(st.successes.latency.inter_token_latency.mean).toBeGreaterThan(0);
    expect(st.successes.latency.inter_token_latency.mean).toBeCloseTo(tpot, 9);
    const sum = readJson(join(tmp, 'ip', 'round-robin', 'summary_lifecycle_metrics.json'));
    expect(sum.load_summary.requested_rate).toBeUndefined();
    expect(sum.successes).toEqual(st.successes);
  });

  it('changes nothing else: the table and the results JSON are byte-identical with and without the flag', () => {
    const a = routesim(['run', 'ladder.yaml', '--out', 'plain.json'], tmp);
    const b = routesim(['run', 'ladder.yaml', '--out', 'with.json', '--inference-perf-report', 'lip', '--benchmark-report', 'lbr'], tmp);
    expect(b.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(readFileSync(join(tmp, 'with.json'), 'utf8')).toBe(readFileSync(join(tmp, 'plain.json'), 'utf8'));
  });

  it('a ladder writes one file per stage (the pause is no stage) matching the results JSON\'s per-stage figures', () => {
    routesim(['run', 'ladder.yaml', '--out', 'lad.json', '--inference-perf-report', 'lip2'], tmp);
    for (const policy of ['round-robin', 'least-requests']) {
      expect(readdirSync(join(tmp, 'lip2', policy)).sort()).toEqual(['stage_0_lifecycle_metrics.json', 'stage_1_lifecycle_metrics.json', 'summary_lifecycle_metrics.json']);
    }
    const s0 = readJson(join(tmp, 'lip2', 'round-robin', 'stage_0_lifecycle_metrics.json'));
    const s1 = readJson(join(tmp, 'lip2', 'round-robin', 'stage_1_lifecycle_metrics.json'));
    // 1 req/s for 4 s, a 1-s pause, 2 req/s for 3 s: 4 and 6 requests, sent over 3 s and 2.5 s.
    expect(s0.load_summary).toMatchObject({ count: 4, requested_rate: 1, send_duration: 3 });
    expect(s1.load_summary).toMatchObject({ count: 6, requested_rate: 2, send_duration: 2.5 });
    // Each stage pools its own requests' token gaps (test/stageItl.test.ts derives them by hand).
    expect(s1.successes.latency.inter_token_latency.mean).toBeGreaterThan(0);
    const stages = readJson(join(tmp, 'lad.json')).policies[0].summary.stages as Obj[];
    expect(stages.map((s) => s.arrived)).toEqual([4, 6]);
    expect(s1.successes.latency.time_to_first_token.p99 * 1000).toBeCloseTo(stages[1]!.ttft_ms.p99, 3);
    expect(readJson(join(tmp, 'lip2', 'round-robin', 'summary_lifecycle_metrics.json')).load_summary.count).toBe(10);
  });

  it('refuses stdout in one line', () => {
    const r = routesim(['run', 'tiny.yaml', '--inference-perf-report', '-'], tmp);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--inference-perf-report');
  });
});

describe('an inference-perf result directory as a measured run', () => {
  it('reads the fixture\'s summary and stage files as figures in ms', () => {
    const { summary, files } = readInferencePerfOutput(FIXTURE);
    expect(files).toHaveLength(3);
    const s = summary as Obj;
    expect(s.arrived).toBe(300);
    expect(s.completed).toBe(298);
    // Summary TTFT: mean 0.3333 s, median 0.3 s, p99 1.05 s.
    expect(s.ttft_ms).toEqual({ mean: 333.3, p50: 300, p90: 600, p95: 800, p99: 1050 });
    expect(s.itl_ms.p99).toBe(85);
    expect(s.throughput).toEqual({ duration_s: 26, requests_per_s: 11.4615, input_tokens_per_s: 13753.85, output_tokens_per_s: 1146.15 });
    expect(s.stages.map((x: Obj) => [x.index, x.rate, x.arrived, x.completed])).toEqual([[0, 10, 100, 100], [1, 20, 200, 198]]);
    expect(s.stages[1].ttft_ms.p99).toBe(1100);
  });

  it('routesim check gates a simulation against it (and names a bad field in one line)', () => {
    const lines = ['rules:', '  - {metric: ttft_ms.p99, policy: all, max_increase: 0}', '  - {metric: stages.1.ttft_ms.p99, max_increase: 0}'];
    writeFileSync(join(tmp, 'rules.yaml'), lines.join('\n') + '\n');
    routesim(['run', 'ladder.yaml', '--out', 'lad2.json'], tmp);
    // The simulated TTFT (≈ 23 ms) is far below the measured 1050 / 1100 ms: every rule passes.
    const pass = routesim(['check', '--baseline', FIXTURE, '--current', 'lad2.json', '--rules', 'rules.yaml'], tmp);
    expect(pass.code).toBe(0);
    expect(pass.stdout).toContain('round-robin');
    expect(pass.stdout).toContain('least-requests');
    expect(pass.stderr).toContain('no scenario to fingerprint');
    // The other way round the simulation is the baseline: the measured TTFT is a regression.
    const fail = routesim(['check', '--baseline', 'lad2.json', '--current', FIXTURE, '--rules', 'rules.yaml'], tmp);
    expect(fail.code).toBe(1);
    const bad = join(tmp, 'bad-ip');
    mkdirSync(bad);
    cpSync(FIXTURE, bad, { recursive: true });
    const sum = readJson(join(bad, 'summary_lifecycle_metrics.json'));
    sum.successes.latency.time_to_first_token.p99 = 'slow';
    writeFileSync(join(bad, 'summary_lifecycle_metrics.json'), JSON.stringify(sum));
    const r = routesim(['check', '--baseline', bad, '--current', 'lad2.json', '--rules', 'rules.yaml'], tmp);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').filter((l) => !l.includes('note:'))).toHaveLength(1);
    expect(r.stderr).toContain('successes.latency.time_to_first_token.p99');
  });

  it('round trip: a simulation written as inference-perf output reads back as its own figures', () => {
    routesim(['run', 'ladder.yaml', '--out', 'rt.json', '--inference-perf-report', 'rt'], tmp);
    const sim = readJson(join(tmp, 'rt.json')).policies[1].summary;
    const back = readInferencePerfOutput(join(tmp, 'rt', 'least-requests')).summary as Obj;
    expect(back.ttft_ms).toEqual(sim.ttft_ms);
    expect(back.e2e_ms).toEqual(sim.e2e_ms);
    expect(back.tpot_ms).toEqual(sim.tpot_ms);
    expect(back.completed).toBe(sim.completed);
    expect(back.stages.map((s: Obj) => s.rate)).toEqual([1, 2]);
  });
});
