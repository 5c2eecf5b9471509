/**
 * `routesim validate MEASURED-RUN --scenario S`: replays a measured vLLM run (LLMServingSim
 * vllm_bench format, sim/validation/measuredRun.ts) through a scenario's fleet and first policy
 * — the scenario's workload replaced by the measured arrivals and token counts — and prints per
 * figure the measured value, the simulated one and the signed error (sim/validation/compare.ts;
 * ../shared/reference/calibration.md §4.6). `--out FILE` writes the comparison as JSON; `--chart
 * DIR` the running / waiting / KV-use chart (reports/charts/validation.ts) as .vl.json + .svg.
 * Large errors are a result, not a failure: the command exits 0 whenever it ran.
 *
 * This is the command's work; its definition (arguments, options, help) is cli/validate.ts, which
 * imports this module only when the command runs.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { loadScenarioFile } from '../sim/scenario/load.js';
import { runPolicy } from '../sim/simulation.js';
import { inputError, ScenarioRunError, UserError } from '../sim/core/errors.js';
import { prepareOutputs } from '../reports/outputs/plan.js';
import { writeDirectoryAtomic, writeFileAtomic } from '../reports/atomicWrite.js';
import { measuredLatencies, measuredOutputThroughput, readMeasuredRun, replayRequests, type MeasuredRun } from '../sim/validation/measuredRun.js';
import { compareFigures, figureValues, renderFigureTable, simulatedLatencies, simulatedOutputThroughput, type FigureRow } from '../sim/validation/compare.js';
import { validationChart } from '../reports/charts/validation.js';
import type { ScenarioConfig } from '../sim/scenario/types.js';
import { DEFAULT_REPORT } from '../sim/scenario/schema.js';
import type { PolicyRun } from '../sim/metrics/types.js';

export interface ValidateFlags {
  scenario: string;
  out?: string;
  chart?: string;
}

/** Engine gauges are sampled every second, like the measured log. */
const SAMPLE_MS = 1000;

/** The chart directory may be new, empty, or hold a previous validation chart only. */
function checkChartDir(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw inputError(dir, '', 'exists and is not a directory', 'choose another --chart directory');
  const names = readdirSync(dir);
  if (names.every((n) => n.startsWith('validation-timeseries.'))) return;
  throw inputError(dir, '', 'exists and holds other files, so it will not be replaced', 'choose a new or empty --chart directory');
}

/** The comparison as a JSON document. */
export interface ValidationDocument {
  readonly measured_run: string;
  readonly scenario: string;
  readonly policy: string;
  readonly requests: { readonly measured: number; readonly simulated_completed: number };
  readonly figures: readonly FigureRow[];
}

export async function validate(dir: string, flags: ValidateFlags): Promise<void> {
  // Inputs first (every one read and checked), then outputs staged, then the run.
  const run = readMeasuredRun(dir);
  const loaded = loadScenarioFile(flags.scenario);
  const scenario: ScenarioConfig = { ...loaded, report: { ...(loaded.report ?? DEFAULT_REPORT), sample_ms: SAMPLE_MS } };
  const policy = scenario.policies[0];
  if (!policy) throw inputError(flags.scenario, 'policies', 'no policy to replay through', 'name one, e.g. policies: [round-robin]');
  if (scenario.policies.length > 1) process.stderr.write(`routesim: note: replaying through the first policy only (${policy.name})\n`);
  if (flags.chart !== undefined) checkChartDir(flags.chart);
  const outputs = prepareOutputs(
    [
      { flag: '--out', path: flags.out, stdout: true, example: 'validation.json' },
      { flag: '--chart', path: flags.chart, kind: 'dir', noStdoutWhy: 'a chart is a .vl.json and an .svg; give a directory, e.g. --chart validation', example: 'validation' },
    ],
    { inputs: [flags.scenario, run.files.requests, run.files.timeseries, run.files.meta] },
  );
  try {
    let simRun: PolicyRun;
    try {
      simRun = runPolicy(scenario, policy, {}, replayRequests(run.requests));
    } catch (err) {
      throw err instanceof ScenarioRunError ? new UserError(`${flags.scenario}: ${err.message}`) : err;
    }
    const rows = compareRows(run, simRun);
    const completed = simRun.records.filter((r) => r.outcome === 'completed').length;
    if (completed < run.requests.length) process.stderr.write(`routesim: warning: only ${completed} of ${run.requests.length} replayed requests completed in the simulation\n`);
    const doc: ValidationDocument = { measured_run: dir, scenario: flags.scenario, policy: policy.name, requests: { measured: run.requests.length, simulated_completed: completed }, figures: rows };
    if (flags.out) writeFileAtomic(flags.out, `${JSON.stringify(doc, null, 2)}\n`);
    if (flags.chart) {
      const chart = validationChart(run.timeseries, simRun.samples!, `${dir} through ${scenario.name}`);
      const { renderSvg } = await import('../reports/render.js');
      const rendered = await renderSvg(chart.spec);
      for (const w of rendered.warnings) process.stderr.write(`routesim: warning: chart: ${w}\n`);
      writeDirectoryAtomic(flags.chart, new Map([[`${chart.id}.vl.json`, `${JSON.stringify(chart.spec, null, 2)}\n`], [`${chart.id}.svg`, rendered.svg]]));
    }
    outputs.commit();
    if (outputs.usesStdout) return;
    process.stdout.write(`measured run ${dir} (${run.requests.length} requests) replayed through ${flags.scenario}, policy ${policy.name}:\n` + renderFigureTable(rows));
  } catch (err) {
    outputs.abort();
    throw err;
  }
}

/** The seven figures of the measured run and of its simulated replay, side by side. */
export function compareRows(run: MeasuredRun, simRun: PolicyRun): FigureRow[] {
  const measured = figureValues(measuredLatencies(run.requests), measuredOutputThroughput(run.requests));
  const simulated = figureValues(simulatedLatencies(simRun.records), simulatedOutputThroughput(simRun.records));
  return compareFigures(measured, simulated);
}
