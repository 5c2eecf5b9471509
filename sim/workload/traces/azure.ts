/**
 * Azure LLM inference trace 2023 CSV (`TIMESTAMP` wall clock `YYYY-MM-DD HH:MM:SS.fffffff`,
 * `ContextTokens`, `GeneratedTokens`; header row; columns in any order, extra columns ignored).
 * Times are taken as UTC (the trace gives no zone; only differences matter) and made relative to
 * the first row, kept to the microsecond (the 100-ns digits are rounded).
 */
import { inputError } from '../../core/errors.js';
import { csvRecords, readLines, type CsvRecord } from './lines.js';
import { guardRows, intField, RowProblem, shown } from './fields.js';
import { plainRow, type ReadOptions, type TraceRow } from './types.js';

const NO_SEGMENTS: readonly [] = [];

export const AZURE_COLUMNS = ['TIMESTAMP', 'ContextTokens', 'GeneratedTokens'] as const;

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z?$/;

/** Microseconds since 1970-01-01 of an Azure timestamp, or a RowProblem. */
export function azureTimestampUs(text: string): number {
  const m = TS_RE.exec(text.trim());
  if (!m) throw new RowProblem('TIMESTAMP', `expected YYYY-MM-DD HH:MM:SS[.fffffff], got ${shown(text)}`, 'write timestamps like 2023-11-16 18:17:03.9799600');
  const [, y, mo, d, h, mi, s, frac = ''] = m;
  const ms = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!);
  if (!Number.isFinite(ms) || +mo! < 1 || +mo! > 12 || +d! < 1 || +d! > 31 || +h! > 23 || +mi! > 59 || +s! > 60) {
    throw new RowProblem('TIMESTAMP', `not a valid date and time: ${shown(text)}`, 'write timestamps like 2023-11-16 18:17:03.9799600');
  }
  const fracUs = frac === '' ? 0 : Math.round(Number(frac.padEnd(9, '0')) / 1000);
  return ms * 1000 + fracUs;
}

/** `YYYY-MM-DD HH:MM:SS.ffffff0` (UTC) of µs since 1970, the inverse of {@link azureTimestampUs} at µs precision. */
export function formatAzureTimestamp(us: number): string {
  const ms = Math.floor(us / 1000);
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const sub = (ms % 1000) * 1000 + (us - ms * 1000);
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(sub, 6)}0`;
}

export function* readAzure(path: string, opts: ReadOptions): Generator<TraceRow> {
  const records = csvRecords(readLines(path), path);
  const first = records.next();
  if (first.done) return;
  const header = first.value.fields.map((f) => f.trim());
  const idx = AZURE_COLUMNS.map((c) => header.indexOf(c));
  const missing = AZURE_COLUMNS.filter((_, i) => idx[i]! < 0);
  if (missing.length > 0) {
    throw inputError(path, `line ${first.value.lineNo}`, `header lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, `the first line must name the columns ${AZURE_COLUMNS.join(',')}`);
  }
  const [ti, ci, gi] = idx as [number, number, number];
  let originUs: number | null = null;
  const parse = (r: CsvRecord): TraceRow => {
    const f = r.fields;
    if (f.length < header.length) throw new RowProblem(header[f.length] ?? 'row', `missing (the row has ${f.length} of ${header.length} columns)`, `give ${header.length} comma-separated columns`);
    const abs = azureTimestampUs(f[ti]!);
    const input = intField(f[ci], 'ContextTokens', 1);
    const output = intField(f[gi], 'GeneratedTokens', 1);
    originUs ??= abs;
    return plainRow(abs - originUs, NO_SEGMENTS, input, output, r.lineNo);
  };
  yield* guardRows(path, records, parse, opts, 'TIMESTAMP');
}
