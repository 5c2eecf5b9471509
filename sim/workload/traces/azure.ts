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

/**
 * Microseconds since 1970-01-01 of an Azure timestamp, or a RowProblem. A timestamp in the
 * canonical shape (`YYYY-MM-DD HH:MM:SS[.f…]`, no spaces around it) is read digit by digit, its
 * date and hour taken from the previous row's when they are the same (rows come in time order, so
 * they almost always are): no regular expression, no Date.UTC, no strings per row. Anything
 * else goes through the regular expression, which also words the problems.
 */
export function azureTimestampUs(text: string): number {
  const fast = canonicalTimestampUs(text);
  return fast >= 0 ? fast : parsedTimestampUs(text);
}

/** YYYYMMDDHH of the last canonical timestamp read, and ms since 1970 at that hour. */
let hourKey = -1;
let hourMs = 0;

/** 10^(9 − digits) for a fraction of 1…9 digits: its nanoseconds. */
const NS_SCALE = [0, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 100, 10, 1];

/** Two ASCII digits at `i` as a number, or -1. */
function twoDigits(t: string, i: number): number {
  const a = t.charCodeAt(i) - 48;
  const b = t.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * µs of a canonical timestamp, the same value as the regular-expression path (Date.UTC is linear
 * in minutes and seconds, and the fraction rounds the same way), or -1 to let that path decide.
 */
function canonicalTimestampUs(t: string): number {
  const n = t.length;
  if (n < 19 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return -1;
  const mi = twoDigits(t, 14);
  const s = twoDigits(t, 17);
  if (mi < 0 || mi > 59 || s < 0 || s > 60) return -1;
  let fracNs = 0;
  if (n > 19) {
    const len = n - 20;
    if (t.charCodeAt(19) !== 46 || len < 1 || len > 9) return -1;
    let f = 0;
    for (let k = 20; k < n; k++) {
      const c = t.charCodeAt(k) - 48;
      if (c < 0 || c > 9) return -1;
      f = f * 10 + c;
    }
    fracNs = f * NS_SCALE[len]!;
  }
  const sep = t.charCodeAt(10);
  if (t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || (sep !== 32 && sep !== 84)) return -1;
  const y1 = twoDigits(t, 0);
  const y2 = twoDigits(t, 2);
  const mo = twoDigits(t, 5);
  const d = twoDigits(t, 8);
  const h = twoDigits(t, 11);
  if (y1 < 0 || y2 < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23) return -1;
  const key = (((y1 * 100 + y2) * 100 + mo) * 100 + d) * 100 + h;
  if (key !== hourKey) {
    const ms = Date.UTC(y1 * 100 + y2, mo - 1, d, h);
    if (!Number.isFinite(ms)) return -1;
    hourKey = key;
    hourMs = ms;
  }
  return (hourMs + mi * 60_000 + s * 1000) * 1000 + Math.round(fracNs / 1000);
}

function parsedTimestampUs(text: string): number {
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
