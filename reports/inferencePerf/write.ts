/**
 * `routesim run --inference-perf-report DIR`: the lifecycle metrics files inference-perf writes
 * (../shared/reference/formats.md §3), one directory per policy, so dashboards built on them (the
 * GAIE benchmark notebook, llm-d-benchmark's converter) read a simulated run as a measured one:
 *
 *   DIR/<policy>/stage_<i>_lifecycle_metrics.json   one per stage (stages.ts)
 *   DIR/<policy>/summary_lifecycle_metrics.json     every request of the run
 *
 * A directory per policy is what the GAIE notebook compares (one label per directory). With
 * several seeds, sweep rates or grid points, the files describe the primary run (first seed, the
 * scenario's own rate), as `--requests-csv` does.
 */
import { join } from 'node:path';
import { inputError } from '../../sim/core/errors.js';
import type { PolicyRun } from '../../sim/metrics/types.js';
import type { ScenarioConfig } from '../../sim/scenario/types.js';
import { lifecycleMetrics } from './lifecycle.js';
import { loadShape, simStages, stageCount } from './stages.js';
import { SUMMARY_FILE } from '../../sim/calibration/runSources/inferencePerf.js';

export const stageFile = (i: number): string => `stage_${i}_lifecycle_metrics.json`;

/** A policy name as a directory name: characters other than letters, digits, `.`, `_`, `-` become `_`. */
export function policyDirName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe === '' || safe === '.' || safe === '..' ? `_${safe}` : safe;
}

/** Each policy's directory name; two policies that would share one are an error naming `flag`. */
export function policyDirs(scenario: ScenarioConfig, flag: string): Map<string, string> {
  const dirs = new Map<string, string>();
  const seen = new Map<string, string>();
  for (const p of scenario.policies) {
    const d = policyDirName(p.name);
    const other = seen.get(d);
    if (other !== undefined) throw inputError(flag, '', `policies ${JSON.stringify(other)} and ${JSON.stringify(p.name)} would both write to the directory ${d}`, 'rename one of the policies');
    seen.set(d, p.name);
    dirs.set(p.name, d);
  }
  return dirs;
}

/** Every file `--inference-perf-report DIR` writes (declared before the simulation). */
export function inferencePerfFiles(dir: string, scenario: ScenarioConfig): string[] {
  const n = stageCount(scenario);
  return [...policyDirs(scenario, '--inference-perf-report').values()].flatMap((d) => [...Array.from({ length: n }, (_, i) => join(dir, d, stageFile(i))), join(dir, d, SUMMARY_FILE)]);
}

const json = (v: unknown): string => JSON.stringify(v, null, 2) + '\n';

/** One policy's files: relative path (under DIR) → content. */
export function inferencePerfPolicyFiles(scenario: ScenarioConfig, run: PolicyRun, dirName: string): Map<string, string> {
  const stages = simStages(scenario, run.records, run);
  const load = loadShape(scenario);
  const out = new Map<string, string>();
  for (const st of stages) {
    out.set(join(dirName, stageFile(st.index)), json(lifecycleMetrics({ records: st.records, itl: st.itl, stage: st.shape, load })));
  }
  out.set(join(dirName, SUMMARY_FILE), json(lifecycleMetrics({ records: run.records, itl: run.itl, stage: null, load })));
  return out;
}
