/** Trace formats: detection from the file name and content, and the row reader of each. */
import { readUserYaml } from '../../core/userFiles.js';
import { inputError } from '../../core/errors.js';
import type { SimRequest } from '../request.js';
import type { StreamOptions } from '../generator.js';
import type { WorkloadSpec } from '../spec.js';
import { readAzure } from './azure.js';
import { readBlis } from './blis.js';
import { inferencePerfStream, looksLikeInferencePerf, readInferencePerfConfig } from '../inferencePerf/index.js';
import { readJsonl } from './jsonl.js';
import { readLines } from './lines.js';
import { readMooncake } from './mooncake.js';
import { TRACE_FORMATS, type ReadOptions, type TraceFormat, type TraceRow } from './types.js';

export { TRACE_FORMATS, type TraceFormat } from './types.js';

const FORMAT_FIX = `name it with format: / --format (${TRACE_FORMATS.join(', ')})`;

function firstLine(path: string): string {
  for (const l of readLines(path)) if (l.text.trim() !== '') return l.text.trim();
  return '';
}

function sniffJson(path: string, line: string): TraceFormat {
  if (/"(hash_ids|input_length)"/.test(line)) return 'mooncake';
  if (/"arrival_us"/.test(line)) return 'routesim';
  throw inputError(path, 'line 1', 'cannot tell the JSON Lines format (no "hash_ids"/"input_length" for Mooncake, no "arrival_us" for routesim)', FORMAT_FIX);
}

function sniffCsv(path: string, line: string): TraceFormat {
  const cols = line.split(',').map((c) => c.trim());
  if (cols.includes('TIMESTAMP') && cols.includes('ContextTokens')) return 'azure';
  if (cols.includes('arrival_time_us')) return 'blis';
  throw inputError(path, 'line 1', 'cannot tell the CSV format (Azure has TIMESTAMP,ContextTokens,GeneratedTokens; BLIS TraceV2 has arrival_time_us)', FORMAT_FIX);
}

/** The format of `path`: by extension (`.gz` aside), then by content. */
export function detectFormat(path: string): TraceFormat {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (/\.(ya?ml)$/.test(name)) {
    const doc = readUserYaml(path, 'check the path');
    if (looksLikeInferencePerf(doc)) return 'inference-perf';
    if (doc !== null && typeof doc === 'object' && 'trace_version' in doc) return 'blis';
    throw inputError(path, '', 'a YAML trace must be an inference-perf config (load + data) or a BLIS TraceV2 header (trace_version)', FORMAT_FIX);
  }
  if (/\.csv$/.test(name)) return sniffCsv(path, firstLine(path));
  const line = firstLine(path);
  if (/\.(jsonl|ndjson|json)$/.test(name) || line.startsWith('{')) return sniffJson(path, line);
  if (line.includes(',')) return sniffCsv(path, line);
  throw inputError(path, '', 'cannot tell the trace format from the name or the first line', FORMAT_FIX);
}

/** Inputs the rows of a generated format (inference-perf) depend on. */
export interface RowContext {
  readonly seed: number;
  readonly defaultAdapterRank: number;
  /** The workload generator (passed in so this module does not import it: generator → sources → here). */
  readonly generate: (spec: WorkloadSpec, opts: StreamOptions) => Iterator<SimRequest>;
}

/** The rows of `path` read as `format`, in file order (inference-perf: in generation order). */
export function traceRows(path: string, format: TraceFormat, opts: ReadOptions, ctx: RowContext): Generator<TraceRow> {
  switch (format) {
    case 'mooncake':
      return readMooncake(path, opts);
    case 'azure':
      return readAzure(path, opts);
    case 'routesim':
      return readJsonl(path, opts);
    case 'blis':
      return readBlis(path, opts);
    case 'inference-perf':
      return inferencePerfRows(path, ctx);
  }
}

function* inferencePerfRows(path: string, ctx: RowContext): Generator<TraceRow> {
  const stream = inferencePerfStream(readInferencePerfConfig(path), { seed: ctx.seed, limits: {}, defaultAdapterRank: ctx.defaultAdapterRank, closedLoop: false }, null);
  for (let n = stream.next(); !n.done; n = stream.next()) {
    const r = n.value;
    yield {
      timeUs: r.arrivalUs,
      segments: r.segments,
      uniqueTokens: 0,
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      outputContent: r.outputContent,
      session: r.session,
      turn: r.turn,
      group: r.group,
      adapter: r.adapter,
      priority: r.priority,
      client: r.client ?? -1,
      line: r.id + 1,
    };
  }
}
