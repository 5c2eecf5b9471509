/**
 * Where `--benchmark-report DIR` puts its reports (write.ts): DIR/<policy>/stage_<i>_benchmark_report.json,
 * one per policy and stage; named before the simulation so the output plan can stage them.
 */
import { join } from 'node:path';
import type { ScenarioConfig } from '../../sim/scenario/types.js';
import { stageCount } from '../inferencePerf/stages.js';
import { policyDirs } from '../inferencePerf/write.js';

export const reportFile = (i: number): string => `stage_${i}_benchmark_report.json`;

/** Every file `--benchmark-report DIR` writes. */
export function benchmarkReportFiles(dir: string, scenario: ScenarioConfig): string[] {
  const n = stageCount(scenario);
  return [...policyDirs(scenario, '--benchmark-report').values()].flatMap((d) => Array.from({ length: n }, (_, i) => join(dir, d, reportFile(i))));
}
