/**
 * `routesim check --baseline B --current C --rules R`: the CI gate's definition (options, help);
 * its work is cli/checkAction.ts, imported only when it runs.
 */
import type { Command } from 'commander';
import type { CheckFlags } from './checkAction.js';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('gate a results JSON against a baseline: exit 1 when a rule is violated, 0 otherwise, 2 on unusable input')
    .requiredOption('--baseline <file>', 'baseline results JSON (written with routesim run --update-baseline FILE), or a measured inference-perf result directory (summary_/stage_<i>_lifecycle_metrics.json)')
    .requiredOption('--current <file>', 'current results JSON (routesim run --out FILE), or an inference-perf result directory')
    .requiredOption('--rules <file>', 'rules YAML: metric, policy (or all), max_increase / max_decrease (absolute or "5%")')
    .option('--junit <file>', 'write JUnit XML (one test case per rule and policy); - = stdout instead of the table')
    .option('--markdown <file>', 'write the Markdown summary (e.g. to append to $GITHUB_STEP_SUMMARY); - = stdout instead of the table')
    .option('--allow-workload-change', 'compare even when the current run did different work than the baseline (scenario minus policies, seeds, trace contents): a note instead of exit 2')
    .action(async (flags: CheckFlags) => {
      const { runCheck } = await import('./checkAction.js');
      runCheck(flags);
    });
}
