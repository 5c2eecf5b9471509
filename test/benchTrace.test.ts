/**
 * The bench's trace rows (issue 15, bench/benchTrace.ts and bench/traceReplay.ts): the generator
 * writes the documented Azure CSV (format, row count, monotone timestamps, stated means), is
 * deterministic and cached by name, bench/trace-10m.yaml loads with the trace path passed the way
 * the bench passes it (--set workload.trace.path=FILE), and the RSS profile picks the right
 * samples. Nothing here measures time or memory: those figures live in `npm run bench`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCH_TRACE_HEADER, BENCH_TRACE_PARAMS, benchTracePath, benchTraceRows, DEFAULT_TRACE_ROWS, ensureBenchTrace, writeBenchTrace } from '../bench/benchTrace.js';
import { rssAtFractions } from '../bench/traceReplay.js';
import { loadScenarioFile } from '../sim/scenario/load.js';
import { parseSetFlag } from '../sim/scenario/overrides/flags.js';
import { azureTimestampUs, readAzure } from '../sim/workload/traces/azure.js';
import { UserError } from '../sim/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'routesim-benchtrace-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROW_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{7},\d+,\d+$/;

function rowsOf(path: string): { us: number; input: number; output: number }[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  expect(lines[0]).toBe(BENCH_TRACE_HEADER);
  expect(lines.at(-1)).toBe(''); // newline-terminated
  return lines.slice(1, -1).map((l) => {
    expect(l).toMatch(ROW_RE);
    const [ts, i, o] = l.split(',');
    return { us: azureTimestampUs(ts!), input: Number(i), output: Number(o) };
  });
}

describe('bench trace generator', () => {
  const path = join(dir, 'k1.csv');
  writeBenchTrace(path, 1000);
  const rows = rowsOf(path);

  it('writes a header and 1,000 rows of TIMESTAMP,ContextTokens,GeneratedTokens', () => {
    expect(rows).toHaveLength(1000);
    expect(readFileSync(path, 'utf8').startsWith('TIMESTAMP,ContextTokens,GeneratedTokens\n2026-01-01 00:00:00.0000000,')).toBe(true);
  });

  it('timestamps never go back; lengths stay in 64–192 and 16–48', () => {
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.us).toBeGreaterThanOrEqual(rows[i - 1]!.us);
    expect(Math.min(...rows.map((r) => r.input))).toBeGreaterThanOrEqual(64);
    expect(Math.max(...rows.map((r) => r.input))).toBeLessThanOrEqual(192);
    expect(Math.min(...rows.map((r) => r.output))).toBeGreaterThanOrEqual(16);
    expect(Math.max(...rows.map((r) => r.output))).toBeLessThanOrEqual(48);
  });

  it('has the stated means: 128 in, 32 out, 1,850 req/s (within ~4 standard errors)', () => {
    // Uniform integers 64..192: mean 128, sd √((129² − 1)/12) = 37.2, SE over 1,000 rows 1.18 → ±5.
    const meanIn = rows.reduce((s, r) => s + r.input, 0) / rows.length;
    expect(Math.abs(meanIn - 128)).toBeLessThan(5);
    // 16..48: mean 32, sd √((33² − 1)/12) = 9.52, SE 0.30 → ±1.5.
    const meanOut = rows.reduce((s, r) => s + r.output, 0) / rows.length;
    expect(Math.abs(meanOut - 32)).toBeLessThan(1.5);
    // 999 exponential gaps of mean 1e6/1850 = 540.5 µs: span 540.0 ms, SE 540.5 × √999 µs = 17.1 ms → ±10 % (3 SE).
    const spanMs = (rows.at(-1)!.us - rows[0]!.us) / 1000;
    expect(Math.abs(spanMs - 540.0)).toBeLessThan(54);
  });

  it("routesim's Azure reader takes it whole: 1,000 rows from 0 µs, the same lengths", () => {
    const read = [...readAzure(path, { skipBadRows: false })];
    expect(read).toHaveLength(1000);
    expect(read[0]!.timeUs).toBe(0);
    expect(read.at(-1)!.timeUs).toBe(rows.at(-1)!.us - rows[0]!.us);
    expect(read.map((r) => [r.inputTokens, r.outputTokens])).toEqual(rows.map((r) => [r.input, r.output]));
  });

  it('is deterministic: the same parameters write the same bytes, another seed other bytes', () => {
    const again = join(dir, 'k1-again.csv');
    writeBenchTrace(again, 1000);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(path, 'utf8'));
    const other = join(dir, 'k1-seed16.csv');
    writeBenchTrace(other, 1000, { ...BENCH_TRACE_PARAMS, seed: 16 });
    expect(readFileSync(other, 'utf8')).not.toBe(readFileSync(path, 'utf8'));
  });

  it('property: any row count and seed give that many well-formed, time-ordered rows in range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        const p = join(dir, 'prop.csv');
        writeBenchTrace(p, n, { ...BENCH_TRACE_PARAMS, seed });
        const r = rowsOf(p);
        expect(r).toHaveLength(n);
        expect(r[0]!.us).toBe(Date.UTC(2026, 0, 1) * 1000);
        for (let i = 1; i < n; i++) expect(r[i]!.us).toBeGreaterThanOrEqual(r[i - 1]!.us);
        for (const x of r) {
          expect(x.input >= 64 && x.input <= 192 && x.output >= 16 && x.output <= 48).toBe(true);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('is cached under a name carrying the row count and a hash of the parameters', () => {
    const a = benchTracePath(1000, BENCH_TRACE_PARAMS, dir);
    expect(a).toMatch(/routesim-bench-trace-1000-[0-9a-f]{12}\.csv$/);
    expect(benchTracePath(1000, { ...BENCH_TRACE_PARAMS, ratePerSecond: 1000 }, dir)).not.toBe(a);
    expect(benchTracePath(2000, BENCH_TRACE_PARAMS, dir)).not.toBe(a);
    const first = ensureBenchTrace(1000, BENCH_TRACE_PARAMS, dir);
    expect(first.path).toBe(a);
    expect(first.generatedSeconds).not.toBeNull();
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(path, 'utf8'));
    expect(ensureBenchTrace(1000, BENCH_TRACE_PARAMS, dir).generatedSeconds).toBeNull();
  });
});

describe('ROUTESIM_BENCH_TRACE_ROWS', () => {
  it('defaults to 10,000,000 and takes a positive integer (underscores allowed)', () => {
    expect(DEFAULT_TRACE_ROWS).toBe(10_000_000);
    expect(benchTraceRows({})).toBe(10_000_000);
    expect(benchTraceRows({ ROUTESIM_BENCH_TRACE_ROWS: '1000000' })).toBe(1_000_000);
    expect(benchTraceRows({ ROUTESIM_BENCH_TRACE_ROWS: '2_000_000' })).toBe(2_000_000);
  });

  it.each(['0', '-5', '1.5', 'ten'])('rejects %s in one line naming the variable and the fix', (v) => {
    expect(() => benchTraceRows({ ROUTESIM_BENCH_TRACE_ROWS: v })).toThrow(UserError);
    expect(() => benchTraceRows({ ROUTESIM_BENCH_TRACE_ROWS: v })).toThrow(/^ROUTESIM_BENCH_TRACE_ROWS: .*\(fix: /);
  });
});

describe('bench/trace-10m.yaml', () => {
  it('loads with the trace path passed as the bench passes it: 4 × H100, Llama-3.1-8B, least-requests', () => {
    const trace = join(dir, 'k1.csv');
    const sc = loadScenarioFile('bench/trace-10m.yaml', [parseSetFlag(`workload.trace.path=${trace}`)]);
    expect(sc.fleet.replicas).toBe(4);
    expect(sc.fleet.gpu).toBe('H100');
    expect(sc.fleet.model).toBe('Llama-3.1-8B');
    expect(sc.policies.map((p) => p.name)).toEqual(['least-requests']);
  });
});

describe('RSS at fractions of the wall time', () => {
  // Samples at 0, 0.5, 1 and 1.5 s of a 2-s run of 1, 2, 3 and 4 MiB: the last at or before
  // 0.5, 1, 1.5 and 2 s are the 2nd, 3rd, 4th and 4th.
  const samples = [0, 500, 1000, 1500].map((ms, i) => ({ ms, kib: (i + 1) * 1024 }));
  it('takes the last sample at or before each fraction', () => {
    expect(rssAtFractions(samples, 2000, [0.25, 0.5, 0.75, 1])).toEqual([2, 3, 4, 4]);
  });
  it('falls back on the first sample before any, NaN without samples', () => {
    expect(rssAtFractions(samples.slice(1), 2000, [0.1])).toEqual([2]);
    expect(rssAtFractions([], 2000, [0.5])).toEqual([NaN]);
  });
});
