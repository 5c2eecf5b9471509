/**
 * Lookup of GPU datasheets and model shapes (engine.md §4). The numbers live in gpus.json and
 * models.json, keyed by name; this module only adds the name back and rejects unknown names.
 * GPUs after RTX4090 (H100-PCIe, A100-40GB, B200, RTXPRO6000 = RTX PRO 6000 Blackwell Server,
 * MI300X, MI325X) are the dense datasheet values of ../shared/reference/calibration.md §7:
 * memory = the datasheet "N GB" read as N GiB less 1 % (the rule that gives the H100 / H200 /
 * A100-80GB entries), interconnect = half the bidirectional total (NVLink5 1.8 TB/s → 900 GB/s,
 * Infinity Fabric 896 → 448 GB/s, PCIe5 x16 128 → 64 GB/s for cards without NVLink).
 * Collective fields (link, allreduce_busbw, allreduce_latency_us): see {@link GPU_LINK_SOURCES}.
 * Models read from a config.json (hfConfig.ts, modelFiles.ts) are added at load time with
 * {@link registerModel} under the name the scenario wrote (its path).
 */
import gpuData from './gpus.json' with { type: 'json' };
import modelData from './models.json' with { type: 'json' };
import { UserError } from '../core/errors.js';
import type { GpuLink, GpuSpec, ModelSpec } from './types.js';

/**
 * Where gpus.json's collective fields come from (JSON has no comments). The physics step time only
 * uses them as ratios to the H100's, on which BLIS's β4 was fitted (calibration.md §6.3).
 */
export const GPU_LINK_SOURCES =
  'allreduce_busbw: H100 345 GB/s and A100 180 GB/s are the Vidur DGX NCCL all-reduce tables (sizes ≥ 1 MiB; H100 300/345/370 GB/s at TP 2/4/8, ' +
  'the TP4 value kept; A100 170–186 GB/s), calibration.md §3.6; H200 shares the H100 NVLink4 fabric (345); B200 NVLink5 and MI300X/MI325X ' +
  'Infinity Fabric scale the H100 busbw by their link figure in calibration.md §7 (1.8 TB/s / 900 GB/s → 690; 896 / 900 → 340, not measured); ' +
  'PCIe cards without NVLink/P2P (no custom all-reduce, NCCL over PCIe, ≲ 25 GB/s, §3.6): PCIe4 L40S, L4, RTX4090 16 GB/s (LSS RTX examples), ' +
  'PCIe5 H100-PCIe (NVLink bridge not assumed), RTXPRO6000 25 GB/s. allreduce_latency_us: NVLink and Infinity Fabric with vLLM custom all-reduce ' +
  '5 µs ("a few µs", §3.6, §6.3; AMD assumed alike, not measured); PCIe NCCL 20 µs ("tens of µs", LSS RTX examples link_latency 20 µs).';

const LINKS: readonly GpuLink[] = ['nvlink', 'pcie', 'infinity-fabric'];
const GPUS: Readonly<Record<string, Omit<GpuSpec, 'name'>>> = Object.fromEntries(
  Object.entries(gpuData).map(([name, g]) => {
    if (!LINKS.includes(g.link as GpuLink)) throw new Error(`gpus.json: ${name}.link "${g.link}" is not one of ${LINKS.join(', ')}`);
    return [name, { ...g, link: g.link as GpuLink }];
  }),
);
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
