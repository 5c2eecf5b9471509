/**
 * Turns a zod issue into a ConfigError with the field's path, a plain problem statement and a fix
 * (for an unknown field: the closest allowed name and the list of allowed names at that place).
 */
import type { z } from 'zod';
import { ConfigError, didYouMean, formatPath, joinPath } from './errors.js';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  values?: unknown[];
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The object shape reached by following `path` (keys and indices) from `schema`, if any. */
export function shapeAt(schema: z.ZodType, path: readonly PropertyKey[]): Record<string, z.ZodType> | undefined {
  let s: z.ZodType | undefined = schema;
  let i = 0;
  for (let guard = 0; s && guard < 200; guard++) {
    const d = defOf(s);
    switch (d.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'readonly':
      case 'nonoptional':
      case 'catch':
        s = d.innerType;
        continue;
      case 'pipe':
        s = d.in;
        continue;
      case 'union':
        s = d.options?.find((o) => shapeAt(o, []) !== undefined);
        continue;
      case 'array':
        if (i < path.length && typeof path[i] === 'number') i++;
        s = d.element;
        continue;
      case 'record':
        if (i >= path.length) return undefined;
        i++;
        s = d.valueType;
        continue;
      case 'object':
        if (i >= path.length) return d.shape;
        s = d.shape?.[String(path[i])];
        i++;
        continue;
      default:
        return undefined;
    }
  }
  return undefined;
}

/** The schema reached by following `path` (keys and indices) from `schema`, through wrappers. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema;
  let i = 0;
  for (let guard = 0; s && guard < 200; guard++) {
    const d = defOf(s);
    if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch'].includes(d.type)) s = d.innerType;
    else if (d.type === 'pipe') s = d.in;
    else if (i >= path.length) return s;
    else if (d.type === 'array') (s = d.element), i++;
    else if (d.type === 'record') (s = d.valueType), i++;
    else if (d.type === 'object') (s = d.shape?.[String(path[i])]), i++;
    else return undefined;
  }
  return undefined;
}

/** "between 0 and 1" when the number schema has both bounds (zod's minValue / maxValue), else null. */
function numberRange(s: z.ZodType | undefined): string | null {
  const b = s as unknown as { minValue?: number | null; maxValue?: number | null } | undefined;
  const lo = b?.minValue;
  const hi = b?.maxValue;
  return typeof lo === 'number' && typeof hi === 'number' && Number.isFinite(lo) && Number.isFinite(hi) && Math.abs(hi) < 1e15 ? `between ${lo} and ${hi}` : null;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

/**
 * The first issue of `error` as a ConfigError. `prefix` is prepended to the path (e.g.
 * `plugins[2].parameters`); `noun` names what the keys are ("field" or "parameter").
 */
export function issueToConfigError(
  error: z.ZodError,
  input: unknown,
  schema: z.ZodType,
  prefix = '',
  noun = 'field',
): ConfigError {
  const issue = error.issues[0]!;
  const path = issue.path as PropertyKey[];
  const at = joinPath(prefix, formatPath(path));
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0]!;
      const allowed = Object.keys(shapeAt(schema, path) ?? {});
      const guess = didYouMean(key, allowed);
      const list = allowed.length ? `allowed ${noun}s here: ${allowed.join(', ')}` : `no ${noun}s are allowed here`;
      return new ConfigError(joinPath(at, key), `unknown ${noun}`, guess ? `did you mean "${guess}"? ${list}` : `remove it; ${list}`);
    }
    case 'invalid_type': {
      const got = valueAt(input, path);
      if (got === undefined) return new ConfigError(at, `missing required ${noun}`, `add ${String(path[path.length - 1] ?? noun)} (${issue.expected})`);
      if (issue.expected === 'int' && typeof got === 'number') return new ConfigError(at, `must be a whole number, got ${String(got)}`, `write a whole number such as ${Number.isFinite(got) ? Math.max(0, Math.round(got)) : 1}`);
      return new ConfigError(at, `expected ${issue.expected}, got ${describeValue(got)}`, `write a ${issue.expected}`);
    }
    case 'invalid_value': {
      const want = issue.values.map((v) => JSON.stringify(v)).join(' or ');
      if (valueAt(input, path) === undefined) return new ConfigError(at, `missing required ${noun}`, `add ${String(path[path.length - 1] ?? noun)}: ${want}`);
      return new ConfigError(at, `expected ${want}, got ${describeValue(valueAt(input, path))}`, `write ${want}`);
    }
    case 'invalid_union': {
      return new ConfigError(at, `${describeValue(valueAt(input, path))} is not allowed here`, 'see the expected type in `routesim plugins` or README');
    }
    case 'too_small':
    case 'too_big': {
      if (issue.origin === 'array' || issue.origin === 'set') {
        const n = issue.code === 'too_small' ? issue.minimum : issue.maximum;
        const items = `${String(n)} item${n === 1 ? '' : 's'}`;
        return issue.code === 'too_small'
          ? new ConfigError(at, `needs at least ${items}`, `add ${String(path[path.length - 1] ?? noun)} entries (at least ${items})`)
          : new ConfigError(at, `takes at most ${items}`, `remove entries (at most ${items})`);
      }
      if (issue.origin === 'string') {
        const n = issue.code === 'too_small' ? issue.minimum : issue.maximum;
        return issue.code === 'too_small'
          ? new ConfigError(at, Number(n) === 1 ? 'must not be empty' : `needs at least ${String(n)} characters`, 'write a non-empty value')
          : new ConfigError(at, `takes at most ${String(n)} characters`, 'shorten it');
      }
      if (issue.origin !== 'number' && issue.origin !== 'int') return new ConfigError(at, issue.message, '');
      const got = valueAt(input, path);
      const range = numberRange(schemaAt(schema, path));
      // zod's own bound on integers is the safe-integer range: say so rather than print 2⁵³ − 1.
      const safe = issue.code === 'too_big' && issue.maximum === Number.MAX_SAFE_INTEGER;
      const limit = safe
        ? 'a whole number below 2^53 (the largest exact integer)'
        : issue.code === 'too_small'
          ? `${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}`
          : `${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}`;
      const shown = typeof got === 'number' ? String(got).replace('e+', 'e') : String(got);
      return new ConfigError(at, `must be ${range ?? limit}, got ${shown}`, range === null && safe ? 'use a smaller whole number' : `use a value ${range ?? limit}`);
    }
    default:
      return new ConfigError(at, issue.message, '');
  }
}
