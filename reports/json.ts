/**
 * Readable, compact JSON: 2-space indentation like JSON.stringify(v, null, 2), except that an array
 * or object whose one-line form fits in `width` characters stays on one line (so a chart's data rows
 * are one line each instead of six). Deterministic: key order is insertion order; parses back to
 * the same value as JSON.stringify's output.
 */
export function stringifyCompact(value: unknown, width = 100): string {
  return render(value, '', width) + '\n';
}

/** Entries of an object that JSON keeps (undefined and functions are dropped). */
function entriesOf(value: object): [string, unknown][] {
  return Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && typeof v !== 'function');
}

/** One-line form with a space after each comma and colon. */
function flat(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : flat(v))).join(', ')}]`;
  return `{${entriesOf(value).map(([k, v]) => `${JSON.stringify(k)}: ${flat(v)}`).join(', ')}}`;
}

function render(value: unknown, indent: string, width: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const one = flat(value);
  if (indent.length + one.length <= width) return one;
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    return `[\n${value.map((v) => inner + (v === undefined || typeof v === 'function' ? 'null' : render(v, inner, width))).join(',\n')}\n${indent}]`;
  }
  return `{\n${entriesOf(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${render(v, inner, width)}`).join(',\n')}\n${indent}}`;
}
