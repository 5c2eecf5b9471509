/**
 * What a measured run gives the replay-in-the-loop fit (../shared/reference/calibration.md §4.1,
 * §4.3): a replay stream when arrivals are known, per-request engine times when the log has them,
 * or only aggregates (means of histogram sums) otherwise.
 */
import type { SimRequest } from '../../workload/request.js';

export type RunFormat = 'requests-log' | 'inference-perf' | 'vllm-metrics';

/** Measured times of one request, µs (null = not in the source). Indexed by replay id. */
export interface MeasuredRequestTimes {
  /** scheduled → first token (engine), or client TTFT when `prefillIncludesQueue`. */
  readonly prefillUs: number | null;
  /** first → last token. */
  readonly decodeUs: number | null;
  readonly ttftUs: number | null;
  readonly e2eUs: number | null;
  readonly outputTokens: number;
}

export interface AggregateTimes {
  /** Mean scheduled → first token per request (or mean TTFT when `prefillIncludesQueue`). */
  readonly meanPrefillUs: number | null;
  /** Mean first → last token per request. */
  readonly meanDecodeUs: number | null;
  /** Mean per-request TPOT (request-weighted), when the decode sum is not given. */
  readonly meanTpotUs: number | null;
  /** Mean scheduled − queued (report only). */
  readonly meanQueueUs: number | null;
  readonly requests: number;
}

export interface RunData {
  readonly format: RunFormat;
  readonly path: string;
  /** Files read (inputs: no output may overwrite them). */
  readonly files: readonly string[];
  /** The replay stream in arrival order (ids 0…n−1); null = replay the scenario's own workload. */
  readonly requests: SimRequest[] | null;
  /** Per replay id; null when the source has aggregates only. */
  readonly perRequest: readonly MeasuredRequestTimes[] | null;
  readonly aggregate: AggregateTimes | null;
  /** The prefill target includes the queue wait (client-side TTFT): the fit subtracts the simulated wait. */
  readonly prefillIncludesQueue: boolean;
  /** KV blocks of the measured engine, when the source says. */
  readonly numGpuBlocks: number | null;
  /** What the source could and could not give (printed with the fit). */
  readonly notes: readonly string[];
}
