/**
 * zod issues → one line a user can act on (`<path>: <problem> (fix: <how>)`): custom messages
 * carry their own fix (zodStrict.ts withFix); the rest are described here. Unions are descended
 * into the branch whose type matches the input.
 */
import { z } from 'zod';
import { closestWord, formatPath } from '../../policies/util/text.js';

const FIX_RE = /^([\s\S]*) \(fix: ([\s\S]*)\)$/;

/** The closest candidate to `word` (case-insensitive), if it is plausibly a typo of it. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  return closestWord(word, candidates, 4);
}

/** A value as the user wrote it (strings quoted, numbers bare), else its kind. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return kindOf(v);
}

/** Human-readable kind of a YAML value. */
export function kindOf(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number') return Number.isInteger(v) ? `the integer ${v}` : `the number ${v}`;
  return `${typeof v} ${String(v)}`;
}

const EXPECTED_WORDS: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

/** Whether a zod `expected` type is the JS type of `input` (an integer check on a float is a range problem, not a type mismatch). */
function sameBaseType(expected: string, input: unknown): boolean {
  switch (expected) {
    case 'number':
    case 'int':
      return typeof input === 'number';
    case 'object':
      return typeof input === 'object' && input !== null && !Array.isArray(input);
    case 'array':
      return Array.isArray(input);
    case 'string':
      return typeof input === 'string';
    case 'boolean':
      return typeof input === 'boolean';
    default:
      return false;
  }
}

/** One input problem, ready for `inputError(file, path, problem, fix)`. */
export interface IssueReport {
  readonly path: string;
  readonly problem: string;
  readonly fix: string;
}

/** Range phrase for too_small / too_big issues. */
function bound(op: '≥' | '>' | '≤' | '<', limit: number | bigint): string {
  return `${op} ${String(limit)}`;
}

/**
 * Describe one zod issue (reported with `reportInput: true`) as path + problem + fix. Unions are
 * descended into the branch whose type matches the input, so the user hears about the field that
 * is wrong rather than "invalid union".
 */
