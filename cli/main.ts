/**
 * routesim's command line: a thin layer that parses flags and calls the library. Each subcommand
 * lives in its own module. A user mistake prints one line and exits 2; nothing prints a stack trace
 * unless ROUTESIM_DEBUG is set.
 */
import { Command, CommanderError } from 'commander';
import { UserError } from '../sim/core/errors.js';
import { registerRun } from './run.js';
import { registerReport } from './report.js';
import { registerCheck } from './check.js';
import { registerPick } from './pick.js';
import { registerPlugins } from './plugins.js';
import { registerTrace } from './trace.js';
import { VERSION } from './version.js';

const program = new Command()
  .name('routesim')
  .description('Discrete-event simulator and benchmark lab for LLM inference routing policies')
  .version(VERSION)
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

registerRun(program);
registerReport(program);
registerCheck(program);
registerPick(program);
registerPlugins(program);
registerTrace(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err);
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // commander already printed its message (or help/version, which exit 0).
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof UserError) {
    process.stderr.write(`routesim: ${err.message}\n`);
    return 2;
  }
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`routesim: internal error: ${msg.split('\n')[0]} (set ROUTESIM_DEBUG=1 for details)\n`);
  if (process.env.ROUTESIM_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return 1;
}
