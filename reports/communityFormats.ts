/**
 * `routesim run`'s community-format outputs (issue 17): `--benchmark-report DIR` (llm-d-benchmark
 * Benchmark Reports, reports/benchmarkReport/) and `--inference-perf-report DIR` (inference-perf
 * lifecycle metrics, reports/inferencePerf/): their flags and the files they write, declared
 * before the simulation so the output plan checks and stages them. The writer is
 * communityOutputs.ts, loaded only when one of the flags is given (it brings the JSON-schema
 * validator).
 */
import type { ScenarioConfig } from '../sim/scenario/types.js';
import { benchmarkReportFiles } from './benchmarkReport/layout.js';
import { inferencePerfFiles } from './inferencePerf/write.js';
import type { OutputRequest } from './outputs/plan.js';

export interface CommunityFlags {
  readonly benchmarkReport?: string;
  readonly inferencePerfReport?: string;
}

const NO_STDOUT = 'these are a directory of files, one set per policy; give a directory name';

/** The output requests of the two flags (only those given), for prepareOutputs. */
export function communityOutputRequests(flags: CommunityFlags, scenario: ScenarioConfig): OutputRequest[] {
  const out: OutputRequest[] = [];
  if (flags.benchmarkReport !== undefined) {
    out.push({ flag: '--benchmark-report', path: flags.benchmarkReport, files: flags.benchmarkReport === '-' ? [] : benchmarkReportFiles(flags.benchmarkReport, scenario), noStdoutWhy: `${NO_STDOUT}, e.g. --benchmark-report reports`, example: 'reports' });
  }
  if (flags.inferencePerfReport !== undefined) {
    out.push({ flag: '--inference-perf-report', path: flags.inferencePerfReport, files: flags.inferencePerfReport === '-' ? [] : inferencePerfFiles(flags.inferencePerfReport, scenario), noStdoutWhy: `${NO_STDOUT}, e.g. --inference-perf-report inference-perf`, example: 'inference-perf' });
  }
  return out;
}
