/**
 * Lookup of GPU datasheets and model shapes (engine.md §4). The numbers live in gpus.json and
 * models.json, keyed by name; this module only adds the name back and rejects unknown names.
 */
import gpuData from './gpus.json' with { type: 'json' };
import modelData from './models.json' with { type: 'json' };
import { UserError } from '../core/errors.js';
import type { GpuSpec, ModelSpec } from './types.js';

const GPUS: Readonly<Record<string, Omit<GpuSpec, 'name'>>> = gpuData;
const MODELS: Readonly<Record<string, Omit<ModelSpec, 'name'>>> = modelData;

/** GPU names known to the catalog, in file order. */
export function gpuNames(): string[] {
  return Object.keys(GPUS);
}

/** Model names known to the catalog, in file order. */
export function modelNames(): string[] {
  return Object.keys(MODELS);
}

/** The GPU called `name`; throws UserError listing the known GPUs otherwise. */
export function getGpu(name: string): GpuSpec {
  const spec = Object.hasOwn(GPUS, name) ? GPUS[name] : undefined;
  if (!spec) throw new UserError(`unknown GPU "${name}" (fix: use one of ${gpuNames().join(', ')})`);
  return { name, ...spec };
}

/** The model called `name`; throws UserError listing the known models otherwise. */
export function getModel(name: string): ModelSpec {
  const spec = Object.hasOwn(MODELS, name) ? MODELS[name] : undefined;
  if (!spec) throw new UserError(`unknown model "${name}" (fix: use one of ${modelNames().join(', ')})`);
  return { name, ...spec };
}
