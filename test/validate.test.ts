/**
 * `routesim validate` (issue 12): the measured-run reader (sim/validation/measuredRun.ts), the
 * figures and signed errors (sim/validation/compare.ts), the chart data (reports/charts/validation.ts)
 * and the command end to end. Tests on the measured run and profile in ../shared/data are skipped,
 * with a printed reason, when that directory is absent.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { measuredLatencies, measuredOutputThroughput, parseRequestsJsonl, parseTimeseriesCsv, readMeasuredRun, replayRequests, type MeasuredRequest } from '../sim/validation/measuredRun.js';
import { compareFigures, FIGURES, figureValues, signedErrorPct, simulatedLatencies, simulatedOutputThroughput, type FigureValues } from '../sim/validation/compare.js';
import { validationPoints } from '../reports/charts/validation.js';
import { newRequestRecord } from '../sim/metrics/records.js';
import type { RequestRecord } from '../sim/metrics/types.js';
import { loadLlmServingSim } from '../sim/engine/stepTime/profile/llmservingsim.js';
import { lookup } from '../sim/engine/stepTime/profile/grid.js';
import { UserError } from '../sim/core/errors.js';
import { routesim } from './cliHelpers.js';

const RUN = resolve(import.meta.dirname, '../../shared/data/validation/llmservingsim_vllm_bench');
const PROFILE = resolve(import.meta.dirname, '../../shared/data/calibration/llmservingsim_rtxpro6000');
const HAVE_DATA = existsSync(RUN) && existsSync(PROFILE);
if (!HAVE_DATA) console.log(`skipping the measured-run tests: ${RUN} or ${PROFILE} is absent (../shared/data)`);

const ROW = { request_id: 'r', input_toks: 10, output_toks: 5, arrival_time: 1000, queued_ts: 50, scheduled_ts: 50, first_token_ts: 50.25, last_token_ts: 51.25 };

/** A measured-run directory with the given rows (requests.jsonl lines) and a small time series. */
function runDir(lines: string[], ts = 't,prompt_throughput,gen_throughput,running,waiting,kv_cache_pct\n1.0,100,10,1,0,0.0\n'): string {
  const dir = mkdtempSync(join(tmpdir(), 'routesim-validate-'));
  writeFileSync(join(dir, 'X_requests.jsonl'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'X_timeseries.csv'), ts);
  writeFileSync(join(dir, 'X_meta.json'), '{"model": "m"}');
  return dir;
}

/** The one-line UserError message `fn` throws. */
function userError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    const m = (err as Error).message;
    expect(m).not.toContain('\n');
    return m;
  }
  throw new Error('expected a UserError');
}

