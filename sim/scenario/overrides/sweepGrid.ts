/**
 * The load-time side of overrides and sweep grids (issue 14) for load.ts: an error on an
 * overridden path names the override (` (set by <source>)`), every value of every sweep grid
 * dimension is checked by resolving the scenario with it (no simulation), and the resolved `sweep`.
 */
import { UserError } from '../../core/errors.js';
import type { SweepConfig } from '../types.js';
import { applyOverridesTraced, OverrideError, type AppliedOverride } from './apply.js';
import { sweepDimensions, sweepSource } from './grid.js';
import { isAtOrBelow } from './path.js';

/** A `FILE: PATH: problem` message of `file` without `FILE: ` (null when it names another file). */
function messageRest(message: string, file: string): string | null {
  return message.startsWith(`${file}: `) ? message.slice(file.length + 2) : null;
}

/**
 * `err` with ` (set by <source>)` when its path is at or below the path an override set (or a
 * mapping it created for a missing key), else when it is a (non-root) field that contains it, such
 * as the policy whose parameter was set (the last override wins).
 */
export function attributeError(err: UserError, file: string, applied: readonly AppliedOverride[]): UserError {
  const rest = messageRest(err.message, file);
  if (rest === null) return err;
  const path = rest.split(': ')[0]!;
  const latest = [...applied].reverse();
  const by =
    latest.find((a) => isAtOrBelow(path, a.resolvedPath) || (a.createdPath !== undefined && isAtOrBelow(path, a.createdPath))) ??
    (path === '' || path.includes(' ') ? undefined : latest.find((a) => isAtOrBelow(a.resolvedPath, path)));
  return by === undefined ? err : new UserError(`${err.message} (set by ${by.override.source})`);
}

/** The resolved `sweep:`: `rates` as given (when given) and the other keys as grid dimensions. */
export function resolveSweep(sweep: { readonly rates?: readonly number[] | undefined } & Readonly<Record<string, unknown>>): SweepConfig {
  const dims = sweepDimensions(sweep);
  return {
    ...(sweep.rates !== undefined ? { rates: [...sweep.rates] } : {}),
    ...(dims.length > 0 ? { dimensions: dims } : {}),
  };
}

/**
 * Checks every value of every grid dimension of `data`'s `sweep:` by `validate`-ing the scenario
 * with that one override (the other dimensions removed, `rates` kept); a failure is
 * `FILE: sweep.<path>[<k>]: <problem> (fix: …)`.
 */
export function checkSweepGrid(data: unknown, file: string, validate: (point: unknown) => unknown): void {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return;
  const sweep = (data as Record<string, unknown>).sweep;
  if (typeof sweep !== 'object' || sweep === null || Array.isArray(sweep)) return;
  const dims = sweepDimensions(sweep as Record<string, unknown>);
  if (dims.length === 0) return;
  const rates = (sweep as Record<string, unknown>).rates;
  const base: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  if (rates !== undefined) base.sweep = { rates };
  else delete base.sweep;
  for (const d of dims) {
    d.values.forEach((value, k) => {
      const where = `${file}: sweep.${d.path}[${k}]`;
      let point: unknown;
      let resolvedPath = '';
      try {
        const r = applyOverridesTraced(base, [{ path: d.path, value, source: sweepSource(d.path, value) }], file);
        point = r.data;
        resolvedPath = r.applied[0]!.resolvedPath;
      } catch (err) {
        if (err instanceof OverrideError) throw new UserError(`${where}: ${err.problem} (fix: ${err.fix})`);
        throw err;
      }
      try {
        validate(point);
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        const rest = messageRest(err.message, file);
        if (rest === null) throw new UserError(`${where}: ${err.message}`);
        throw new UserError(`${where}: ${rest.startsWith(`${resolvedPath}: `) ? rest.slice(resolvedPath.length + 2) : rest}`);
      }
    });
  }
}
