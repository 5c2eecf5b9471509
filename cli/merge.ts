/**
 * `routesim merge PART… --out results.json`: the command's definition (arguments, options, help);
 * its work — check the shard parts and replay their command on them — is cli/mergeAction.ts,
 * imported only when it runs.
 */
import type { Command } from 'commander';
import type { MergeFlags } from './mergeAction.js';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('combine the partial results of routesim run … --shard i/N --out PART into the results document, byte-identical to an unsharded run')
    .argument('<parts...>', 'the parts, one per shard, in any order (e.g. part-*.json)')
    .option('-o, --out <file>', 'write the results JSON document (- = stdout instead of the table)')
    .option('--json', 'print the results JSON document on stdout instead of the table')
    .action(async (files: string[], flags: MergeFlags) => {
      const { merge } = await import('./mergeAction.js');
      return merge(files, flags, program);
    });
}
