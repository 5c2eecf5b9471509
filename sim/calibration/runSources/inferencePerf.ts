/**
 * An inference-perf result directory (../shared/reference/formats.md §3, times in seconds):
 * `per_request_lifecycle_metrics.json` (when `per_request` reporting was on) gives per request
 * `start_time`, `end_time`, input/output tokens and `output_token_times`; otherwise
 * `summary_lifecycle_metrics.json` gives only Summaries (mean TTFT, mean TPOT, count).
 * Client-side times: no scheduled time, so the prefill target is TTFT and the fit subtracts the
 * simulated queue wait; TTFT/E2E also carry the frontend and network (not modelled).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { inputError } from '../../core/errors.js';
import { readUserJson } from '../../core/userFiles.js';
import type { SimRequest } from '../../workload/request.js';
import type { RunData } from './types.js';

const PER_REQUEST = 'per_request_lifecycle_metrics.json';
/** inference-perf's whole-run lifecycle metrics file (also read and written by reports/inferencePerf/). */
export const SUMMARY_FILE = 'summary_lifecycle_metrics.json';
const SUMMARY = SUMMARY_FILE;

function readJson(file: string): unknown {
  return readUserJson(file, 'give the file inference-perf wrote');
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export function isInferencePerfDir(dir: string): boolean {
  return existsSync(join(dir, PER_REQUEST)) || existsSync(join(dir, SUMMARY));
}

function request(id: number, arrivalUs: number, input: number, output: number): SimRequest {
  return { id, arrivalUs, segments: [{ content: id + 1, tokens: input }], inputTokens: input, outputTokens: output, outputContent: (0x40000000 + id) >>> 0, adapter: null, adapterRank: 0, priority: 0, group: -1, session: -1, turn: 0 };
}

export function readInferencePerf(dir: string): RunData {
  const per = join(dir, PER_REQUEST);
  if (existsSync(per)) {
    const rows = readJson(per);
    if (!Array.isArray(rows)) throw inputError(per, '', 'expected a JSON array of requests', 'give the per-request file inference-perf wrote');
    const ok = rows
      .map((r, i) => {
        const o = obj(r);
        const info = obj(o.info);
        const resp = obj(info.response_metrics);
        const times = Array.isArray(resp.output_token_times) ? (resp.output_token_times as unknown[]).map(num).filter((t): t is number => t !== null) : [];
        const input = num(obj(obj(info.request_metrics).text).input_tokens) ?? num(info.input_tokens);
        const output = num(resp.output_tokens) ?? num(info.output_tokens) ?? (times.length > 0 ? times.length : null);
        const start = num(o.start_time);
        const end = num(o.end_time);
        if (o.error != null && Object.keys(obj(o.error)).length > 0) return null;
        if (start === null || end === null || input === null || output === null || input < 1 || output < 1) throw inputError(per, `[${i}]`, 'lacks start_time, end_time, input or output tokens', 'give the per-request file of a successful inference-perf run');
        return { start, end, input: Math.round(input), output: Math.round(output), first: times[0] ?? null, last: times[times.length - 1] ?? null };
      })
      .filter((r): r is NonNullable<typeof r> => r !== null)
      .sort((a, b) => a.start - b.start);
    if (ok.length === 0) throw inputError(per, '', 'no successful requests', 'give a run with successes');
    const t0 = ok[0]!.start;
    const us = (s: number): number => s * 1e6;
    return {
      format: 'inference-perf',
      path: dir,
      files: [per],
      requests: ok.map((r, id) => request(id, Math.round(us(r.start - t0)), r.input, r.output)),
      perRequest: ok.map((r) => ({
        prefillUs: r.first !== null ? us(r.first - r.start) : null,
        decodeUs: r.first !== null && r.last !== null && r.output > 1 ? us(r.last - r.first) : null,
        ttftUs: r.first !== null ? us(r.first - r.start) : null,
        e2eUs: us(r.end - r.start),
        outputTokens: r.output,
      })),
      aggregate: null,
      prefillIncludesQueue: true,
      numGpuBlocks: null,
      notes: [
        'inference-perf per-request file: client-side times (start, token times, end); no scheduled time, so prefill = TTFT − the simulated queue wait, and TTFT/E2E include the frontend and network (not fitted)',
      ],
    };
  }
  const sumFile = join(dir, SUMMARY);
  const s = obj(readJson(sumFile));
  const succ = obj(s.successes);
  const lat = obj(succ.latency);
  const ttft = num(obj(lat.time_to_first_token).mean);
  const tpot = num(obj(lat.time_per_output_token).mean);
  const count = num(succ.count) ?? num(obj(s.load_summary).count) ?? 0;
  if (ttft === null && tpot === null) throw inputError(sumFile, 'successes.latency', 'has neither time_to_first_token nor time_per_output_token', 'give a streaming inference-perf run');
  return {
    format: 'inference-perf',
    path: dir,
    files: [sumFile],
    requests: null,
    perRequest: null,
    aggregate: { meanPrefillUs: ttft !== null ? ttft * 1e6 : null, meanDecodeUs: null, meanTpotUs: tpot !== null ? tpot * 1e6 : null, meanQueueUs: null, requests: count },
    prefillIncludesQueue: true,
    numGpuBlocks: null,
    notes: [
      `inference-perf summary only (no per_request file): fitted on 2 aggregates, mean TTFT and mean TPOT of ${count} requests; arrivals and lengths are the scenario's workload`,
      'two aggregates identify at most two directions of β: the rest stays near the prior (ridge)',
    ],
  };
}
