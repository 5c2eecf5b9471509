/**
 * BLIS TraceV2: a YAML header file (`trace_version`, `time_unit`, `mode` real|generated|replayed,
 * seed, workload, server config, SLO targets) beside a CSV data file with one row per request
 * (workloads.md §2). `name.yaml` and `name.csv` go together: either path names the pair, and a CSV
 * alone (no header file) is read too.
 *
 * Replay uses `arrival_time_us`, `input_tokens`, `output_tokens` (required) and, when present,
 * `client_id`/`tenant_id`, `slo_class`, `session_id`, `round_index`, `prefix_group` +
 * `prefix_length` (the first `prefix_length` prompt tokens are the group's shared prefix) and
 * `adapter`. Arrival times are µs from the trace start; a trace whose first arrival is ≥ 10¹² µs
 * (wall-clock epoch times of a recorded run) is made relative to its first row.
 * The writer fills every column from a simulated run (or only the request columns when converting),
 * so a recorded run and a simulated one can be compared row by row.
 */
import { existsSync } from 'node:fs';
import { stringify as stringifyYaml } from 'yaml';
import { readUserYaml } from '../../core/userFiles.js';
import { hashInts, hashString } from '../../core/hash.js';
import { inputError } from '../../core/errors.js';
import { ContentTag } from '../prompts.js';
import type { SimRequest } from '../request.js';
import type { RequestRecord } from '../../metrics/types.js';
import { guardRows, intField, RowProblem, shown } from './fields.js';
import { RANGES } from '../../scenario/bounds.js';
import { csvField, csvRecords, openTextSink, readLines, type CsvRecord } from './lines.js';
import type { ReadOptions, TraceRow } from './types.js';

export const BLIS_COLUMNS = [
  'request_id', 'client_id', 'tenant_id', 'slo_class', 'session_id', 'round_index', 'prefix_group', 'prefix_length', 'streaming',
  'input_tokens', 'output_tokens', 'model', 'deadline_us', 'arrival_time_us', 'send_time_us', 'first_chunk_time_us',
  'last_chunk_time_us', 'num_chunks', 'status', 'error_message', 'finish_reason', 'adapter', 'think_time_us',
] as const;

/** BLIS SLO classes ↔ EPP priorities (higher is more important, < 0 sheddable). */
export const SLO_CLASS_PRIORITY: Readonly<Record<string, number>> = { critical: 1, standard: 0, sheddable: -1, batch: -1, background: -2 };
const PRIORITY_SLO_CLASS: Readonly<Record<number, string>> = { 1: 'critical', 0: 'standard', [-1]: 'sheddable', [-2]: 'background' };

const WALL_CLOCK_US = 1e12;

/** The (header, data) paths of the pair `path` names. */
export function blisPaths(path: string): { header: string; data: string } {
  const m = /^(.*)\.(ya?ml|csv)(\.gz)?$/i.exec(path);
  if (!m) return { header: `${path}.yaml`, data: path };
  const base = m[1]!;
  if (m[2]!.toLowerCase() === 'csv') {
    const header = [`${base}.yaml`, `${base}.yml`].find((p) => existsSync(p)) ?? `${base}.yaml`;
    return { header, data: path };
  }
  const data = [`${base}.csv`, `${base}.csv.gz`].find((p) => existsSync(p)) ?? `${base}.csv`;
  return { header: path, data };
}

/** The header of a BLIS pair (an empty object when there is no header file). */
export function readBlisHeader(path: string): Record<string, unknown> {
  const { header } = blisPaths(path);
  if (!existsSync(header)) return {};
  const doc = readUserYaml(header, 'give the TraceV2 header (.yaml) next to the .csv');
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw inputError(header, '', 'a TraceV2 header must be a YAML mapping', 'start it with trace_version: 2');
  const h = doc as Record<string, unknown>;
  if (h.trace_version !== undefined && Number(h.trace_version) !== 2) {
    throw inputError(header, 'trace_version', `unsupported version ${shown(h.trace_version)}`, 'routesim reads TraceV2 (trace_version: 2)');
  }
  if (h.time_unit !== undefined && !['us', 'microseconds', 'µs'].includes(String(h.time_unit))) {
    throw inputError(header, 'time_unit', `unsupported time unit ${shown(h.time_unit)}`, 'TraceV2 times are microseconds: set time_unit: us');
  }
  return h;
}

