/**
 * Per-request engine log (LLMServingSim vllm_bench `requests.jsonl`, sim/validation/measuredRun.ts):
 * the best source for §4.3 — per request `P = first − scheduled`, `D = last − first` on the engine
 * clock, arrivals for the replay, and TTFT/E2E anchored at queued_ts (§4.6).
 */
import { statSync } from 'node:fs';
import { parseRequestsJsonl, readMeasuredRun, replayRequests, type MeasuredRequest } from '../../validation/measuredRun.js';
import { readUserFile } from '../../core/errors.js';
import type { RunData } from './types.js';

/** Replay ids of `replayRequests`: arrival order, ties in file order. */
function replayOrder(reqs: readonly MeasuredRequest[]): MeasuredRequest[] {
  let t0 = Infinity;
  for (const r of reqs) t0 = Math.min(t0, r.arrivalTime);
  return reqs
    .map((r, i) => ({ r, i, us: Math.round((r.arrivalTime - t0) * 1e6) }))
    .sort((a, b) => a.us - b.us || a.i - b.i)
    .map((x) => x.r);
}

function blocksFromMeta(meta: Readonly<Record<string, unknown>>): number | null {
  const kw = meta.engine_kwargs as Record<string, unknown> | undefined;
  for (const v of [meta.num_gpu_blocks, kw?.num_gpu_blocks_override, kw?.num_gpu_blocks]) if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  return null;
}

export function readRequestsLog(path: string): RunData {
  const isDir = statSync(path).isDirectory();
  let reqs: readonly MeasuredRequest[];
  let files: string[];
  let blocks: number | null = null;
  if (isDir) {
    const run = readMeasuredRun(path);
    reqs = run.requests;
    files = [run.files.requests, run.files.timeseries, run.files.meta];
    blocks = blocksFromMeta(run.meta);
  } else {
    reqs = parseRequestsJsonl(readUserFile(path, 'give a requests.jsonl or its run directory'), path);
    files = [path];
  }
  const ordered = replayOrder(reqs);
  const us = (s: number): number => s * 1e6;
  return {
    format: 'requests-log',
    path,
    files,
    requests: replayRequests(reqs),
    perRequest: ordered.map((r) => ({
      prefillUs: us(r.firstTokenTs - r.scheduledTs),
      decodeUs: r.outputToks > 1 ? us(r.lastTokenTs - r.firstTokenTs) : null,
      ttftUs: us(r.firstTokenTs - r.queuedTs),
      e2eUs: us(r.lastTokenTs - r.queuedTs),
      outputTokens: r.outputToks,
    })),
    aggregate: null,
    prefillIncludesQueue: false,
    numGpuBlocks: blocks,
    notes: [
      'per-request engine times: prefill = first − scheduled, decode = last − first (engine clock); arrivals replayed from arrival_time',
      blocks === null ? 'KV block count not in the run metadata: the scenario\'s KV capacity is used' : `KV capacity held at the run's ${blocks} blocks`,
    ],
  };
}
