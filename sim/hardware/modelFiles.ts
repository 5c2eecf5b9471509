/**
 * `model: <path>.json` in a scenario (fleet or pool): the Hugging Face config.json is found next to
 * the scenario file (else in the routesim package, e.g. sim/hardware/configs/Llama-3.1-8B.json),
 * read at load time (hfConfig.ts, ../shared/reference/calibration.md §2) and registered in the
 * catalog under the path as written, so every later getModel(name) finds it.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { PACKAGE_ROOT } from '../core/paths.js';
import { inputError } from '../core/errors.js';
import { registerModel } from './catalog.js';
import { loadHfConfig } from './hfConfig.js';

/** True when a `model:` value names a config.json rather than a catalog entry. */
export function isModelFile(value: string): boolean {
  return /\.json$/i.test(value);
}

/** Reads the config.json `value` names (field `field` of `scenarioFile`) and registers it as model `value`. */
export function registerModelFile(value: string, scenarioFile: string, field: string): void {
  const candidates = [resolvePath(dirname(scenarioFile), value), resolvePath(PACKAGE_ROOT, value)];
  const found = candidates.find((c) => existsSync(c) && !statSync(c).isDirectory());
  if (found === undefined) {
    throw inputError(scenarioFile, field, `model config file "${value}" not found (looked next to the scenario and in the routesim package)`, 'give a path relative to the scenario file, e.g. sim/hardware/configs/Llama-3.1-8B.json, or a catalog model name');
  }
  registerModel(loadHfConfig(found, value));
}
