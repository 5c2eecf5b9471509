/**
 * `routesim pick [case]`: the command's definition (arguments, options, help); its work — run a
 * pick case, or replay a --decisions line — is cli/pickAction.ts, imported only when it runs.
 */
import type { Command } from 'commander';
import type { PickFlags } from './pickAction.js';

export function registerPick(program: Command): void {
  program
    .command('pick')
    .description('run a pick case (config, endpoints with metrics, requests) and print, per request, the outcome, filter survivors, scores, totals and picks as JSON; exit 1 when an expect block fails')
    .argument('[case]', 'pick case file (YAML or JSON)')
    .option('--from-decision <file:line>', 'replay line LINE (1-based) of a routesim run --decisions file as a pick case expecting the logged pick')
    .option('--scenario <file>', 'with --from-decision: the scenario that was run (its policy named in the line gives the EPP config)')
    .option('--config <file>', 'with --from-decision: the EndpointPickerConfig to replay under (default: the scenario\'s, else the built-in default)')
    .action(async (file: string | undefined, flags: PickFlags) => {
      const { pick } = await import('./pickAction.js');
      return pick(file, flags);
    });
}