describe('measured-run reader', () => {
  it('hand-made request: queued_ts anchor (TTFT 250, TPOT 250, E2E 1250 ms)', () => {
    const [r] = parseRequestsJsonl(JSON.stringify(ROW), 'f.jsonl');
    const [l] = measuredLatencies([r!]);
    // TTFT = (50.25 − 50)·1000 = 250; TPOT = (51.25 − 50.25)/(5 − 1)·1000 = 250; E2E = (51.25 − 50)·1000 = 1250.
    expect(l!.ttftMs).toBeCloseTo(250, 9);
    expect(l!.tpotMs).toBeCloseTo(250, 9);
    expect(l!.e2eMs).toBeCloseTo(1250, 9);
    // One output token: TPOT divides by max(1, 0) = 1 → (51.25 − 50.25)·1000 = 1000.
    const [one] = measuredLatencies(parseRequestsJsonl(JSON.stringify({ ...ROW, output_toks: 1 }), 'f.jsonl'));
    expect(one!.tpotMs).toBeCloseTo(1000, 9);
    // Throughput: 5 tokens over (51.25 − 50) s = 4 tok/s.
    expect(measuredOutputThroughput([r!])).toBeCloseTo(4, 9);
  });

  it('replay: arrivals at arrival_time − min, µs, sorted; prompts and outputs of distinct content', () => {
    const rows: MeasuredRequest[] = parseRequestsJsonl(
      [{ ...ROW, request_id: 'a', arrival_time: 1000.5 }, { ...ROW, request_id: 'b', arrival_time: 1000.25, input_toks: 7 }, { ...ROW, request_id: 'c', arrival_time: 1000.5 }].map((o) => JSON.stringify(o)).join('\n'),
      'f.jsonl',
    );
    const reqs = replayRequests(rows);
    // b first (offset 0), then a and c at 0.25 s = 250,000 µs in file order.
    expect(reqs.map((r) => [r.id, r.arrivalUs, r.inputTokens])).toEqual([[0, 0, 7], [1, 250000, 10], [2, 250000, 10]]);
    const contents = reqs.flatMap((r) => [...r.segments.map((s) => s.content), r.outputContent]);
    expect(new Set(contents).size).toBe(contents.length);
    for (const r of reqs) expect(r.segments.reduce((s, x) => s + x.tokens, 0)).toBe(r.inputTokens);
  });

  it('a bad row is one line naming the file, the line and the field', () => {
    const good = JSON.stringify(ROW);
    const cases: [string[], RegExp][] = [
      [[good, JSON.stringify({ ...ROW, output_toks: 'many' })], /X_requests\.jsonl: line 2: output_toks: expected a finite number, got "many"/],
      [[good, good, JSON.stringify({ ...ROW, input_toks: 1.5 })], /X_requests\.jsonl: line 3: input_toks: expected an integer/],
      [[JSON.stringify({ ...ROW, queued_ts: undefined })], /X_requests\.jsonl: line 1: queued_ts: missing/],
      [[good, '{not json'], /X_requests\.jsonl: line 2: not valid JSON/],
      [[JSON.stringify({ ...ROW, last_token_ts: 50.1 })], /X_requests\.jsonl: line 1: last_token_ts: 50\.1 is before first_token_ts/],
    ];
    for (const [lines, re] of cases) expect(userError(() => readMeasuredRun(runDir(lines)))).toMatch(re);
    const badTs = runDir([good], 't,prompt_throughput,gen_throughput,running,waiting,kv_cache_pct\n1,0,0,1,0,0\n2,0,0,x,0,0\n');
    expect(userError(() => readMeasuredRun(badTs))).toMatch(/X_timeseries\.csv: line 3: running: expected a non-negative number, got "x"/);
    expect(userError(() => parseTimeseriesCsv('t,running\n', 'ts.csv'))).toMatch(/ts\.csv: line 1: header lacks the column prompt_throughput/);
    const empty = mkdtempSync(join(tmpdir(), 'routesim-validate-'));
    expect(userError(() => readMeasuredRun(empty))).toMatch(/no \*requests\.jsonl file/);
  });

  it.skipIf(!HAVE_DATA)('the real run reproduces the README\'s measured values to 0.1 ms', () => {
    const run = readMeasuredRun(RUN);
    expect(run.requests.length).toBe(300);
    expect(run.timeseries.length).toBe(67);
    const f = figureValues(measuredLatencies(run.requests), measuredOutputThroughput(run.requests));
    // ../shared/data/README.md, validation/: 7,097.2 / 19,755.3; 32.5 / 37.3; 28,200.7 / 37,638.8 ms.
    const readme: [keyof FigureValues, number][] = [['TTFT mean (ms)', 7097.2], ['TTFT p99 (ms)', 19755.3], ['TPOT mean (ms)', 32.5], ['TPOT p99 (ms)', 37.3], ['E2E mean (ms)', 28200.7], ['E2E p99 (ms)', 37638.8]];
    for (const [k, v] of readme) expect(Math.abs(f[k] - v), k).toBeLessThanOrEqual(0.05 + 1e-9);
    // README: input mean 857 (max 3,998), output mean 653 (max 1,021).
    const inMean = run.requests.reduce((s, r) => s + r.inputToks, 0) / 300;
    const outMean = run.requests.reduce((s, r) => s + r.outputToks, 0) / 300;
    expect(Math.round(inMean)).toBe(857);
    expect(Math.round(outMean)).toBe(653);
  });
});

