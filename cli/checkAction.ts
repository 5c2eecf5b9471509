/**
 * `routesim check --baseline B --current C --rules R`: the CI gate. Prints a table of every rule
 * and policy (baseline, current, change, verdict), optionally writes JUnit XML and a Markdown
 * summary, and exits 1 on any violation, 0 otherwise (2 on unusable input, via main.ts). It first
 * refuses (exit 2) a current run of different work than the baseline (reports/check/workload.ts)
 * unless --allow-workload-change is given.
 *
 * This is the command's work; its definition (arguments, options, help) is cli/check.ts, which
 * imports this module only when the command runs.
 */
import { writeFileAtomic } from '../reports/atomicWrite.js';
import { prepareOutputs } from '../reports/outputs/plan.js';
import { evaluateRules } from '../reports/check/compare.js';
import { renderCheckMarkdown, renderCheckTable, renderJunit } from '../reports/check/output.js';
import { loadRulesFile } from '../reports/check/rules.js';
import { checkWorkload } from '../reports/check/workload.js';
import { readCheckDocuments } from '../reports/check/measured.js';

export interface CheckFlags {
  baseline: string;
  current: string;
  rules: string;
  junit?: string;
  markdown?: string;
  allowWorkloadChange?: boolean;
}

/** Checks the current run against the baseline under the rules; all outputs or none. */
export function runCheck(flags: CheckFlags): void {
  const outputs = prepareOutputs(
    [
      { flag: '--junit', path: flags.junit, stdout: true, example: 'check.xml' },
      { flag: '--markdown', path: flags.markdown, stdout: true, example: 'check.md' },
    ],
    { inputs: [flags.baseline, flags.current, flags.rules] },
  );
  try {
    check(flags, outputs);
  } catch (err) {
    outputs.abort();
    throw err;
  }
}

function check(flags: CheckFlags, outputs: ReturnType<typeof prepareOutputs>): void {
  const rules = loadRulesFile(flags.rules);
  // Either side may be a measured inference-perf result directory (reports/check/measured.ts).
  const docs = readCheckDocuments(flags.baseline, flags.current);
  const { baseline, current } = docs;
  const notes = docs.measured ? [...docs.notes] : checkWorkload({ baseline, baselineFile: flags.baseline, current, currentFile: flags.current, allowChange: flags.allowWorkloadChange === true });
  const verdicts = evaluateRules({ rules, rulesFile: flags.rules, baseline, baselineFile: flags.baseline, current, currentFile: flags.current });
  if (flags.junit) writeFileAtomic(flags.junit, renderJunit(verdicts));
  if (flags.markdown) writeFileAtomic(flags.markdown, renderCheckMarkdown(verdicts, flags.baseline, flags.current, notes));
  outputs.commit();
  for (const n of notes) process.stderr.write(`routesim: ${n}\n`);
  if (!outputs.usesStdout) process.stdout.write(renderCheckTable(verdicts));
  process.exitCode = verdicts.some((v) => v.status === 'fail') ? 1 : 0;
}
