/**
 * Command-line overrides (issue 14): `--set PATH=VALUE` → an Override and `--sweep PATH=V1,V2,…` →
 * a SweepDimension. Values are YAML flow values (values.ts); a mistake is one line naming the flag.
 */
import { UserError } from '../../core/errors.js';
import { parsePath, PathProblem } from './path.js';
import { parseValueText, valueKey, formatValue } from './values.js';
import type { Override, SweepDimension } from './types.js';

const SET_EXAMPLE = '--set fleet.replicas=6';
const SWEEP_EXAMPLE = '--sweep fleet.replicas=4,6,8';

/** `--set PATH=VALUE` → {path, value, source: `--set PATH=VALUE`}. */
export function parseSetFlag(text: string): Override {
  const source = `--set ${text}`;
  const { path, valueText } = splitFlag(text, source, SET_EXAMPLE);
  const v = parseValueText(valueText);
  if ('problem' in v) throw new UserError(`${source}: ${v.problem} (fix: ${v.fix}, e.g. ${SET_EXAMPLE})`);
  return { path, value: v.value, source };
}

/** `--sweep PATH=V1,V2,…` → {path, values}: commas inside [] or {} or quotes do not split. */
export function parseSweepFlag(text: string): SweepDimension {
  const source = `--sweep ${text}`;
  const { path, valueText } = splitFlag(text, source, SWEEP_EXAMPLE);
  const pieces = splitTopLevel(valueText);
  if (pieces === null) throw new UserError(`${source}: unbalanced brackets or quotes in the values (fix: close every [, { and quote, e.g. ${SWEEP_EXAMPLE})`);
  const values: unknown[] = [];
  const seen = new Map<string, number>();
  pieces.forEach((piece, i) => {
    const v = parseValueText(piece);
    if ('problem' in v) throw new UserError(`${source}: value ${i + 1} ${JSON.stringify(piece.trim())}: ${v.problem} (fix: ${v.fix}; separate values by single commas, e.g. ${SWEEP_EXAMPLE})`);
    const key = valueKey(v.value);
    if (seen.has(key)) throw new UserError(`${source}: the value ${formatValue(v.value)} is given twice (fix: give each value once, e.g. ${SWEEP_EXAMPLE})`);
    seen.set(key, i);
    values.push(v.value);
  });
  return { path, values };
}

/** `PATH=VALUE` → its parts; a missing `=` or empty / malformed PATH is a one-line error. */
function splitFlag(text: string, source: string, example: string): { path: string; valueText: string } {
  const eq = text.indexOf('=');
  if (eq < 0) throw new UserError(`${source}: missing "=" (fix: write PATH=VALUE, e.g. ${example})`);
  const path = text.slice(0, eq).trim();
  if (path === '') throw new UserError(`${source}: the path before "=" is empty (fix: name a field, e.g. ${example})`);
  try {
    parsePath(path);
  } catch (err) {
    if (err instanceof PathProblem) throw new UserError(`${source}: ${err.problem} (fix: ${err.fix})`);
    throw err;
  }
  return { path, valueText: text.slice(eq + 1) };
}

/** Splits on commas outside [], {} and quotes; null when they do not balance. */
export function splitTopLevel(text: string): string[] | null {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== null) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      if (--depth < 0) return null;
    } else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0 || quote !== null) return null;
  out.push(text.slice(start));
  return out;
}
