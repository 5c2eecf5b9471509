/**
 * `routesim check` with a measured run on one side: either `--baseline` or `--current` may be an
 * inference-perf result directory (reports/inferencePerf/read.ts) instead of a results JSON, so a
 * simulation can be gated against what inference-perf measured (or two measured runs against each
 * other). The measured run becomes a results document whose policies carry its figures under the
 * other side's policy names — every simulated policy is compared with the one measured run — and,
 * with several seeds on the simulated side, the same seeds with one summary each (the rules then
 * compare the measured value with the simulated mean over the seeds).
 *
 * What cannot be compared is said, not guessed: a measured run has no scenario to fingerprint, so
 * the workload check is skipped with a note; a simulated run whose figures exclude a warm-up
 * (summary.window.warmup_s > 0) is noted too, as inference-perf counts every request; figures a
 * measured run lacks (goodput, cache hit rate, per-replica shares…) are unknown metrics to a rule.
 */
import { statSync } from 'node:fs';
import { inputError } from '../../sim/core/errors.js';
import type { ResultsDocument } from '../results.js';
import { readResultsFile } from '../resultsFile.js';
import { isInferencePerfOutput, readInferencePerfOutput } from '../inferencePerf/read.js';

/** The policy name of a measured run compared with another measured run. */
export const MEASURED = 'measured';

export interface CheckDocuments {
  readonly baseline: ResultsDocument;
  readonly current: ResultsDocument;
  /** True when either side is a measured run (then the workload check does not apply). */
  readonly measured: boolean;
  /** Lines for stderr (without `routesim: `). */
  readonly notes: readonly string[];
}

/** A results JSON; a directory that is not an inference-perf result is refused in one line. */
function readResults(file: string): ResultsDocument {
  if (statSync(file, { throwIfNoEntry: false })?.isDirectory() === true) {
    throw inputError(file, '', 'is a directory without summary_lifecycle_metrics.json', 'pass a results JSON written by `routesim run --out FILE`, or an inference-perf result directory');
  }
  return readResultsFile(file);
}

function measuredDocument(dir: string, names: readonly string[], seeds: readonly number[] | undefined): ResultsDocument {
  const { summary } = readInferencePerfOutput(dir);
  const doc = {
    routesim: { version: 'inference-perf (measured)' },
    scenario: {},
    policies: names.map((name) => ({ name, type: 'measured', summary })),
    ...(seeds !== undefined ? { seeds } : {}),
  };
  return doc as unknown as ResultsDocument;
}

function warmupNote(doc: ResultsDocument, file: string, measuredFile: string): string[] {
  const w = doc.policies[0]?.summary.window;
  return w !== undefined && w.warmup_s > 0
    ? [`note: ${file}: its figures leave out a ${w.warmup_s}-s warm-up, while the measured run ${measuredFile} counts every request (fix: set report.warmup_s: 0 in the scenario for a like-for-like comparison)`]
    : [];
}

/** Reads both sides of the gate; either may be an inference-perf result directory. */
export function readCheckDocuments(baselineFile: string, currentFile: string): CheckDocuments {
  const bMeasured = isInferencePerfOutput(baselineFile);
  const cMeasured = isInferencePerfOutput(currentFile);
  if (!bMeasured && !cMeasured) return { baseline: readResults(baselineFile), current: readResults(currentFile), measured: false, notes: [] };
  const noFingerprint = (file: string): string => `note: ${file}: a measured inference-perf run has no scenario to fingerprint, so the workload was not checked (compare runs of the same load and lengths)`;
  if (bMeasured && cMeasured) {
    return { baseline: measuredDocument(baselineFile, [MEASURED], undefined), current: measuredDocument(currentFile, [MEASURED], undefined), measured: true, notes: [noFingerprint(baselineFile), noFingerprint(currentFile)] };
  }
  if (bMeasured) {
    const current = readResults(currentFile);
    const baseline = measuredDocument(baselineFile, current.policies.map((p) => p.name), current.seeds);
    return { baseline, current, measured: true, notes: [noFingerprint(baselineFile), ...warmupNote(current, currentFile, baselineFile)] };
  }
  const baseline = readResults(baselineFile);
  const current = measuredDocument(currentFile, baseline.policies.map((p) => p.name), baseline.seeds);
  return { baseline, current, measured: true, notes: [noFingerprint(currentFile), ...warmupNote(baseline, baselineFile, currentFile)] };
}
