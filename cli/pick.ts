/**
 * `routesim pick CASE`: run a pick case through the EPP request lifecycle and explain every
 * decision (JSON on stdout). Exit 0 when every `expect` block holds; 1 when any fails (each
 * mismatch one stderr line `routesim: CASE: requests[i].expect.…: expected …, got …`, the JSON still
 * printed); 2 on a malformed case or config.
 */
import type { Command } from 'commander';
import { ConfigError } from '../policies/config/errors.js';
import { PickCaseError, runPickCaseFile } from '../policies/harness/pickCase.js';
import { inputError, UserError } from '../sim/core/errors.js';
import { VERSION } from './version.js';

export function registerPick(program: Command): void {
  program
    .command('pick')
    .description('run a pick case (config, endpoints with metrics, requests) and print, per request, the outcome, filter survivors, scores, totals and picks as JSON; exit 1 when an expect block fails')
    .argument('<case>', 'pick case file (YAML or JSON)')
    .action((file: string) => pick(file));
}

function pick(file: string): void {
  if (file.trim() === '') throw new UserError('the pick case path is empty (fix: give a pick case file, e.g. routesim pick case.yaml)');
  let out;
  try {
    out = runPickCaseFile(file);
  } catch (err) {
    if (err instanceof PickCaseError) throw inputError(err.file, err.path, err.problem, err.fix);
    if (err instanceof ConfigError) throw inputError(file, err.path, err.problem, err.fix);
    throw err;
  }
  process.stdout.write(`${JSON.stringify({ routesim: { version: VERSION }, case: file, results: out.results }, null, 2)}\n`);
  for (const m of out.mismatches) process.stderr.write(`routesim: ${file}: ${m}\n`);
  process.exitCode = out.mismatches.length > 0 ? 1 : 0;
}
