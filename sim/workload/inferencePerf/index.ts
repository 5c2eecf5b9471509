/**
 * inference-perf configs in (formats.md §1, §6): reading a config (config.ts and its parts) and
 * generating the request stream that tool would send (stream.ts). A scenario uses one as
 * `workload.trace: {path: <config>.yaml, format: inference-perf}`; `routesim trace synth` lists
 * the requests of the configs that do not depend on simulated response times.
 */
import { inputError } from '../../core/errors.js';
import type { ReplayControls, TraceSourceSpec } from '../spec.js';
import { readInferencePerfConfig } from './config.js';
import { simulationNeed } from './stream.js';
import type { InferencePerfConfig } from './types.js';

export { looksLikeInferencePerf, parseInferencePerf, readInferencePerfConfig } from './config.js';
export { inferencePerfStream, type IpStreamOptions } from './stream.js';
export type { InferencePerfConfig } from './types.js';

/** Configs already read, by the trace source object that names them (objects are never reused for another file). */
const parsed = new WeakMap<TraceSourceSpec, InferencePerfConfig>();

/**
 * The inference-perf config a scenario's trace source names, read once per source object: scenario
 * resolution (checkInferencePerfSource), the stream statistics and every policy's stream share it.
 */
export function configOf(src: TraceSourceSpec): InferencePerfConfig {
  let cfg = parsed.get(src);
  if (cfg === undefined) parsed.set(src, (cfg = readInferencePerfConfig(src.path, src.dataset_lengths)));
  return cfg;
}

/** Records that `src` (e.g. a copy of a checked source with its measured rate) names `cfg`. */
export function rememberConfig(src: TraceSourceSpec, cfg: InferencePerfConfig): TraceSourceSpec {
  parsed.set(src, cfg);
  return src;
}

/** Whether the config's stream depends on simulated response times (concurrency, sessions, a sweep). */
export function needsSimulation(cfg: InferencePerfConfig): boolean {
  return simulationNeed(cfg) !== null;
}

/** Requests per second of the configured schedule (Σ n / Σ duration over rate stages), 0 when not defined. */
export function nominalRate(cfg: InferencePerfConfig): number {
  let n = 0;
  let d = 0;
  for (const s of cfg.load.stages) {
    if (s.kind !== 'rate') return 0;
    n += s.n;
    d += s.duration_s;
  }
  return d > 0 ? n / d : 0;
}

/**
 * Checks an inference-perf trace source of a scenario: the config reads, and no replay control is
 * set (the config's stages set rates and order; scaling them would not be what inference-perf sends).
 */
export function checkInferencePerfSource(src: TraceSourceSpec, file: string, where: (f: keyof ReplayControls) => string): InferencePerfConfig {
  const cfg = configOf(src);
  const set = (['rate_scale', 'from_s', 'to_s', 'sample', 'loop', 'jitter_s'] as const).find((k) => src[k] !== ({ rate_scale: 1, from_s: 0, to_s: null, sample: 1, loop: 1, jitter_s: 0 } as const)[k]);
  if (set !== undefined) throw inputError(file, where(set), `an inference-perf config sets its own stages, rates and order; ${set} does not apply`, `remove ${set} and change load.stages in ${src.path}`);
  return cfg;
}
