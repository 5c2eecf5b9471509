/**
 * Row-level validation shared by the trace readers: a malformed row raises a {@link RowProblem}
 * naming the field, and {@link guardRows} turns it into the one-line `file: line N: field: problem
 * (fix: …)` error, or skips and counts the row when the user asked for that.
 */
import { inputError } from '../../core/errors.js';
import { fmtNum, MAX_TOKENS } from '../../scenario/bounds.js';
import type { ReadOptions, TraceRow } from './types.js';

/** What is wrong with one field of one row. */
export class RowProblem extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'RowProblem';
  }
}

/** A value as it appeared in the row, for messages. */
export function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 30 ? `${v.slice(0, 30)}…` : v);
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v);
}

/** Largest arrival time a trace row may have, µs on the trace's clock (1e8 s ≈ 3 years). */
export const MAX_TRACE_US = 1e14;

/**
 * An integer between `min` and `max` (numbers or numeric strings). Token counts (`what` =
 * 'tokens') are limited to MAX_TOKENS unless `max` says otherwise.
 */
export function intField(v: unknown, field: string, min: number, what = 'tokens', max = what === 'tokens' ? MAX_TOKENS : Number.MAX_SAFE_INTEGER): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    if (v === undefined || v === '') throw new RowProblem(field, 'missing', `give ${field} as an integer ≥ ${min} (${what})`);
    if (typeof n === 'number' && Number.isFinite(n) && n > max) {
      throw new RowProblem(field, `must be between ${fmtNum(min)} and ${fmtNum(max)} ${what}, got ${fmtNum(n)}`, `give ${field} as an integer between ${fmtNum(min)} and ${fmtNum(max)} (${what})`);
    }
    throw new RowProblem(field, `expected an integer ≥ ${min}, got ${shown(v)}`, `give ${field} as an integer ≥ ${min} (${what})`);
  }
  return n;
}

/** A finite number between `min` and `max` (numbers or numeric strings). */
export function numField(v: unknown, field: string, min: number, what: string, max = Number.MAX_VALUE): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max) {
    if (v === undefined || v === '') throw new RowProblem(field, 'missing', `give ${field} (${what})`);
    if (typeof n === 'number' && Number.isFinite(n) && n > max) throw new RowProblem(field, `must be between ${fmtNum(min)} and ${fmtNum(max)}, got ${fmtNum(n)}`, `give ${field} as a number between ${fmtNum(min)} and ${fmtNum(max)} (${what})`);
    throw new RowProblem(field, `expected a number ≥ ${min}, got ${shown(v)}`, `give ${field} as a number ≥ ${min} (${what})`);
  }
  return n;
}

/**
 * Runs `parse` on each raw row; a RowProblem becomes a UserError naming `file`, the line and the
 * field, or, with `skipBadRows`, is counted and reported through `opts.onSkip`. Rows must come in
 * non-decreasing time order (an earlier row is a problem of its time field `timeField`).
 */
export function* guardRows<R extends { lineNo: number }>(
  file: string,
  raw: Iterable<R>,
  parse: (r: R) => TraceRow | null,
  opts: ReadOptions,
  timeField: string,
): Generator<TraceRow> {
  let lastUs = -Infinity;
  for (const r of raw) {
    let row: TraceRow | null;
    try {
      row = parse(r);
      if (row !== null && row.timeUs > MAX_TRACE_US) {
        throw new RowProblem(timeField, `is ${fmtNum(row.timeUs / 1e6)} s after the trace's start; a trace may span at most ${fmtNum(MAX_TRACE_US / 1e6)} s`, 'check the time unit of the column');
      }
      if (row !== null && row.timeUs < lastUs) {
        throw new RowProblem(timeField, `is earlier than the previous row's (${row.timeUs / 1000} ms < ${lastUs / 1000} ms)`, 'sort the trace by arrival time');
      }
    } catch (err) {
      if (!(err instanceof RowProblem)) throw err;
      const e = inputError(file, `line ${r.lineNo}: ${err.field}`, err.problem, opts.skipBadRows ? '' : `${err.fix}, or pass --skip-bad-rows to skip such rows`);
      if (!opts.skipBadRows) throw e;
      opts.onSkip?.(e.message);
      continue;
    }
    if (row === null) continue;
    lastUs = row.timeUs;
    yield row;
  }
}

/** Runs `fn` for the record on line `lineNo` of `file`; a RowProblem becomes the one-line UserError. */
export function atLine<T>(file: string, lineNo: number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof RowProblem)) throw err;
    throw inputError(file, `line ${lineNo}: ${err.field}`, err.problem, err.fix);
  }
}
