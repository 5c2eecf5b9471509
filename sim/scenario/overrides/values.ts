/**
 * Override values as text (issue 14): a YAML flow value parsed like the scenario file
 * (`6` → number, `H100` → string, `[1, 2]`, `{a: 1}`), and a value shown back the same way.
 */
import { parseYamlText } from '../../../policies/util/userText.js';

/** A parsed value, or the problem and fix of text that is not one YAML value. */
export function parseValueText(text: string): { value: unknown } | { problem: string; fix: string } {
  if (text.trim() === '') return { problem: 'the value is empty', fix: 'give a value; write null to unset a field' };
  const r = parseYamlText(text);
  if ('error' in r) return { problem: r.error.problem, fix: r.error.fix };
  return { value: r.value };
}

/** A value as YAML flow text that parses back to it (strings bare when unambiguous, else JSON). */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') {
    const back = parseYamlText(v);
    return !('error' in back) && back.value === v && !/[,[\]{}]/.test(v) ? v : JSON.stringify(v);
  }
  return v === undefined ? 'null' : JSON.stringify(v);
}

/** A canonical key of a value (mapping keys sorted), to find values given twice. */
export function valueKey(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(valueKey).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${valueKey(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
