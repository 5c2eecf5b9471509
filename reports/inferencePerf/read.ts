/**
 * Reads an inference-perf result directory (../shared/reference/formats.md §3: times in seconds)
 * as the summary of a measured run, in routesim's summary figures (summary.ts: ms, req/s) so the
 * CI gate can compare a simulation against it (reports/check/measured.ts):
 *
 * - `summary_lifecycle_metrics.json` (required): arrived = load_summary.count, completed =
 *   successes.count, ttft_ms / tpot_ms / itl_ms / e2e_ms = successes.latency.{time_to_first_token,
 *   time_per_output_token, inter_token_latency, request_latency} (mean, median → p50, p90, p95,
 *   p99; × 1000), throughput = successes.throughput (duration_s = benchmark_time_seconds).
 * - `stage_<i>_lifecycle_metrics.json` (optional): `stages[i]` with the same figures and
 *   rate = load_summary.requested_rate, as routesim's per-stage results.
 *
 * A Summary that is null (no samples) gives null figures. Anything else malformed is one line
 * naming the file and the field.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inputError } from '../../sim/core/errors.js';
import { readUserJson } from '../../sim/core/userFiles.js';
import { SUMMARY_FILE } from '../../sim/calibration/runSources/inferencePerf.js';
import { round4 } from '../../sim/metrics/latency.js';

const STAGE_FILE = /^stage_(\d+)_lifecycle_metrics\.json$/;
const FIX = 'give the directory inference-perf (or routesim run --inference-perf-report) wrote';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `path` is a directory holding inference-perf's summary lifecycle metrics. */
export function isInferencePerfOutput(path: string): boolean {
  try {
    return statSync(path).isDirectory() && existsSync(join(path, SUMMARY_FILE));
  } catch {
    return false;
  }
}

function readObject(file: string): Obj {
  const v = readUserJson(file, FIX);
  if (!isObj(v)) throw inputError(file, '', 'expected a JSON object', FIX);
  return v;
}

class Fields {
  constructor(
    private readonly file: string,
    private readonly root: Obj,
  ) {}

  private at(path: string): unknown {
    let v: unknown = this.root;
    for (const k of path.split('.')) v = isObj(v) ? v[k] : undefined;
    return v;
  }

  /** A number at `path` (required unless `optional`; then absent → null). */
  num(path: string, optional = false): number | null {
    const v = this.at(path);
    if (v === undefined && optional) return null;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw inputError(this.file, path, v === undefined ? 'missing' : `expected a non-negative number, got ${JSON.stringify(v)}`, FIX);
    return v;
  }

  /** A Summary at `path` in ms (× 1000): mean, p50 (median), p90, p95, p99; all null when it is null or absent. */
  latencyMs(path: string): Record<'mean' | 'p50' | 'p90' | 'p95' | 'p99', number | null> {
    const v = this.at(path);
    if (v === undefined || v === null) return { mean: null, p50: null, p90: null, p95: null, p99: null };
    if (!isObj(v)) throw inputError(this.file, path, `expected a Summary object or null, got ${JSON.stringify(v)}`, FIX);
    const ms = (key: string): number => {
      const x = v[key];
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw inputError(this.file, `${path}.${key}`, x === undefined ? 'missing' : `expected a non-negative number of seconds, got ${JSON.stringify(x)}`, FIX);
      return round4(x * 1000);
    };
    return { mean: ms('mean'), p50: ms('median'), p90: ms('p90'), p95: ms('p95'), p99: ms('p99') };
  }

  /** The figures every set (summary or stage) has. */
  figures(): Obj {
    const rate = (k: string): number => round4(this.num(`successes.throughput.${k}`)!);
    return {
      arrived: this.num('load_summary.count'),
      completed: this.num('successes.count'),
      ttft_ms: this.latencyMs('successes.latency.time_to_first_token'),
      tpot_ms: this.latencyMs('successes.latency.time_per_output_token'),
      e2e_ms: this.latencyMs('successes.latency.request_latency'),
      throughput: {
        duration_s: round4(this.num('benchmark_time_seconds')!),
        requests_per_s: rate('requests_per_sec'),
        input_tokens_per_s: rate('input_tokens_per_sec'),
        output_tokens_per_s: rate('output_tokens_per_sec'),
      },
    };
  }
}

export interface MeasuredSummary {
  /** The summary figures (PolicySummary's names and units, only those a measured run has). */
  readonly summary: Obj;
  /** Files read. */
  readonly files: readonly string[];
}

/** Reads the summary file and every stage file of an inference-perf result directory. */
export function readInferencePerfOutput(dir: string): MeasuredSummary {
  const summaryFile = join(dir, SUMMARY_FILE);
  const s = new Fields(summaryFile, readObject(summaryFile));
  const { arrived, completed, ttft_ms, tpot_ms, e2e_ms, throughput } = s.figures();
  if ((completed as number) > (arrived as number)) throw inputError(summaryFile, 'successes.count', `${String(completed)} exceeds load_summary.count ${String(arrived)}`, FIX);
  const stageFiles = readdirSync(dir)
    .map((n) => ({ n, m: STAGE_FILE.exec(n) }))
    .filter((x) => x.m !== null)
    .map((x) => ({ file: join(dir, x.n), index: Number(x.m![1]) }))
    .sort((a, b) => a.index - b.index);
  const stages = stageFiles.map(({ file, index }) => {
    const f = new Fields(file, readObject(file));
    return { index, rate: f.num('load_summary.requested_rate', true), ...f.figures() };
  });
  const summary: Obj = {
    arrived,
    completed,
    ttft_ms,
    tpot_ms,
    itl_ms: s.latencyMs('successes.latency.inter_token_latency'),
    e2e_ms,
    throughput,
    ...(stages.length > 0 ? { stages } : {}),
  };
  return { summary, files: [summaryFile, ...stageFiles.map((x) => x.file)] };
}
