/**
 * Reading an inference-perf config's YAML values (formats.md §1.1): mappings with a fixed key set
 * and aliases, explicit `null` = absent, numbers, integers and booleans; every problem is one
 * UserError line naming the file, the field and the fix.
 */
import { inputError, type UserError } from '../../core/errors.js';
import { closest } from '../../scenario/schema.js';
import { outOfRange, rangeText, type Range } from '../../scenario/bounds.js';

export type Obj = Record<string, unknown>;

/** Field reader bound to one config file. */
export class Fields {
  constructor(readonly file: string) {}

  fail(path: string, problem: string, fix: string): UserError {
    return inputError(this.file, path, problem, fix);
  }

  /**
   * `v` as a mapping whose keys are in `keys` (or in `aliases`, renamed to their target); explicit
   * nulls are dropped. `rejected` maps keys inference-perf does not accept to the fix to give.
   */
  mapping(v: unknown, path: string, keys: readonly string[], aliases: Readonly<Record<string, string>> = {}, rejected: Readonly<Record<string, string>> = {}): Obj {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw this.fail(path, `expected a mapping, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`, `give ${path} as a mapping`);
    const out: Obj = {};
    for (const [k, x] of Object.entries(v as Obj)) {
      const at = path === '' ? k : `${path}.${k}`;
      if (rejected[k] !== undefined) throw this.fail(at, `inference-perf does not accept ${JSON.stringify(k)}`, rejected[k]!);
      const name = aliases[k] ?? k;
      if (!keys.includes(name)) {
        const guess = closest(k, [...keys, ...Object.keys(aliases)]);
        throw this.fail(at, `unknown key ${JSON.stringify(k)}`, `${guess ? `did you mean ${JSON.stringify(guess)}? ` : ''}allowed keys here are ${keys.join(', ')}`);
      }
      if (aliases[k] !== undefined && (v as Obj)[name] !== undefined && (v as Obj)[name] !== null) throw this.fail(at, `${k} is an alias of ${name}, which is also given`, `keep one of ${k} and ${name}`);
      if (x !== null) out[name] = x;
    }
    return out;
  }

  /** A finite number (an integer with `int`), > `above` or else ≥ `min` when given, ≤ `max` when given; `dflt` when absent (required when no `dflt`). */
  num(o: Obj, k: string, path: string, opts: { dflt?: number; min?: number; above?: number; max?: number; int?: boolean } = {}): number {
    const v = o[k];
    const at = `${path}.${k}`;
    if (v === undefined) {
      if (opts.dflt !== undefined) return opts.dflt;
      throw this.fail(at, `missing required key ${JSON.stringify(k)}`, `add ${k}: <number>`);
    }
    const what = `${opts.int ? 'an integer' : 'a number'}${opts.above !== undefined ? ` > ${opts.above}` : opts.min !== undefined ? ` ≥ ${opts.min}` : ''}${opts.max !== undefined ? ` and ≤ ${opts.max}` : ''}`;
    const bad = typeof v !== 'number' || !Number.isFinite(v) || (opts.int === true && !Number.isInteger(v)) || (opts.above !== undefined && !(v > opts.above)) || (opts.min !== undefined && !(v >= opts.min)) || (opts.max !== undefined && !(v <= opts.max));
    if (bad) throw this.fail(at, `expected ${what}, got ${JSON.stringify(v)}`, `give ${k} as ${what}`);
    return v as number;
  }

  /** A number inside `range` (scenario/bounds.ts), or `dflt` when absent. */
  ranged(o: Obj, k: string, path: string, range: Range, dflt?: number): number {
    const v = o[k];
    const at = `${path}.${k}`;
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== 'number') throw this.fail(at, v === undefined ? `missing required key ${JSON.stringify(k)}` : `expected a number ${rangeText(range)}, got ${JSON.stringify(v)}`, `give ${k} as a number ${rangeText(range)}`);
    const problem = outOfRange(v, range);
    if (problem !== null) throw this.fail(at, problem, `give ${k} ${rangeText(range)}`);
    return v;
  }

  bool(o: Obj, k: string, path: string, dflt: boolean): boolean {
    const v = o[k];
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') throw this.fail(`${path}.${k}`, `expected true or false, got ${JSON.stringify(v)}`, 'write true or false');
    return v;
  }

  str(o: Obj, k: string, path: string): string | undefined {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw this.fail(`${path}.${k}`, `expected a string, got ${JSON.stringify(v)}`, `give ${k} as a string`);
    return v;
  }

  list(o: Obj, k: string, path: string): unknown[] | undefined {
    const v = o[k];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) throw this.fail(`${path}.${k}`, `expected a list, got ${JSON.stringify(v)}`, `give ${k} as a list`);
    return v;
  }

  /** A key inference-perf accepts that routesim cannot honour when set: an error unless absent/empty. */
  unsupported(o: Obj, k: string, path: string, why: string, fix: string): void {
    const v = o[k];
    if (v === undefined || v === false || (Array.isArray(v) && v.length === 0)) return;
    throw this.fail(`${path}.${k}`, `routesim cannot honour ${k} (${why})`, fix);
  }
}
