/**
 * Lookup of GPU datasheets and model shapes (engine.md §4). The numbers live in gpus.json and
 * models.json, keyed by name; this module only adds the name back and rejects unknown names.
 * GPUs after RTX4090 (H100-PCIe, A100-40GB, B200, RTXPRO6000 = RTX PRO 6000 Blackwell Server,
 * MI300X, MI325X) are the dense datasheet values of ../shared/reference/calibration.md §7:
 * memory = the datasheet "N GB" read as N GiB less 1 % (the rule that gives the H100 / H200 /
 * A100-80GB entries), interconnect = half the bidirectional total (NVLink5 1.8 TB/s → 900 GB/s,
 * Infinity Fabric 896 → 448 GB/s, PCIe5 x16 128 → 64 GB/s for cards without NVLink).
 * Models read from a config.json (hfConfig.ts, modelFiles.ts) are added at load time with
 * {@link registerModel} under the name the scenario wrote (its path).
 */
import gpuData from './gpus.json' with { type: 'json' };
import modelData from './models.json' with { type: 'json' };
import { UserError } from '../core/errors.js';
import type { GpuSpec, ModelSpec } from './types.js';

const GPUS: Readonly<Record<string, Omit<GpuSpec, 'name'>>> = gpuData;
const MODELS: Readonly<Record<string, Omit<ModelSpec, 'name'>>> = modelData;
/** Models read from config.json files, by the name the scenario gave (a path ending in .json). */
const FILE_MODELS = new Map<string, ModelSpec>();

/** Makes `spec` known to getModel under `spec.name` (a later registration of the same name replaces it). */
export function registerModel(spec: ModelSpec): void {
  FILE_MODELS.set(spec.name, spec);
}

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
  const file = FILE_MODELS.get(name);
  if (file !== undefined) return file;
  const spec = Object.hasOwn(MODELS, name) ? MODELS[name] : undefined;
  if (!spec) throw new UserError(`unknown model "${name}" (fix: use one of ${modelNames().join(', ')})`);
  return { name, ...spec };
}
