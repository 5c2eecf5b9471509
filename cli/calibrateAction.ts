/**
 * `routesim calibrate --scenario S (--from-profile [--profile DIR --prefix P] | --from-run PATH)`:
 * fits physics or linear step-time coefficients (../shared/reference/calibration.md §4.2 from
 * profile tables, §4.3 from a measured run by replay in the loop; sim/calibration/) for the
 * scenario's fleet (GPU, model, TP, engine limits), prints the residuals and the coefficients,
 * and writes the calibration file (sim/calibration/calibrationFile.ts) a scenario references with
 * `step_time: {calibration: FILE}`. Without --out the file goes to stdout (one YAML document) and
 * the report to stderr.
 *
 * This is the command's work; its definition (arguments, options, help) is cli/calibrate.ts, which
 * imports this module only when the command runs.
 */
import { isAbsolute, resolve } from 'node:path';
import { loadScenarioFile } from '../sim/scenario/load.js';
import { inputError, ScenarioRunError, UserError } from '../sim/core/errors.js';
import { prepareOutputs } from '../reports/outputs/plan.js';
import { writeFileAtomic } from '../reports/atomicWrite.js';
import { getGpu, getModel } from '../sim/hardware/catalog.js';
import { numGpuBlocks } from '../sim/engine/capacity.js';
import { loadLlmServingSim } from '../sim/engine/stepTime/profile/llmservingsim.js';
import type { AllReduceCost, ProfileSource, ScenarioConfig } from '../sim/scenario/types.js';
import { fitFromProfile } from '../sim/calibration/fromProfile.js';
import { autoTargets, fitFromRun, type RunTargets } from '../sim/calibration/fromRun.js';
import { batchDesign, workloadDesign } from '../sim/calibration/design.js';
import { runPolicy } from '../sim/simulation.js';
import type { BatchShape } from '../sim/engine/stepTime/batchShape.js';
import { DEFAULT_RIDGE, type HeldTerm } from '../sim/calibration/fit.js';
import { priorOf, type FitModel } from '../sim/calibration/basisModel.js';
import { CALIBRATION_KIND, renderCalibration, type CalibrationDoc } from '../sim/calibration/calibrationFile.js';
import { renderResiduals, type ResidualSummary } from '../sim/calibration/residuals.js';
import { readRunSource } from '../sim/calibration/runSources/index.js';

export interface CalibrateFlags {
  scenario: string;
  fromProfile?: boolean;
  profile?: string;
  prefix?: string;
  fromRun?: string;
  model: string;
  out?: string;
  rounds: string;
  ridge: string;
  design: string;
  targets: string;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1000 || v === 0 ? v.toFixed(2) : v.toPrecision(6);
}

function renderCoefficients(kind: FitModel, c: Readonly<Record<string, number>>, held: readonly HeldTerm[]): string {
  const prior = priorOf(kind);
  const why = new Map(held.map((h) => [h.term, h.why] as const));
  const w = Math.max(...Object.keys(c).map((k) => k.length));
  return `${kind} coefficients (prior: ${kind === 'physics' ? 'PHYSICS_DEFAULTS' : 'LINEAR_DEFAULTS'}):\n` +
    Object.entries(c).map(([k, v]) => `  ${k.padEnd(w)}  ${fmt(v).padStart(12)}   prior ${fmt(prior[k]!).padStart(10)}${why.has(k) ? `   held: ${why.get(k)}` : ''}\n`).join('');
}

function profileSource(flags: CalibrateFlags, scenario: ScenarioConfig): { src: ProfileSource; ar: AllReduceCost | null } {
  if (flags.profile !== undefined || flags.prefix !== undefined) {
    if (flags.profile === undefined || flags.prefix === undefined) throw new UserError(`--profile and --prefix go together (fix: e.g. --profile ../shared/data/calibration/llmservingsim_rtxpro6000 --prefix rtxpro6000_Llama-3.1-8B_tp1)`);
    const src: ProfileSource = { format: 'llmservingsim', dir: flags.profile, prefix: flags.prefix };
    loadLlmServingSim(src.dir, src.prefix);
    return { src, ar: scenario.step_time.model === 'profile' ? scenario.step_time.all_reduce : null };
  }
  if (scenario.step_time.model !== 'profile') throw inputError(flags.scenario, 'step_time', `is ${scenario.step_time.model}, not a profile`, 'give the tables with --profile DIR --prefix P, or use a scenario with step_time: {model: profile, …}');
  return { src: scenario.step_time.profile, ar: scenario.step_time.all_reduce };
}