export function describeIssue(issue: z.core.$ZodIssue, base: readonly PropertyKey[] = []): IssueReport {
  const path = [...base, ...issue.path];
  const custom = FIX_RE.exec(issue.message);
  const input: unknown = issue.input;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '';
      if (custom) return { path: formatPath([...path, key]), problem: custom[1]!, fix: custom[2]! };
      return { path: formatPath([...path, key]), problem: `unknown key ${JSON.stringify(key)}`, fix: 'remove it' };
    }
    case 'invalid_union': {
      if (issue.errors.length === 0 && issue.discriminator !== undefined) {
        const opts = ('options' in issue && Array.isArray(issue.options) ? issue.options : []).map(String);
        const value =
          typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[issue.discriminator] : undefined;
        const p = formatPath(path.at(-1) === issue.discriminator ? path : [...path, issue.discriminator]);
        if (typeof input !== 'object' || input === null || Array.isArray(input)) {
          return { path: formatPath(path.at(-1) === issue.discriminator ? path.slice(0, -1) : path), problem: `expected a mapping, got ${kindOf(input)}`, fix: `write a mapping with ${issue.discriminator}: one of ${opts.join(', ')}` };
        }
        return value === undefined
          ? { path: p, problem: `missing required key ${JSON.stringify(issue.discriminator)}`, fix: `add ${issue.discriminator}: one of ${opts.join(', ')}` }
          : { path: p, problem: `unknown ${issue.discriminator} ${show(value)}`, fix: `use one of ${opts.join(', ')}` };
      }
      // Prefer the branch whose first problem is not "this is the wrong kind of value".
      const branch = issue.errors.find((errs) => {
        const first = errs[0];
        if (!first || first.path.length > 0) return first !== undefined;
        if (first.code === 'invalid_type') return sameBaseType(first.expected, input);
        if (first.code === 'invalid_value') return first.values.some((v) => typeof v === typeof input);
        return true;
      });
      const pick = branch ? firstIssue(branch) : undefined;
      if (pick) return describeIssue(pick, path);
      if (custom) return { path: formatPath(path), problem: custom[1]!, fix: custom[2]! };
      return { path: formatPath(path), problem: `unexpected ${kindOf(input)}`, fix: 'see scenarios/quickstart.yaml for the expected form' };
    }
    default:
      break;
  }
  if (custom) return { path: formatPath(path), problem: custom[1]!, fix: custom[2]! };
  const key = path.length ? String(path.at(-1)) : '';
  switch (issue.code) {
    case 'invalid_type': {
      if (path.length === 0) {
        return { path: '', problem: `a scenario must be a YAML mapping of keys, got ${kindOf(input)}`, fix: 'start from scenarios/quickstart.yaml' };
      }
      const want = EXPECTED_WORDS[issue.expected] ?? issue.expected;
      if (input === undefined) {
        return { path: formatPath(path), problem: `missing required key ${JSON.stringify(key)}`, fix: `add ${key}: <${want}>` };
      }
      if (typeof input === 'number' && !Number.isFinite(input)) {
        return { path: formatPath(path), problem: `must be a finite number, got ${input}`, fix: 'give a finite value' };
      }
      if (issue.expected === 'int' && typeof input === 'number') {
        return { path: formatPath(path), problem: `must be an integer, got ${input}`, fix: `use a whole number such as ${Math.round(input)}` };
      }
      const hint = typeof input === 'string' && /^(yes|no|on|off|true|false)$/i.test(input) && issue.expected === 'boolean'
        ? 'write true or false without quotes'
        : typeof input === 'string' && issue.expected !== 'string' && input.trim() !== '' && !Number.isNaN(Number(input))
          ? 'remove the quotes around the number'
          : `give ${want}`;
      return { path: formatPath(path), problem: `expected ${want}, got ${kindOf(input)}`, fix: hint };
    }
    case 'too_small': {
      if (issue.origin === 'array' || issue.origin === 'set') {
        return { path: formatPath(path), problem: `needs at least ${String(issue.minimum)} entr${issue.minimum === 1 ? 'y' : 'ies'}`, fix: `add entries to ${key}` };
      }
      if (issue.origin === 'string') {
        return { path: formatPath(path), problem: 'must not be empty', fix: `give a non-empty ${key}` };
      }
      const op = issue.inclusive ? '≥' : '>';
      return { path: formatPath(path), problem: `must be ${bound(op, issue.minimum)}, got ${String(input)}`, fix: `use a value ${bound(op, issue.minimum)}` };
    }
    case 'too_big': {
      if (issue.origin === 'array' || issue.origin === 'string') {
        return { path: formatPath(path), problem: `is too long (maximum ${String(issue.maximum)})`, fix: `shorten ${key}` };
      }
      const op = issue.inclusive ? '≤' : '<';
      return { path: formatPath(path), problem: `must be ${bound(op, issue.maximum)}, got ${String(input)}`, fix: `use a value ${bound(op, issue.maximum)}` };
    }
    case 'invalid_value': {
      const opts = issue.values.map((v) => (typeof v === 'string' ? v : String(v)));
      const guess = typeof input === 'string' ? closest(input, opts) : undefined;
      return {
        path: formatPath(path),
        problem: `${typeof input === 'string' ? 'unknown' : 'invalid'} value ${show(input)}`,
        fix: `${guess ? `did you mean ${JSON.stringify(guess)}? ` : ''}use one of ${opts.join(', ')}`,
      };
    }
    default:
      return { path: formatPath(path), problem: issue.message, fix: 'see scenarios/quickstart.yaml for a valid example' };
  }
}

/** The issue to report first: unknown keys first (a misspelt key also makes its real key "missing"). */
export function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue | undefined {
  return issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
}
