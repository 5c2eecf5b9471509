/**
 * The communication term of the physics step time (../shared/reference/calibration.md §3.6, §6.1, §6.3).
 *
 * BLIS's β4 (0.752) was fitted on H100 NVLink against T_tp = units·T·d·B_a·2(TP−1)/TP / BW_HBM with
 * units = 2·n_dense + 1·n_MoE. Here the denominator is the H100's HBM bandwidth scaled by this
 * GPU's all-reduce bus bandwidth relative to the H100's, so H100 reproduces the fitted term exactly
 * and a PCIe GPU pays its slower link (the old code divided by the NVLink figure: 7.4× on H100).
 * With expert parallelism (group EP = TP·DP > 1) each MoE layer adds vLLM's default
 * allgather_reducescatter dispatch + combine, 2·(EP−1)/EP·T_pad·d·B_a bytes with T_pad = DP·T_own
 * (ranks assumed balanced: the real wave ends at the slowest rank), in the same unit; the MoE
 * layer keeps its one fitted unit (the attention all-reduce, TP > 1 only). The EP group is assumed
 * to sit inside one link domain (no inter-node hop).
 *
 * The fitted β absorbed the H100's own per-call latency, so the part no coefficient scales is
 * fixedUs = calls·max(0, t0_gpu − t0_H100), calls = units (TP > 1) + 2·n_MoE (EP): 0 at TP1 without EP.
 */
import type { GpuSpec } from '../../../hardware/types.js';
import { getGpu } from '../../../hardware/catalog.js';
import type { PhysicsCensus } from './census.js';

/** B_a: activations are bf16 in the basis. */
const ACT_BYTES = 2;

export interface CommTerm {
  /** Bytes moved per new token of the step (all calls), numerator of the β4 basis term. */
  readonly bytesPerToken: number;
  /** Bytes per µs of the fitted unit: BW_HBM(H100) · busbw(gpu) / busbw(H100) / 1e6. */
  readonly bytesPerUs: number;
  /** Collective calls per step. */
  readonly calls: number;
  /** µs per step no coefficient scales: calls · max(0, t0_gpu − t0_H100). */
  readonly fixedUs: number;
}

/** The reference the published β4 was fitted on. */
export const FIT_GPU = 'H100';

export function commTerm(c: PhysicsCensus, gpu: GpuSpec, tp: number, hidden: number): CommTerm {
  const ref = getGpu(FIT_GPU);
  const units = tp > 1 ? 2 * c.denseLayers + c.moeLayers : 0;
  const ar = tp > 1 ? units * hidden * ACT_BYTES * ((2 * (tp - 1)) / tp) : 0;
  const ep = c.expertParallel;
  const g = c.expertGroup;
  const dispatch = ep ? c.moeLayers * ((2 * (g - 1)) / g) * c.moeTokenScale * hidden * ACT_BYTES : 0;
  const calls = units + (ep ? 2 * c.moeLayers : 0);
  return {
    bytesPerToken: ar + dispatch,
    bytesPerUs: (ref.hbm_bandwidth * (gpu.allreduce_busbw / ref.allreduce_busbw)) / 1e6,
    calls,
    fixedUs: calls * Math.max(0, gpu.allreduce_latency_us - ref.allreduce_latency_us),
  };
}