describe('figures and signed errors', () => {
  /** A completed record with the given times (µs). */
  function rec(id: number, arrivalUs: number, firstUs: number, lastUs: number, out: number): RequestRecord {
    const r = newRequestRecord({ id, arrivalUs, inputTokens: 10, outputTokens: out, adapter: null, priority: 0 });
    return { ...r, outcome: 'completed', firstTokenUs: firstUs, lastTokenUs: lastUs, endUs: lastUs + 777 };
  }

  it('hand-made pair: (sim − meas)/meas, signed', () => {
    // Measured: two requests, TTFT 100 and 300 ms → mean 200; p99 = 100 + 0.99·(300 − 100) = 298 (type 7, rank 0.99·(2 − 1)).
    const meas = figureValues(
      [{ ttftMs: 100, tpotMs: 10, e2eMs: 1000 }, { ttftMs: 300, tpotMs: 30, e2eMs: 3000 }],
      50,
    );
    expect(meas['TTFT mean (ms)']).toBe(200);
    expect(meas['TTFT p99 (ms)']).toBe(298);
    // Simulated records (5 output tokens each; endUs = last token + 777 µs of α1, which E2E must ignore):
    const sim = [rec(0, 0, 50_000, 90_000, 5), rec(1, 1_000_000, 1_250_000, 1_330_000, 5)];
    const lat = simulatedLatencies(sim);
    // r0: TTFT 50, TPOT (90,000 − 50,000)/4/1000 = 10, E2E 90 (last token, not endUs = last + α1).
    // r1: TTFT 250, TPOT (1,330,000 − 1,250,000)/4/1000 = 20, E2E 330.
    expect(lat).toEqual([{ ttftMs: 50, tpotMs: 10, e2eMs: 90 }, { ttftMs: 250, tpotMs: 20, e2eMs: 330 }]);
    // Throughput: 10 tokens over (1,330,000 − 0) µs = 7.5188 tok/s.
    expect(simulatedOutputThroughput(sim)).toBeCloseTo(10 / 1.33, 9);
    const rows = compareFigures(meas, figureValues(lat, simulatedOutputThroughput(sim)));
    expect(rows.map((r) => r.figure)).toEqual([...FIGURES]);
    const by = Object.fromEntries(rows.map((r) => [r.figure, r]));
    // TTFT mean: (150 − 200)/200 = −25 %; TPOT mean: (15 − 20)/20 = −25 %; E2E mean: (210 − 2000)/2000 = −89.5 %.
    expect(by['TTFT mean (ms)']!.errorPct).toBeCloseTo(-25, 9);
    expect(by['TPOT mean (ms)']!.errorPct).toBeCloseTo(-25, 9);
    expect(by['E2E mean (ms)']!.errorPct).toBeCloseTo(-89.5, 9);
    // TTFT p99 sim: 50 + 0.99·200 = 248 → (248 − 298)/298.
    expect(by['TTFT p99 (ms)']!.errorPct).toBeCloseTo(((248 - 298) / 298) * 100, 9);
    // Throughput: (7.5188 − 50)/50.
    expect(by['output throughput (tok/s)']!.errorPct).toBeCloseTo(((7.5188 - 50) / 50) * 100, 9);
  });

  it('signed error: positive when the simulation is above, zero when equal, undefined for a zero measurement', () => {
    expect(signedErrorPct(0, 5)).toBeNull();
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e6, noNaN: true }), (m, s) => {
        const e = signedErrorPct(m, s)!;
        expect(Math.sign(e)).toBe(Math.sign(s - m) + 0);
        expect(m * (1 + e / 100)).toBeCloseTo(s, 6);
      }),
    );
  });

  it('chart points: measured ticks as logged; simulated fleet sums (running, waiting) and mean KV in %', () => {
    const pts = validationPoints([{ t: 1, promptThroughput: 0, genThroughput: 0, running: 3, waiting: 1, kvCachePct: 12.5 }], {
      intervalUs: 1_000_000,
      count: 2,
      replicas: [
        { name: 'a', running: [0, 2], waiting: [0, 1], kvUsage: [0, 0.5], scrapedRunning: [], scrapedWaiting: [], scrapedKvUsage: [] },
        { name: 'b', running: [0, 3], waiting: [0, 0], kvUsage: [0, 0.1], scrapedRunning: [], scrapedWaiting: [], scrapedKvUsage: [] },
      ],
    });
    const at = (view: string, gauge: string, t: number) => pts.find((p) => p.view === view && p.gauge === gauge && p.t_s === t)?.value;
    expect([at('measured', 'running', 1), at('measured', 'waiting', 1), at('measured', 'kv_pct', 1)]).toEqual([3, 1, 12.5]);
    // t = 1 s: running 2 + 3 = 5, waiting 1 + 0 = 1, KV (0.5 + 0.1)/2 = 30 %.
    expect([at('simulated', 'running', 1), at('simulated', 'waiting', 1), at('simulated', 'kv_pct', 1)]).toEqual([5, 1, 30]);
  });
});

