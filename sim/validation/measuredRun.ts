/**
 * A measured vLLM serving run in the LLMServingSim `bench` format (the vllm_bench directory of
 * ../shared/data/validation: `<prefix>_requests.jsonl`, `<prefix>_timeseries.csv`,
 * `<prefix>_meta.json`), read strictly: a bad row is one line naming the file, the line and the
 * field. Also turns the run into a replayable request stream and into its measured per-request
 * latencies, with the anchors of ../shared/reference/calibration.md §4.3 and §4.6:
 * arrivals at `arrival_time − min(arrival_time)` (wall clock); latencies anchored at `queued_ts`
 * (engine monotonic clock, the same as first/last token): TTFT = first − queued,
 * TPOT = (last − first)/max(1, out − 1), E2E = last − queued.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inputError, readProblem, readUserFile } from '../core/errors.js';
import type { SimRequest } from '../workload/request.js';

/** One request of `requests.jsonl`; times in seconds as in the file. */
export interface MeasuredRequest {
  readonly requestId: string;
  readonly inputToks: number;
  readonly outputToks: number;
  /** Epoch seconds, wall clock (the client's send time). */
  readonly arrivalTime: number;
  /** Engine monotonic clock, seconds. */
  readonly queuedTs: number;
  readonly scheduledTs: number;
  readonly firstTokenTs: number;
  readonly lastTokenTs: number;
}

/** One row of `timeseries.csv` (the engine's 1-s gauges). */
export interface MeasuredTick {
  readonly t: number;
  readonly promptThroughput: number;
  readonly genThroughput: number;
  readonly running: number;
  readonly waiting: number;
  /** KV-cache use in percent as vLLM logs it (0..100). */
  readonly kvCachePct: number;
}

export interface MeasuredRun {
  readonly dir: string;
  readonly files: { readonly requests: string; readonly timeseries: string; readonly meta: string };
  readonly requests: readonly MeasuredRequest[];
  readonly timeseries: readonly MeasuredTick[];
  /** meta.json as written (model, vLLM version, engine kwargs, …). */
  readonly meta: Readonly<Record<string, unknown>>;
}

/** Measured latencies of one request, ms (queued_ts anchor). */
export interface MeasuredLatency {
  readonly ttftMs: number;
  readonly tpotMs: number;
  readonly e2eMs: number;
}

const SUFFIXES = { requests: 'requests.jsonl', timeseries: 'timeseries.csv', meta: 'meta.json' } as const;
const TS_COLUMNS = ['t', 'prompt_throughput', 'gen_throughput', 'running', 'waiting', 'kv_cache_pct'] as const;

/** The one file of `dir` whose name ends in `suffix`. */
function findFile(dir: string, suffix: string): string {
  const names = readdirSync(dir).filter((n) => n === suffix || n.endsWith(`_${suffix}`)).sort();
  if (names.length === 0) throw inputError(dir, '', `no *${suffix} file in the measured-run directory`, `give a directory of the LLMServingSim vllm_bench format (<prefix>_requests.jsonl, <prefix>_timeseries.csv, <prefix>_meta.json)`);
  if (names.length > 1) throw inputError(dir, '', `${names.length} *${suffix} files (${names.join(', ')}): which run is meant is ambiguous`, 'keep one run per directory');
  return join(dir, names[0]!);
}

function finiteField(file: string, line: number, row: Record<string, unknown>, field: string, opts: { integer?: boolean; min?: number } = {}): number {
  const v = row[field];
  const where = `line ${line}: ${field}`;
  if (v === undefined) throw inputError(file, where, 'missing', `every row needs ${field}`);
  if (typeof v !== 'number' || !Number.isFinite(v)) throw inputError(file, where, `expected a finite number, got ${JSON.stringify(v)}`, 'fix or remove the row');
  if (opts.integer && !Number.isInteger(v)) throw inputError(file, where, `expected an integer, got ${v}`, 'token counts are whole numbers');
  if (opts.min !== undefined && v < opts.min) throw inputError(file, where, `expected ≥ ${opts.min}, got ${v}`, 'fix or remove the row');
  return v;
}

/** Parses `requests.jsonl` (one JSON object a line; blank lines ignored). */
export function parseRequestsJsonl(text: string, file: string): MeasuredRequest[] {
  const out: MeasuredRequest[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const line = i + 1;
    let row: unknown;
    try {
      row = JSON.parse(raw);
    } catch {
      throw inputError(file, `line ${line}`, 'not valid JSON', 'one JSON object per line');
    }
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw inputError(file, `line ${line}`, 'expected a JSON object', 'one JSON object per line');
    const r = row as Record<string, unknown>;
    const id = r.request_id;
    if (typeof id !== 'string' && typeof id !== 'number') throw inputError(file, `line ${line}: request_id`, id === undefined ? 'missing' : `expected a string or number, got ${JSON.stringify(id)}`, 'every row needs request_id');
    const req: MeasuredRequest = {
      requestId: String(id),
      inputToks: finiteField(file, line, r, 'input_toks', { integer: true, min: 1 }),
      outputToks: finiteField(file, line, r, 'output_toks', { integer: true, min: 1 }),
      arrivalTime: finiteField(file, line, r, 'arrival_time', { min: 0 }),
      queuedTs: finiteField(file, line, r, 'queued_ts', { min: 0 }),
      scheduledTs: finiteField(file, line, r, 'scheduled_ts', { min: 0 }),
      firstTokenTs: finiteField(file, line, r, 'first_token_ts', { min: 0 }),
      lastTokenTs: finiteField(file, line, r, 'last_token_ts', { min: 0 }),
    };
    if (req.firstTokenTs < req.queuedTs) throw inputError(file, `line ${line}: first_token_ts`, `${req.firstTokenTs} is before queued_ts ${req.queuedTs}`, 'the lifecycle times must be in order');
    if (req.lastTokenTs < req.firstTokenTs) throw inputError(file, `line ${line}: last_token_ts`, `${req.lastTokenTs} is before first_token_ts ${req.firstTokenTs}`, 'the lifecycle times must be in order');
    out.push(req);
  }
  if (out.length === 0) throw inputError(file, '', 'no requests', 'a measured run needs at least one request row');
  return out;
}

