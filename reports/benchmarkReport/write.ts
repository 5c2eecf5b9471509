/**
 * `routesim run --benchmark-report DIR`: llm-d-benchmark Benchmark Reports v0.2.1
 * (../shared/reference/formats.md §4), one per policy and stage, laid out as the harness lays out
 * its stage files so llm-d-prism groups them (by directory, and by the shared `run.eid`):
 *
 *   DIR/<policy>/stage_<i>_benchmark_report.json
 *
 * JSON (a YAML subset, which the harness also accepts) keeps every value's type unambiguous to
 * YAML 1.1 readers. Each report is validated against the schema before any is written; with
 * several seeds, sweep rates or grid points the reports describe the primary run (first seed,
 * the scenario's own rate), as `--requests-csv` does.
 */
import { join } from 'node:path';
import type { PolicyRun } from '../../sim/metrics/types.js';
import type { PolicySpec, ScenarioConfig } from '../../sim/scenario/types.js';
import { simStages } from '../inferencePerf/stages.js';
import { reportFile } from './layout.js';
import { benchmarkReport } from './build.js';
import { reportProblems } from './validate.js';


export interface PolicyReportInput {
  readonly scenario: ScenarioConfig;
  readonly policy: PolicySpec;
  readonly run: PolicyRun;
  readonly version: string;
  readonly workHash: string;
  readonly dirName: string;
}

/** One policy's reports: relative path (under DIR) → content; throws when one fails the schema. */
export function benchmarkReportPolicyFiles(input: PolicyReportInput): Map<string, string> {
  const stages = simStages(input.scenario, input.run.records, input.run);
  const out = new Map<string, string>();
  for (const st of stages) {
    const report = benchmarkReport({ ...input, stageCount: stages.length }, st);
    const problems = reportProblems(report);
    if (problems.length > 0) throw new Error(`Benchmark Report of policy ${input.policy.name}, stage ${st.index} fails the v0.2.1 schema (a routesim bug): ${problems.slice(0, 3).join('; ')}`);
    out.set(join(input.dirName, reportFile(st.index)), JSON.stringify(report, null, 2) + '\n');
  }
  return out;
}
