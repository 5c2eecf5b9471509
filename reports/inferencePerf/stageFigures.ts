/**
 * The figures both per-stage outputs compute from one set of request records — inference-perf's
 * lifecycle metrics (lifecycle.ts) and the Benchmark Report's request_performance
 * (benchmarkReport/build.ts): the set's time span, its completed requests with their token sums,
 * and their latency samples in seconds. Each output wraps them in its own statistics shape.
 */
import type { RequestRecord } from '../../sim/metrics/types.js';

export interface StageFigures {
  /** The completed requests. */
  readonly ok: readonly RequestRecord[];
  /** First and last arrival in µs (±Infinity when the set is empty). */
  readonly firstArrivalUs: number;
  readonly lastArrivalUs: number;
  /** Last end in µs of a request that ended, -Infinity when none did. */
  readonly lastEndUs: number;
  /** Last end − first arrival in s (benchmark_time_seconds), 0 when no request ended. */
  readonly spanS: number;
  /** Σ input / output tokens of the completed requests. */
  readonly inTok: number;
  readonly outTok: number;
  /** Per completed request, in s: time to first token and end to end. */
  readonly ttft: number[];
  readonly e2e: number[];
  /** Per completed request with > 1 output token: (last − first token) / (tokens − 1), s/token. */
  readonly tpot: number[];
  /** Per completed request with output: end to end / output tokens, s/token. */
  readonly ntpot: number[];
}

const sec = (us: number): number => us / 1e6;

export function stageFigures(records: readonly RequestRecord[]): StageFigures {
  const ok = records.filter((r) => r.outcome === 'completed');
  let firstArrivalUs = Infinity;
  let lastArrivalUs = -Infinity;
  let lastEndUs = -Infinity;
  for (const r of records) {
    firstArrivalUs = Math.min(firstArrivalUs, r.arrivalUs);
    lastArrivalUs = Math.max(lastArrivalUs, r.arrivalUs);
    if (r.endUs >= 0) lastEndUs = Math.max(lastEndUs, r.endUs);
  }
  let inTok = 0;
  let outTok = 0;
  for (const r of ok) {
    inTok += r.inputTokens;
    outTok += r.outputTokens;
  }
  return {
    ok,
    firstArrivalUs,
    lastArrivalUs,
    lastEndUs,
    spanS: records.length > 0 && lastEndUs > -Infinity ? sec(Math.max(0, lastEndUs - firstArrivalUs)) : 0,
    inTok,
    outTok,
    ttft: ok.map((r) => sec(r.firstTokenUs - r.arrivalUs)),
    e2e: ok.map((r) => sec(r.endUs - r.arrivalUs)),
    tpot: ok.filter((r) => r.outputTokens > 1).map((r) => sec(r.lastTokenUs - r.firstTokenUs) / (r.outputTokens - 1)),
    ntpot: ok.filter((r) => r.outputTokens > 0).map((r) => sec(r.endUs - r.arrivalUs) / r.outputTokens),
  };
}
