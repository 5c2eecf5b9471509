/**
 * The calibration file `routesim calibrate` writes and a scenario references with
 * `step_time: {calibration: FILE}` (../shared/reference/calibration.md §4.2–4.3): YAML,
 *
 *   kind: routesim-calibration
 *   version: 1
 *   step_time_model: physics | linear
 *   fitted_for: {gpu: RTXPRO6000, model: Llama-3.1-8B, tp: 1}
 *   source: {...}            # what was fitted on (profile tables or a measured run), free-form
 *   coefficients: {beta1a: …, …}   # every term of the model, ≥ 0
 *   held: [{term, value, why}]     # terms the data could not identify, kept at the prior (§4.4)
 *   residuals: {...}               # the fit's residual summary, free-form
 *
 * Reading is strict: every problem is one line naming the file and the field, with the fix.
 * Matching the scenario: a linear fit is absolute µs for one GPU, model and TP, so any mismatch
 * is an error; a physics fit's basis carries the datasheet peaks, so applying it to another GPU
 * is the intended transfer (a warning says so), while another model or TP is an error (β3·T_weight,
 * β5·L and β7 are not separable within one model, and β4 is unexcited at TP1: §4.4).
 */
import { stringify } from 'yaml';
import { inputError } from '../core/errors.js';
import { readUserYaml } from '../core/userFiles.js';
import { LINEAR_FITTED_TERMS } from './basisModel.js';
import { PHYSICS_TERMS } from '../engine/stepTime/physics.js';
import type { FitModel } from './basisModel.js';
import type { CalibrationRef } from '../scenario/types.js';

export const CALIBRATION_KIND = 'routesim-calibration';

export interface FittedFor {
  readonly gpu: string;
  readonly model: string;
  readonly tp: number;
}

export interface CalibrationDoc {
  readonly kind: typeof CALIBRATION_KIND;
  readonly version: 1;
  readonly step_time_model: FitModel;
  readonly fitted_for: FittedFor;
  readonly source: Readonly<Record<string, unknown>>;
  readonly coefficients: Readonly<Record<string, number>>;
  readonly held?: readonly { readonly term: string; readonly value: number; readonly why: string }[];
  readonly residuals?: unknown;
}


export function termsOf(kind: FitModel): readonly string[] {
  return kind === 'physics' ? PHYSICS_TERMS : LINEAR_FITTED_TERMS;
}

