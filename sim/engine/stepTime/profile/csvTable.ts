/**
 * Reads a profile CSV with named columns (Vidur tables, calibration.md §3.1; schemas in
 * ../shared/data/README.md), plain or gzipped, once per path. Cells are kept as text; `num`
 * reads one as a number and names the file, line and column when it is not one. No quoted
 * fields occur in these tables, so lines are split on commas.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { inputError, readProblem } from '../../../core/errors.js';
import { noteInput } from '../../../core/inputsRead.js';

export interface CsvTable {
  readonly file: string;
  readonly header: readonly string[];
  /** Data rows (cells as text) with their 1-based line numbers. */
  readonly rows: readonly { readonly line: number; readonly cells: readonly string[] }[];
}

const cache = new Map<string, CsvTable>();

/** The table at `file`; every column of `required` must be in the header. */
export function readCsvTable(file: string, required: readonly string[], fix: string): CsvTable {
  const key = resolve(file);
  let t = cache.get(key);
  if (t === undefined) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      throw inputError(file, '', readProblem(err), fix);
    }
    let text: string;
    try {
      text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
    } catch (err) {
      throw inputError(file, '', `not a readable gzip file (${(err as Error).message})`, fix);
    }
    noteInput(file);
    const lines = text.split(/\r?\n/);
    const header = (lines[0] ?? '').trim().split(',');
    const rows: { line: number; cells: string[] }[] = [];
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i]!.trim();
      if (l === '') continue;
      const cells = l.split(',');
      if (cells.length !== header.length) throw inputError(file, `line ${i + 1}`, `${cells.length} columns, expected ${header.length}`, fix);
      rows.push({ line: i + 1, cells });
    }
    if (rows.length === 0) throw inputError(file, '', 'no data rows', fix);
    t = { file, header, rows };
    cache.set(key, t);
  }
  for (const c of required) if (!t.header.includes(c)) throw inputError(file, 'line 1', `no column "${c}"`, fix);
  return t;
}

/** Column index of `name` (checked by readCsvTable's `required`). */
export function col(t: CsvTable, name: string): number {
  return t.header.indexOf(name);
}

/** Cell `c` of row `r` as a finite number ≥ 0, or NaN when empty and `allowEmpty`. */
export function num(t: CsvTable, r: CsvTable['rows'][number], c: number, fix: string, allowEmpty = false): number {
  const s = r.cells[c]!.trim();
  if (s === '' && allowEmpty) return Number.NaN;
  const v = Number(s);
  if (s === '' || !Number.isFinite(v) || v < 0) throw inputError(t.file, `line ${r.line}`, `${t.header[c]} "${s}" is not a number ≥ 0`, fix);
  return v;
}

/** For tests: forget cached tables. */
export function clearCsvCache(): void {
  cache.clear();
}
