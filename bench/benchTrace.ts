/**
 * The bench's synthetic trace (issue 15, row `trace-10m`): an Azure LLM inference CSV
 * (`TIMESTAMP,ContextTokens,GeneratedTokens`) of short requests, generated deterministically from a
 * seed and written streaming (a few hundred rows in memory at a time) to a file under os.tmpdir(),
 * reused while its name's rows and parameter hash match. Never committed.
 *
 * Row i: arrival = previous + round(Exp(mean 1e6 / rate_per_s)) µs (the first row at the origin,
 * 2026-01-01 00:00:00 UTC), ContextTokens uniform integer in [input_min, input_max] (mean 128),
 * GeneratedTokens uniform integer in [output_min, output_max] (mean 32); three draws per row
 * (gap, input, output, in that order) from the seeded stream `bench-trace`.
 */
import { closeSync, existsSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../sim/core/errors.js';
import { createRng, exponential } from '../sim/core/rng.js';
import { formatAzureTimestamp } from '../sim/workload/traces/azure.js';

export interface BenchTraceParams {
  readonly seed: number;
  /** Mean arrival rate, req/s (Poisson). */
  readonly ratePerSecond: number;
  readonly inputMin: number;
  readonly inputMax: number;
  readonly outputMin: number;
  readonly outputMax: number;
}

/**
 * 1,850 req/s on bench/trace-10m.yaml's 4 × H100 (Llama-3.1-8B) ≈ 75 % of what they sustain: one
 * replica's max steady rate with these lengths is 612.5–625 req/s (`routesim capacity` on a Poisson
 * scenario of the same lengths, 1 replica, least-requests, 4,000 requests, --ttft-p99 100000
 * --seeds 2 → bracket 612.5–625); 1,850 / (4 × 618.75) = 0.75.
 */
export const BENCH_TRACE_PARAMS: BenchTraceParams = { seed: 15, ratePerSecond: 1850, inputMin: 64, inputMax: 192, outputMin: 16, outputMax: 48 };

export const BENCH_TRACE_HEADER = 'TIMESTAMP,ContextTokens,GeneratedTokens';

/** 2026-01-01 00:00:00 UTC in µs since 1970: the first row's timestamp. */
export const BENCH_TRACE_ORIGIN_US = Date.UTC(2026, 0, 1) * 1000;

export const DEFAULT_TRACE_ROWS = 10_000_000;

/** Bumped whenever the generator's output changes for the same parameters (renames cached files). */
const GENERATOR_VERSION = 1;

/** Rows of the bench trace: ROUTESIM_BENCH_TRACE_ROWS (a positive integer), default 10,000,000. */
export function benchTraceRows(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.ROUTESIM_BENCH_TRACE_ROWS;
  if (text === undefined || text === '') return DEFAULT_TRACE_ROWS;
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new UserError(`ROUTESIM_BENCH_TRACE_ROWS: expected a positive integer, got ${JSON.stringify(text)} (fix: e.g. ROUTESIM_BENCH_TRACE_ROWS=1000000)`);
  }
  return n;
}

/** The cached trace's path: its row count and a hash of the parameters are in the name. */
export function benchTracePath(rows: number, params: BenchTraceParams = BENCH_TRACE_PARAMS, dir: string = tmpdir()): string {
  const hash = createHash('sha256').update(JSON.stringify({ v: GENERATOR_VERSION, rows, ...params })).digest('hex').slice(0, 12);
  return join(dir, `routesim-bench-trace-${rows}-${hash}.csv`);
}

/** Writes `rows` rows to `path` (overwriting it), a chunk of rows at a time. */
export function writeBenchTrace(path: string, rows: number, params: BenchTraceParams = BENCH_TRACE_PARAMS): void {
  const rng = createRng(params.seed, 'bench-trace');
  const meanGapUs = 1e6 / params.ratePerSecond;
  const inputSpan = params.inputMax - params.inputMin + 1;
  const outputSpan = params.outputMax - params.outputMin + 1;
  const fd = openSync(path, 'w');
  try {
    let chunk = BENCH_TRACE_HEADER + '\n';
    let tUs = BENCH_TRACE_ORIGIN_US;
    for (let i = 0; i < rows; i++) {
      if (i > 0) tUs += Math.round(exponential(rng, meanGapUs));
      const input = params.inputMin + Math.floor(rng() * inputSpan);
      const output = params.outputMin + Math.floor(rng() * outputSpan);
      chunk += `${formatAzureTimestamp(tUs)},${input},${output}\n`;
      if (chunk.length >= 1 << 16) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    if (chunk.length > 0) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}

/**
 * The trace of `rows` rows, generated unless already present: written to a temporary name and
 * renamed at the end, so an interrupted generation is never reused.
 */
export function ensureBenchTrace(rows: number, params: BenchTraceParams = BENCH_TRACE_PARAMS, dir: string = tmpdir()): { path: string; generatedSeconds: number | null } {
  const path = benchTracePath(rows, params, dir);
  if (existsSync(path)) return { path, generatedSeconds: null };
  const partial = `${path}.partial-${process.pid}`;
  const t0 = process.hrtime.bigint();
  try {
    writeBenchTrace(partial, rows, params);
    renameSync(partial, path);
  } finally {
    rmSync(partial, { force: true });
  }
  return { path, generatedSeconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}
