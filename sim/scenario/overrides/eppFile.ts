/**
 * Where a policy's `epp: <config file>` is read from: next to the scenario file, else in the
 * routesim package (load.ts reads it; apply.ts inlines it for an override below `epp`).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { PACKAGE_ROOT } from '../../core/paths.js';

/** The path of EPP config file `ref` named in scenario `file`, or undefined when neither exists. */
export function findEppConfigFile(ref: string, file: string): string | undefined {
  const candidates = [resolvePath(dirname(file), ref), resolvePath(PACKAGE_ROOT, ref)];
  return candidates.find((c) => existsSync(c));
}
