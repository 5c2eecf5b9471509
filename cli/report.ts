/**
 * `routesim report results.json --out DIR`: the command's definition (arguments, options, help);
 * its work — charts (Vega-Lite + SVG), index.html and summary.md — is cli/reportAction.ts,
 * imported only when it runs.
 */
import type { Command } from 'commander';
import type { ReportFlags } from './reportAction.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write charts (Vega-Lite specs and SVG), a self-contained index.html and summary.md from a results JSON')
    .argument('<results>', 'results JSON written by routesim run --out')
    .requiredOption('-o, --out <dir>', 'report directory (created, or replaced if it holds a previous report)')
    .option('--link-base <url>', "http(s) URL where the report directory will be published: summary.md's links become absolute (for a pull-request comment)")
    .action(async (results: string, flags: ReportFlags) => {
      const { report } = await import('./reportAction.js');
      return report(results, flags);
    });
}