/** The document as YAML (coefficients at full precision). */
export function renderCalibration(doc: CalibrationDoc): string {
  return stringify(doc, { lineWidth: 0 });
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks a calibration document read from `file`. */
export function checkCalibration(v: unknown, file: string): CalibrationDoc {
  const fix = 'write it with `routesim calibrate … --out FILE`';
  if (!isObj(v)) throw inputError(file, '', 'not a calibration file (expected a YAML mapping)', fix);
  if (v.kind !== CALIBRATION_KIND) throw inputError(file, 'kind', `expected ${CALIBRATION_KIND}, got ${JSON.stringify(v.kind ?? null)}`, `point step_time.calibration at a file ${fix}`);
  if (v.version !== 1) throw inputError(file, 'version', `expected 1, got ${JSON.stringify(v.version ?? null)}`, 'this routesim reads calibration files of version 1; refit with `routesim calibrate`');
  const kind = v.step_time_model;
  if (kind !== 'physics' && kind !== 'linear') throw inputError(file, 'step_time_model', `expected physics or linear, got ${JSON.stringify(kind ?? null)}`, 'write step_time_model: physics or linear');
  const ff = v.fitted_for;
  if (!isObj(ff)) throw inputError(file, 'fitted_for', 'missing or not a mapping', 'write fitted_for: {gpu: <GPU>, model: <model>, tp: <N>}');
  for (const k of ['gpu', 'model'] as const) if (typeof ff[k] !== 'string' || ff[k] === '') throw inputError(file, `fitted_for.${k}`, `expected a name, got ${JSON.stringify(ff[k] ?? null)}`, `write the ${k} the coefficients were fitted for`);
  if (typeof ff.tp !== 'number' || !Number.isInteger(ff.tp) || ff.tp < 1) throw inputError(file, 'fitted_for.tp', `expected a positive integer, got ${JSON.stringify(ff.tp ?? null)}`, 'write the TP degree the coefficients were fitted for, e.g. tp: 1');
  const c = v.coefficients;
  if (!isObj(c)) throw inputError(file, 'coefficients', 'missing or not a mapping', `write every ${kind} coefficient: ${termsOf(kind).join(', ')}`);
  const terms = termsOf(kind);
  for (const k of Object.keys(c)) if (!terms.includes(k)) throw inputError(file, `coefficients.${k}`, `not a ${kind} coefficient`, `use ${terms.join(', ')}`);
  const coefficients: Record<string, number> = {};
  for (const t of terms) {
    const x = c[t];
    if (x === undefined) throw inputError(file, `coefficients.${t}`, 'missing', `a ${kind} calibration lists every coefficient; refit with \`routesim calibrate\``);
    if (typeof x !== 'number' || !Number.isFinite(x)) throw inputError(file, `coefficients.${t}`, `expected a number, got ${JSON.stringify(x)}`, 'coefficients are finite numbers ≥ 0');
    if (x < 0) throw inputError(file, `coefficients.${t}`, `negative (${x}): a step-time term cannot save time`, 'coefficients are ≥ 0; refit with `routesim calibrate`');
    coefficients[t] = x;
  }
  return {
    kind: CALIBRATION_KIND,
    version: 1,
    step_time_model: kind,
    fitted_for: { gpu: ff.gpu as string, model: ff.model as string, tp: ff.tp },
    source: isObj(v.source) ? v.source : {},
    coefficients,
    ...(Array.isArray(v.held) ? { held: v.held as CalibrationDoc['held'] } : {}),
    ...(v.residuals !== undefined ? { residuals: v.residuals } : {}),
  };
}

/** Reads a calibration file (one-line errors). */
export function readCalibration(file: string): CalibrationDoc {
  return checkCalibration(readUserYaml(file, 'give the path of a file written by `routesim calibrate --out FILE` (relative to the scenario file)'), file);
}

/**
 * The fleet check of the file comment. `where` names the scenario field (e.g. `fleet`). Returns
 * a warning line for a physics fit applied to another GPU, '' when everything matches; throws
 * for the mismatches that are errors.
 */
export function checkCalibratedFor(ref: CalibrationRef, scenarioFile: string, where: string, target: FittedFor): string {
  const refit = `refit for it: routesim calibrate --scenario ${scenarioFile} … --out FILE`;
  if (ref.model !== target.model) {
    throw inputError(ref.file, 'fitted_for.model', `fitted for ${ref.model} but ${scenarioFile}: ${where} serves ${target.model}`, `${refit}, or point step_time.calibration at a ${target.model} calibration`);
  }
  if (ref.tp !== target.tp) {
    throw inputError(ref.file, 'fitted_for.tp', `fitted at TP${ref.tp} but ${scenarioFile}: ${where} runs TP${target.tp}`, `${refit} (β4, the all-reduce term, is not identifiable at TP1)`);
  }
  if (ref.gpu !== target.gpu) {
    if (ref.step_time_model === 'linear') {
      throw inputError(ref.file, 'fitted_for.gpu', `linear coefficients fitted on ${ref.gpu} but ${scenarioFile}: ${where} runs ${target.gpu} (linear µs do not transfer across GPUs)`, `${refit}, or fit physics coefficients, which scale with the datasheet`);
    }
    return `${ref.file}: fitted_for.gpu: physics coefficients fitted on ${ref.gpu} applied to ${target.gpu} of ${scenarioFile}: ${where} through its datasheet peaks (fix: refit on ${target.gpu} tables or runs if you have them)`;
  }
  return '';
}
