/**
 * `routesim plugins`: the command's definition (options, help); the catalog it prints is
 * cli/plugins.ts (which registers every plugin), imported only when the command runs.
 */
import type { Command } from 'commander';

export function registerPlugins(program: Command): void {
  program
    .command('plugins')
    .description('list every EPP plugin type and every router policy routesim implements: kinds, source version, description, parameters with types and defaults')
    .option('--json', 'print a JSON document instead of the table')
    .option('--markdown', 'print the Markdown tables the README carries')
    .option('--plugin-module <file>', 'also load this user plugin module (.js/.mjs) and list its types; repeatable', (v: string, prev: string[] = []) => [...prev, v])
    .action(async (flags: { json?: boolean; markdown?: boolean }) => {
      const { pluginsOutput } = await import('./plugins.js');
      process.stdout.write(pluginsOutput(flags));
    });
}