/** Parses `timeseries.csv` (header `t,prompt_throughput,gen_throughput,running,waiting,kv_cache_pct`). */
export function parseTimeseriesCsv(text: string, file: string): MeasuredTick[] {
  const lines = text.split('\n').map((l) => l.trim());
  const header = (lines[0] ?? '').split(',').map((s) => s.trim());
  const col = new Map(header.map((h, i) => [h, i] as const));
  for (const c of TS_COLUMNS) if (!col.has(c)) throw inputError(file, 'line 1', `header lacks the column ${c}`, `the header is ${TS_COLUMNS.join(',')}`);
  const out: MeasuredTick[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    const cells = lines[i]!.split(',');
    const num = (c: (typeof TS_COLUMNS)[number]): number => {
      const s = (cells[col.get(c)!] ?? '').trim();
      const v = Number(s);
      if (s === '' || !Number.isFinite(v) || v < 0) throw inputError(file, `line ${i + 1}: ${c}`, `expected a non-negative number, got ${JSON.stringify(s)}`, 'fix or remove the row');
      return v;
    };
    out.push({ t: num('t'), promptThroughput: num('prompt_throughput'), genThroughput: num('gen_throughput'), running: num('running'), waiting: num('waiting'), kvCachePct: num('kv_cache_pct') });
  }
  return out;
}

/** Reads a measured-run directory (all three files, strictly). */
export function readMeasuredRun(dir: string): MeasuredRun {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (err) {
    throw inputError(dir, '', readProblem(err), 'give the directory of a measured run, e.g. ../shared/data/validation/llmservingsim_vllm_bench');
  }
  if (!isDir) throw inputError(dir, '', 'is not a directory', 'give the directory holding <prefix>_requests.jsonl, _timeseries.csv and _meta.json');
  const files = { requests: findFile(dir, SUFFIXES.requests), timeseries: findFile(dir, SUFFIXES.timeseries), meta: findFile(dir, SUFFIXES.meta) };
  const requests = parseRequestsJsonl(readUserFile(files.requests, 'give a measured-run directory'), files.requests);
  const timeseries = parseTimeseriesCsv(readUserFile(files.timeseries, 'give a measured-run directory'), files.timeseries);
  let meta: unknown;
  try {
    meta = JSON.parse(readUserFile(files.meta, 'give a measured-run directory'));
  } catch {
    throw inputError(files.meta, '', 'not valid JSON', 'meta.json is one JSON object');
  }
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) throw inputError(files.meta, '', 'expected a JSON object', 'meta.json is one JSON object');
  return { dir, files, requests, timeseries, meta: meta as Record<string, unknown> };
}

/** Measured latencies of every request, in file order (queued_ts anchor, §4.6). */
export function measuredLatencies(reqs: readonly MeasuredRequest[]): MeasuredLatency[] {
  return reqs.map((r) => ({
    ttftMs: (r.firstTokenTs - r.queuedTs) * 1000,
    tpotMs: ((r.lastTokenTs - r.firstTokenTs) / Math.max(1, r.outputToks - 1)) * 1000,
    e2eMs: (r.lastTokenTs - r.queuedTs) * 1000,
  }));
}

/** Measured output throughput, tokens/s: Σ output_toks / (latest last token − earliest queued). */
export function measuredOutputThroughput(reqs: readonly MeasuredRequest[]): number {
  let first = Infinity;
  let last = -Infinity;
  let tokens = 0;
  for (const r of reqs) {
    first = Math.min(first, r.queuedTs);
    last = Math.max(last, r.lastTokenTs);
    tokens += r.outputToks;
  }
  return last > first ? tokens / (last - first) : 0;
}

/**
 * The run as a replayable stream: arrivals at (arrival_time − min arrival_time) in integer µs,
 * sorted by arrival (ties in file order); each prompt one segment of its own content id so no
 * two prompts share a prefix (the data gives no prompt text); outputs of output_toks tokens.
 */
export function replayRequests(reqs: readonly MeasuredRequest[]): SimRequest[] {
  let t0 = Infinity;
  for (const r of reqs) t0 = Math.min(t0, r.arrivalTime);
  const order = reqs.map((r, i) => ({ r, i, us: Math.round((r.arrivalTime - t0) * 1e6) })).sort((a, b) => a.us - b.us || a.i - b.i);
  return order.map(({ r, us }, id) => ({
    id,
    arrivalUs: us,
    // Content ids 1 … n for prompts, 0x40000000 + id for outputs: all distinct.
    segments: [{ content: id + 1, tokens: r.inputToks }],
    inputTokens: r.inputToks,
    outputTokens: r.outputToks,
    outputContent: (0x40000000 + id) >>> 0,
    adapter: null,
    adapterRank: 0,
    priority: 0,
    group: -1,
    session: -1,
    turn: 0,
  }));
}