export async function calibrate(flags: CalibrateFlags): Promise<void> {
  const kind = flags.model;
  if (kind !== 'physics' && kind !== 'linear') throw new UserError(`--model: expected physics or linear, got ${JSON.stringify(kind)} (fix: --model physics)`);
  if (!flags.fromProfile === (flags.fromRun === undefined)) throw new UserError('calibrate needs exactly one source (fix: --from-profile, or --from-run PATH)');
  const rounds = Number(flags.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new UserError(`--rounds: expected an integer 1…50, got ${flags.rounds} (fix: --rounds 4)`);
  if (!['grid', 'workload', 'both'].includes(flags.design)) throw new UserError(`--design: expected grid, workload or both, got ${JSON.stringify(flags.design)} (fix: --design grid)`);
  if (!['auto', 'both', 'decode'].includes(flags.targets)) throw new UserError(`--targets: expected auto, both or decode, got ${JSON.stringify(flags.targets)} (fix: --targets auto)`);
  const ridge = Number(flags.ridge);
  if (!Number.isFinite(ridge) || ridge < 0) throw new UserError(`--ridge: expected a number ≥ 0, got ${flags.ridge} (fix: --ridge ${DEFAULT_RIDGE})`);
  const scenario = loadScenarioFile(flags.scenario);
  if (scenario.pools !== undefined) throw inputError(flags.scenario, 'pools', 'calibrate fits one fleet', 'use a scenario with a single fleet: {gpu, model, tp}');
  const { gpu: gpuName, model: modelName, tp, engine } = scenario.fleet;
  const gpu = getGpu(gpuName);
  const model = getModel(modelName);
  const fittedFor = { gpu: gpuName, model: modelName, tp };
  let report = '';
  let doc: CalibrationDoc;
  let inputs: string[] = [flags.scenario];
  const data = flags.fromRun !== undefined ? readRunSource(flags.fromRun) : null;
  if (data) inputs = [...inputs, ...data.files];
  const outputs = prepareOutputs([{ flag: '--out', path: flags.out ?? '-', stdout: true, example: 'calibration.yaml' }], { inputs });
  try {
    if (data === null) {
      const { src, ar } = profileSource(flags, scenario);
      const kvTokens = numGpuBlocks(model, gpu, tp, engine) * engine.block_size;
      const limits = { maxNumSeqs: engine.max_num_seqs, maxBatchedTokens: engine.max_num_batched_tokens, maxModelLen: engine.max_model_len ?? model.max_model_len, kvTokens };
      const design = [
        ...(flags.design !== 'workload' ? batchDesign(limits) : []),
        ...(flags.design !== 'grid' ? workloadDesign(observeShapes(scenario, src, ar, flags.scenario)) : []),
      ];
      const fit = fitFromProfile(kind, src, ar, model, gpu, tp, design, { ridge });
      const where = src.format === 'vidur' ? `Vidur ${src.mlp}` : `${src.prefix} (${isAbsolute(src.dir) ? src.dir : resolve(src.dir)})`;
      report += `fitted ${kind} on ${fit.batches} ${flags.design} batches composed from the ${where} tables, weights 1/y², ridge ${ridge} toward the prior\n`;
      report += renderResiduals('relative error of the fitted step time vs the tables, by regime:', [['decode-only', fit.residuals['decode-only']], ['prefill-only', fit.residuals['prefill-only']], ['mixed', fit.residuals.mixed], ['all', fit.residuals.all]]);
      report += renderCoefficients(kind, fit.coefficients, fit.held);
      doc = calibrationDoc(kind, fittedFor, { kind: 'profile', ...src, design: flags.design, batches: fit.batches, weights: '1/y^2', ridge }, fit, {
        step_time_rel_error_by_regime: fit.residuals,
      });
    } else {
      const policy = scenario.policies[0];
      if (!policy) throw inputError(flags.scenario, 'policies', 'no policy to replay through', 'name one, e.g. policies: [round-robin]');
      const start = scenario.step_time.model === kind ? { ...scenario.step_time.coefficients } : priorOf(kind);
      const auto = autoTargets(data);
      const targets = flags.targets === 'auto' ? auto.targets : (flags.targets as RunTargets);
      let fit;
      try {
        fit = fitFromRun(kind, scenario, policy, data, gpu, model, start as Record<string, number>, rounds, { ridge }, targets);
      } catch (err) {
        throw err instanceof ScenarioRunError ? new UserError(`${flags.scenario}: ${err.message}`) : err;
      }
      report += `fitted ${kind} on the measured run ${data.path} (${data.format}) by replay in the loop through ${flags.scenario}, policy ${policy.name}, ${rounds} rounds, rows: ${targets === 'both' ? 'prefill and decode' : 'decode only'}${flags.targets === 'auto' ? ` (auto: ${auto.why})` : ''}, weights 1/y², ridge ${ridge} toward the prior\n`;
      for (const n of data.notes) report += `  note: ${n}\n`;
      for (const r of fit.rounds) report += `  round ${r.round}: ${r.rows} rows, median |row error| ${r.rowP50Pct.toFixed(2)} %\n`;
      const title = data.perRequest ? 'replay with the fitted coefficients vs measured, relative error per request:' : 'replay with the fitted coefficients vs measured aggregates:';
      report += renderResiduals(title, Object.entries(fit.residuals) as [string, ResidualSummary][]);
      report += renderCoefficients(kind, fit.coefficients, fit.held);
      doc = calibrationDoc(kind, fittedFor, { kind: 'run', format: data.format, path: data.path, scenario: flags.scenario, policy: policy.name, rounds, targets, weights: '1/y^2', ridge, kv_blocks: data.numGpuBlocks, notes: [...data.notes] }, fit, { replay_rel_error: fit.residuals, rounds: fit.rounds.map((r) => ({ round: r.round, rows: r.rows, row_p50_pct: r.rowP50Pct })) });
    }
    writeFileAtomic(flags.out ?? '-', renderCalibration(doc));
    outputs.commit();
  } catch (err) {
    outputs.abort();
    throw err;
  }
  if (outputs.usesStdout) process.stderr.write(report);
  else process.stdout.write(`${report}wrote ${flags.out}\n`);
}


/** Every step shape of a simulation of the scenario's workload with the profile step time (the workload design). */
function observeShapes(scenario: ScenarioConfig, src: ProfileSource, ar: AllReduceCost | null, file: string): BatchShape[] {
  const policy = scenario.policies[0];
  if (!policy) throw inputError(file, 'policies', 'no policy to simulate the workload through', 'name one, e.g. policies: [round-robin]');
  const sc: ScenarioConfig = { ...scenario, step_time: { model: 'profile', profile: src, all_reduce: ar, overheads: scenario.step_time.overheads } };
  const shapes: BatchShape[] = [];
  try {
    runPolicy(sc, policy, { onStepBegin: (r) => shapes.push({ ...r.stepShape }) });
  } catch (err) {
    throw err instanceof ScenarioRunError ? new UserError(`${file}: ${err.message}`) : err;
  }
  return shapes;
}

/** The calibration file's document: what was fitted, from what, the coefficients and what was held. */
function calibrationDoc(
  kind: CalibrationDoc['step_time_model'],
  fittedFor: CalibrationDoc['fitted_for'],
  source: CalibrationDoc['source'],
  fit: { coefficients: CalibrationDoc['coefficients']; held: CalibrationDoc['held'] },
  residuals: CalibrationDoc['residuals'],
): CalibrationDoc {
  return { kind: CALIBRATION_KIND, version: 1, step_time_model: kind, fitted_for: fittedFor, source, coefficients: fit.coefficients, held: fit.held, residuals };
}
