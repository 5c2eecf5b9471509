/**
 * The scenario a mock fleet runs: a scenario file, or the embedded default (2 × H100 serving
 * Llama-3.1-8B, TP1, prefix caching on: quickstart's engine), each with the fleet flags applied as
 * the same overrides `--set` makes (`--model` = `--set fleet.model=…`, `--gpu`, `--replicas`,
 * `--tp`, `--max-loras` = fleet.engine.max_loras), checked by the same loader as `routesim run`.
 * Only the fleet, engine and step-time parts matter here; the workload and policies are unused.
 */
import { loadScenarioFile, parseScenario } from '../../sim/scenario/load.js';
import type { ScenarioConfig } from '../../sim/scenario/types.js';
import type { Override } from '../../sim/scenario/overrides/types.js';
import { parseSetFlag } from '../../sim/scenario/overrides/flags.js';

export const EMBEDDED_SCENARIO_NAME = '<embedded serve-engine scenario>';

export const EMBEDDED_SCENARIO = `name: serve-engine
description: "mock vLLM fleet: 2×H100 Llama-3.1-8B (routesim serve engine's default)"
seed: 42
requests: 1
fleet:
  replicas: 2
  gpu: H100
  model: Llama-3.1-8B
  tp: 1
  engine:
    max_num_seqs: 256
    max_num_batched_tokens: 2048
    enable_prefix_caching: true
workload:
  arrival: {process: poisson, rate: 1}
  input: {dist: normal, mean: 256, std: 100, min: 2, max: 800}
  output: {dist: normal, mean: 256, std: 100, min: 1, max: 1024}
policies:
  - round-robin
`;

export interface FleetFlags {
  readonly model?: string;
  readonly gpu?: string;
  readonly replicas?: string;
  readonly tp?: string;
  readonly maxLoras?: string;
  readonly set?: readonly string[];
}

/** The fleet flags and --set values as scenario overrides, in that order. */
export function fleetOverrides(f: FleetFlags): Override[] {
  const out: Override[] = [];
  const add = (flag: string, path: string, v: string | undefined): void => {
    if (v === undefined) return;
    const o = parseSetFlag(`${path}=${v}`);
    out.push({ ...o, source: `--${flag} ${v}` });
  };
  add('model', 'fleet.model', f.model);
  add('gpu', 'fleet.gpu', f.gpu);
  add('replicas', 'fleet.replicas', f.replicas);
  add('tp', 'fleet.tp', f.tp);
  add('max-loras', 'fleet.engine.max_loras', f.maxLoras);
  for (const s of f.set ?? []) out.push(parseSetFlag(s));
  return out;
}

/** Load `path` (undefined = the embedded default) with the flags applied. */
export function loadServeScenario(path: string | undefined, f: FleetFlags): ScenarioConfig {
  const overrides = fleetOverrides(f);
  return path === undefined ? parseScenario(EMBEDDED_SCENARIO, EMBEDDED_SCENARIO_NAME, overrides) : loadScenarioFile(path, overrides);
}
