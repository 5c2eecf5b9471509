/**
 * The files a workload source will read while it streams (after the outputs are prepared), so a
 * command can name them as inputs up front: no output may overwrite them. Files read while the
 * scenario loads are already in sim/core/inputsRead.ts; these are the ones read later (a trace, a
 * BLIS header + rows pair, a ServeGen lengths table).
 */
import type { WorkloadSource } from '../sim/workload/spec.js';
import { blisPaths } from '../sim/workload/traces/blis.js';

export function sourceInputFiles(src: WorkloadSource | undefined): string[] {
  if (src?.kind === 'trace') return [...(src.format === 'blis' ? [src.path, ...Object.values(blisPaths(src.path))] : [src.path]), ...(src.dataset_lengths !== undefined ? [src.dataset_lengths] : [])];
  if (src?.kind === 'servegen') return [src.path, ...(src.lengths_path !== null ? [src.lengths_path] : [])];
  return [];
}
