/**
 * Which reader a measured run needs (../shared/reference/calibration.md §4.1): a requests.jsonl or
 * an LLMServingSim vllm_bench directory (per-request engine times), an inference-perf result
 * directory (client-side per-request times, or a summary), or a directory of vLLM /metrics scrapes
 * (histogram aggregates).
 */
import { readdirSync, statSync } from 'node:fs';
import { inputError, readProblem } from '../../core/errors.js';
import { readRequestsLog } from './requestsLog.js';
import { isInferencePerfDir, readInferencePerf } from './inferencePerf.js';
import { isMetricsDir, readVllmMetrics } from './vllmMetrics.js';
import type { RunData } from './types.js';

export type { RunData } from './types.js';

export function readRunSource(path: string): RunData {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    throw inputError(path, '', readProblem(err), 'give a requests.jsonl, a vllm_bench run directory, an inference-perf result directory or a directory of /metrics scrapes');
  }
  if (!isDir) return readRequestsLog(path);
  if (readdirSync(path).some((n) => n.endsWith('requests.jsonl'))) return readRequestsLog(path);
  if (isInferencePerfDir(path)) return readInferencePerf(path);
  if (isMetricsDir(path)) return readVllmMetrics(path);
  throw inputError(path, '', 'not a measured run this command reads', 'give a directory with <prefix>_requests.jsonl (LLMServingSim vllm_bench), per_request_/summary_lifecycle_metrics.json (inference-perf), or *.txt /metrics scrapes');
}