/** An integer id from a numeric or string cell (strings hash to a non-negative 31-bit id). */
function idOf(cell: string): number {
  const t = cell.trim();
  if (/^\d+$/.test(t) && Number(t) <= 0x7fffffff) return Number(t);
  return hashString(t) & 0x7fffffff;
}

/** Content id of BLIS prefix group `name`. */
export function blisPrefixContent(name: string): number {
  return hashInts(ContentTag.tracePrefix, hashString(name));
}

export function* readBlis(path: string, opts: ReadOptions): Generator<TraceRow> {
  readBlisHeader(path);
  const { data } = blisPaths(path);
  const records = csvRecords(readLines(data), data);
  const first = records.next();
  if (first.done) return;
  const header = first.value.fields.map((f) => f.trim());
  const col = (name: string): number => header.indexOf(name);
  const required = ['arrival_time_us', 'input_tokens', 'output_tokens'];
  const missing = required.filter((c) => col(c) < 0);
  if (missing.length > 0) {
    throw inputError(data, `line ${first.value.lineNo}`, `header lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, `a TraceV2 CSV starts with a header row naming its columns (${BLIS_COLUMNS.slice(0, 6).join(', ')}, …)`);
  }
  const [ia, ii, io] = required.map(col) as [number, number, number];
  const ic = col('client_id') >= 0 ? col('client_id') : col('tenant_id');
  const [isc, iss, ir, ig, ipl, iad] = ['slo_class', 'session_id', 'round_index', 'prefix_group', 'prefix_length', 'adapter'].map(col) as number[];
  const groups = new Map<string, number>();
  let originUs: number | null = null;
  const cell = (f: string[], i: number | undefined): string => (i === undefined || i < 0 ? '' : (f[i] ?? '').trim());
  const parse = (r: CsvRecord): TraceRow => {
    const f = r.fields;
    if (f.length < header.length) throw new RowProblem(header[f.length] ?? 'row', `missing (the row has ${f.length} of ${header.length} columns)`, `give ${header.length} comma-separated columns`);
    const rawUs = intField(f[ia], 'arrival_time_us', 0, 'µs', 1e17);
    originUs ??= rawUs >= WALL_CLOCK_US ? rawUs : 0;
    const input = intField(f[ii], 'input_tokens', 1);
    const output = intField(f[io], 'output_tokens', 1);
    const cls = cell(f, isc);
    let priority: number | null = null;
    if (cls !== '') {
      if (/^-?\d+$/.test(cls)) priority = intField(cls, 'slo_class', RANGES.priority.min, 'a priority', RANGES.priority.max);
      else if (cls.toLowerCase() in SLO_CLASS_PRIORITY) priority = SLO_CLASS_PRIORITY[cls.toLowerCase()]!;
      else throw new RowProblem('slo_class', `unknown class ${shown(cls)}`, `use ${Object.keys(SLO_CLASS_PRIORITY).join(', ')} or an integer priority`);
    }
    const groupName = cell(f, ig);
    const prefixLen = groupName === '' ? 0 : cell(f, ipl) === '' ? 0 : intField(cell(f, ipl), 'prefix_length', 0);
    if (prefixLen > input) throw new RowProblem('prefix_length', `${prefixLen} exceeds input_tokens ${input}`, 'make prefix_length ≤ input_tokens');
    let group = -1;
    if (groupName !== '') {
      group = groups.get(groupName) ?? groups.size;
      groups.set(groupName, group);
    }
    const session = cell(f, iss) === '' ? -1 : idOf(cell(f, iss));
    const turn = cell(f, ir) === '' ? 0 : intField(cell(f, ir), 'round_index', 0, 'the turn index');
    const adapter = cell(f, iad);
    return {
      timeUs: rawUs - originUs,
      segments: prefixLen > 0 ? [{ content: blisPrefixContent(groupName), tokens: prefixLen }] : [],
      uniqueTokens: input - prefixLen,
      inputTokens: input,
      outputTokens: output,
      session,
      turn,
      group,
      client: cell(f, ic) === '' ? -1 : idOf(cell(f, ic)),
      adapter: adapter === '' ? null : adapter,
      priority,
      outputContent: null,
      line: r.lineNo,
    };
  };
  yield* guardRows(data, records, parse, opts, 'arrival_time_us');
}

/** What a TraceV2 header says about where the rows came from. */
export interface BlisHeaderInfo {
  readonly mode: 'real' | 'generated' | 'replayed';
  readonly seed: number;
  readonly workload?: unknown;
  readonly server?: unknown;
  readonly slo?: unknown;
}

/** A simulated run's outcome of one request (absent when converting a workload). */
export type BlisOutcome = Pick<RequestRecord, 'dispatchUs' | 'firstTokenUs' | 'lastTokenUs' | 'outcome' | 'reason'>;

function sloClass(priority: number): string {
  return PRIORITY_SLO_CLASS[priority] ?? String(priority);
}

/** The request fields a TraceV2 row holds. */
export interface BlisRequest {
  readonly id: number;
  readonly arrivalUs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly adapter: string | null;
  readonly priority: number;
  readonly session: number;
  readonly turn: number;
  readonly group: number;
  /** Tokens of the group's shared prefix (the first segment), 0 without a group. */
  readonly prefixTokens: number;
  readonly client: number;
}

/** Tokens of a request's shared prefix (its group's first segment), 0 without a group. */
export function prefixTokensOf(r: SimRequest): number {
  return r.group >= 0 && r.segments.length > 0 ? r.segments[0]!.tokens : 0;
}

/** The TraceV2 fields of a simulated request. */
export function blisRequestOf(r: SimRequest): BlisRequest {
  return {
    id: r.id,
    arrivalUs: r.arrivalUs,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    adapter: r.adapter,
    priority: r.priority,
    session: r.session,
    turn: r.turn,
    group: r.group,
    prefixTokens: prefixTokensOf(r),
    client: r.client ?? -1,
  };
}

/** One TraceV2 CSV row (newline-terminated) for `r`, with its simulated outcome when given. */
export function blisRow(r: BlisRequest, model: string, out?: BlisOutcome): string {
  const t = (us: number | undefined): string | number => (us === undefined || us < 0 ? '' : us);
  const completed = out?.outcome === 'completed';
  const client = r.client >= 0 ? `client-${r.client}` : '';
  const cells: (string | number)[] = [
    r.id,
    client,
    client,
    sloClass(r.priority),
    r.session >= 0 ? r.session : '',
    r.session >= 0 ? r.turn : '',
    r.group >= 0 ? `group-${r.group}` : '',
    r.group >= 0 ? r.prefixTokens : '',
    'true',
    r.inputTokens,
    r.outputTokens,
    model,
    '',
    r.arrivalUs,
    t(out?.dispatchUs),
    t(out?.firstTokenUs),
    t(out?.lastTokenUs),
    out ? (completed ? r.outputTokens : 0) : '',
    out ? (completed ? 'ok' : 'error') : '',
    out && !completed ? out.reason : '',
    completed ? 'length' : '',
    r.adapter ?? '',
    '',
  ];
  return `${cells.map(csvField).join(',')}\n`;
}

/** A TraceV2 pair being written: rows stream into the data file; nothing is visible until `commit()`. */
export interface BlisWriter {
  readonly paths: { header: string; data: string };
  row(line: string): void;
  commit(): void;
  abort(): void;
}

export function openBlisWriter(path: string, header: BlisHeaderInfo): BlisWriter {
  const paths = blisPathsForWrite(path);
  const data = openTextSink(paths.data);
  data.write(`${BLIS_COLUMNS.join(',')}\n`);
  return {
    paths,
    row: (line) => data.write(line),
    commit() {
      const head = openTextSink(paths.header);
      head.write(stringifyYaml({ trace_version: 2, time_unit: 'us', ...header }, { lineWidth: 0 }));
      data.commit();
      head.commit();
    },
    abort: () => data.abort(),
  };
}

/** Writes a TraceV2 pair (header + data) atomically, rows from `rows`. Returns the two paths. */
export function writeBlis(path: string, header: BlisHeaderInfo, rows: Iterable<string>): { header: string; data: string } {
  const w = openBlisWriter(path, header);
  try {
    for (const row of rows) w.row(row);
    w.commit();
  } catch (err) {
    w.abort();
    throw err;
  }
  return w.paths;
}

/** Output paths: `x.csv` → (x.yaml, x.csv); `x.yaml` → (x.yaml, x.csv); anything else gets both extensions added. */
export function blisPathsForWrite(path: string): { header: string; data: string } {
  const m = /^(.*)\.(ya?ml|csv(?:\.gz)?)$/i.exec(path);
  if (!m) return { header: `${path}.yaml`, data: `${path}.csv` };
  const base = m[1]!;
  return m[2]!.toLowerCase().startsWith('csv') ? { header: `${base}.yaml`, data: path } : { header: path, data: `${base}.csv` };
}
