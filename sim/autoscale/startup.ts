/**
 * Start-up of a replica added at run time (gateway.md §5.5 in ../shared/reference/gateway.md):
 * scheduling (GPU node available, pod bound) → container start → weight load → engine init
 * (KV profiling, CUDA graphs) → Ready: joins the picker with an empty prefix cache → warm-up, during
 * which steps run `warmup_factor` times slower (the caller applies it through the engine).
 *
 * Planning values (§5.5): BLIS examples provision a node in 30 ± 5 s; a cached multi-GB image starts
 * in seconds (1–3 min uncached); Llama-3.1-8B bf16 (~16 GB) loads in 15–40 s locally and reaches
 * Ready ~30–60 s after the pod starts with a cached image; a new replica takes 2–7 min end to end
 * (WVA; BLIS "observed node-to-serving" 240 ± 30 s); a cold engine serves its first 30–60 s of
 * requests much slower. The defaults — 30 + 20 + 8 + 20 = 78 s to Ready for Llama-3.1-8B on H100
 * and 60 s of warm-up — sit at the fast end of those ranges; set the phases to match a cluster.
 *
 * Load time is the pod's weight bytes (all TP shards; the pod reads them through one storage path)
 * over `storage_gbps` (10^9 bytes/s per pod), unless `load_s` overrides it.
 */
import type { GpuSpec, ModelSpec } from '../hardware/types.js';
import { weightBytes } from '../engine/modelMath.js';
import type { StartupConfig } from '../scenario/types.js';

export const DEFAULT_STARTUP: StartupConfig = {
  scheduling_s: 30,
  container_s: 20,
  storage_gbps: 2,
  load_s: null,
  init_s: 20,
  warmup_s: 60,
  warmup_factor: 2.0,
};

/** Each phase of one replica's start-up, µs; Ready at `readyUs` after the scale-up decision. */
export interface StartupPhases {
  readonly schedulingUs: number;
  readonly containerUs: number;
  readonly loadUs: number;
  readonly initUs: number;
  /** scheduling + container + load + init: from the decision until the replica serves. */
  readonly readyUs: number;
  /** After Ready: steps are `warmupFactor` times slower for this long. */
  readonly warmupUs: number;
  readonly warmupFactor: number;
}

const us = (s: number): number => Math.round(s * 1e6);

/** Start-up phases of a `tp`-GPU replica of `model` on `gpu` (the GPU type does not change them yet). */
export function startupPhasesUs(model: ModelSpec, _gpu: GpuSpec, tp: number, cfg: StartupConfig = DEFAULT_STARTUP): StartupPhases {
  if (!(tp >= 1)) throw new Error(`startup: tp must be ≥ 1, got ${tp}`);
  const loadS = cfg.load_s ?? weightBytes(model) / (cfg.storage_gbps * 1e9);
  const schedulingUs = us(cfg.scheduling_s);
  const containerUs = us(cfg.container_s);
  const loadUs = us(loadS);
  const initUs = us(cfg.init_s);
  return {
    schedulingUs,
    containerUs,
    loadUs,
    initUs,
    readyUs: schedulingUs + containerUs + loadUs + initUs,
    warmupUs: us(cfg.warmup_s),
    warmupFactor: cfg.warmup_factor,
  };
}