describe.skipIf(!HAVE_DATA)('routesim validate on the measured RTX PRO 6000 run (../shared/data)', () => {
  it('the RTX PRO 6000 attention table\'s interleaved grids: an interior hole is interpolated linearly', () => {
    const t = loadLlmServingSim(PROFILE, 'rtxpro6000_Llama-3.1-8B_tp1');
    // Rows (16, 16, 1, 512) = 17.3547 and (16, 16, 1, 1024) = 28.2347 µs; no row at kv_decode 768:
    // 17.3547 + (28.2347 − 17.3547)·(768 − 512)/(1024 − 512) = 22.7947.
    expect(lookup(t.attention, [16, 16, 1, 768])).toBeCloseTo(22.7947, 3);
  });

  it('runs end to end: the 7 figures, exit 0; --out JSON and --chart files', () => {
    const out = mkdtempSync(join(tmpdir(), 'routesim-validate-out-'));
    const r = routesim(['validate', RUN, '--scenario', 'scenarios/fidelity-rtxpro6000.yaml', '--out', join(out, 'v.json'), '--chart', join(out, 'chart')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const f of FIGURES) expect(r.stdout).toContain(f);
    // The measured column is the README's.
    expect(r.stdout).toMatch(/TTFT mean \(ms\)\s+7097\.2\s/);
    expect(r.stdout).toMatch(/E2E p99 \(ms\)\s+37638\.8\s/);
    const doc = JSON.parse(readFileSync(join(out, 'v.json'), 'utf8'));
    expect(doc.figures).toHaveLength(7);
    expect(doc.requests).toEqual({ measured: 300, simulated_completed: 300 });
    for (const row of doc.figures) expect(row.errorPct).toBeCloseTo(((row.simulated - row.measured) / row.measured) * 100, 9);
    expect(readdirSync(join(out, 'chart')).sort()).toEqual(['validation-timeseries.svg', 'validation-timeseries.vl.json']);
  }, 60_000);

  it('a bad measured row or a missing directory: one line, exit 2, nothing written', () => {
    const out = mkdtempSync(join(tmpdir(), 'routesim-validate-out-'));
    const bad = runDir([JSON.stringify(ROW), JSON.stringify({ ...ROW, first_token_ts: null })]);
    const r = routesim(['validate', bad, '--scenario', 'scenarios/fidelity-rtxpro6000.yaml', '--out', join(out, 'v.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^routesim: .*X_requests\.jsonl: line 2: first_token_ts: expected a finite number, got null/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(out, 'v.json'))).toBe(false);
    const missing = routesim(['validate', join(out, 'nope'), '--scenario', 'scenarios/fidelity-rtxpro6000.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope: file not found/);
  });

  it('a chart directory holding other files is not replaced', () => {
    const out = mkdtempSync(join(tmpdir(), 'routesim-validate-out-'));
    mkdirSync(join(out, 'c'));
    writeFileSync(join(out, 'c', 'keep.txt'), 'x');
    const r = routesim(['validate', RUN, '--scenario', 'scenarios/fidelity-rtxpro6000.yaml', '--chart', join(out, 'c')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds other files/);
    expect(readFileSync(join(out, 'c', 'keep.txt'), 'utf8')).toBe('x');
  });
});
