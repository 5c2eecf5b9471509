/** `routesim pick CASE`: run a pick case through the EPP request lifecycle and explain every decision. */
import type { Command } from 'commander';
import { ConfigError } from '../policies/config/errors.js';
import { PickCaseError, runPickCaseFile } from '../policies/harness/pickCase.js';
import { inputError } from '../sim/core/errors.js';
import { VERSION } from './version.js';

export function registerPick(program: Command): void {
  program
    .command('pick')
    .description('run a pick case (config, endpoints with metrics, requests) and print, per request, the outcome, filter survivors, scores, totals and picks as JSON')
    .argument('<case>', 'pick case file (YAML or JSON)')
    .action((file: string) => pick(file));
}

function pick(file: string): void {
  let out;
  try {
    out = runPickCaseFile(file);
  } catch (err) {
    if (err instanceof PickCaseError) throw inputError(err.file, err.path, err.problem, err.fix);
    if (err instanceof ConfigError) throw inputError(file, err.path, err.problem, err.fix);
    throw err;
  }
  process.stdout.write(`${JSON.stringify({ routesim: { version: VERSION }, case: file, results: out.results }, null, 2)}\n`);
}
