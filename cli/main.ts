/**
 * routesim's command line: a thin layer that parses flags and calls the library. Each subcommand
 * lives in its own module. A user mistake prints one line and exits 2 — commander's own errors
 * (unknown option, missing argument, …) included, reshaped by commanderMessage; nothing prints a
 * stack trace unless ROUTESIM_DEBUG is set. A closed stdout (`routesim run --json | head -1`) ends
 * the command quietly. Start-up stays cheap: the command modules imported here are definitions
 * only (name, arguments, options, help); each imports its work (cli/*Action.ts: simulation,
 * reports, vega, calibration, trace conversion …) when it runs, and the plugin-module and
 * shard modules load only when needed (test/startup.test.ts checks --version loads no vega).
 */
import { Command, CommanderError } from 'commander';
import { UserError } from '../sim/core/errors.js';
import { abortActivePlan } from '../reports/outputs/plan.js';
import { commanderMessage } from './messages.js';
import { registerRun } from './run.js';
import { registerReport } from './report.js';
import { registerCheck } from './check.js';
import { registerPick } from './pick.js';
import { registerPlugins } from './pluginsCommand.js';
import { registerTrace } from './trace.js';
import { registerValidate } from './validate.js';
import { registerCalibrate } from './calibrate.js';
import { registerCapacity } from './capacity.js';
import { registerMerge } from './merge.js';
import { registerServe } from './serve.js';
import { VERSION } from './version.js';
import { preloadForCommand } from './pluginPreload.js';
import type { ShardDone } from '../lab/shards/context.js';

/** The reader of stdout went away (EPIPE): what was asked for is no longer wanted; end quietly. */
function isClosedPipe(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'EPIPE';
}

process.stdout.on('error', (err) => {
  if (isClosedPipe(err)) {
    abortActivePlan();
    process.exit(0);
  }
  throw err;
});

const program = new Command()
  .name('routesim')
  .description('Discrete-event simulator and benchmark lab for LLM inference routing policies')
  .version(VERSION)
  .exitOverride()
  // commander's multi-line `error: …` is replaced by one `routesim: …` line in reportError.
  .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: () => {} });

// User plugin modules (plugin_modules of the scenario / pick case, or --plugin-module) load before any command resolves its input.
program.hook('preAction', (_program, action) => preloadForCommand(action.args, action.opts()));

registerRun(program);
registerReport(program);
registerCheck(program);
registerPick(program);
registerPlugins(program);
registerTrace(program);
registerValidate(program);
registerCalibrate(program);
registerCapacity(program);
registerMerge(program);
registerServe(program);

/** Every command, so an error can name the one it came from. */
function allCommands(c: Command): Command[] {
  return [c, ...c.commands.flatMap(allCommands)];
}
let failedIn: Command = program;
for (const c of allCommands(program)) {
  c.exitOverride((err) => {
    failedIn = c;
    throw err;
  });
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = (await isShardDone(err)) ? await finishShard(err as ShardDone) : reportError(err);
}

/** The error is the end of a `--shard i/N` run (its module is loaded only by commands that shard). */
async function isShardDone(err: unknown): Promise<boolean> {
  if (!(err instanceof Error) || err instanceof CommanderError || err instanceof UserError) return false;
  const { ShardDone } = await import('../lab/shards/context.js');
  return err instanceof ShardDone;
}

/** `--shard i/N` ran its cells: the partial result goes to --out (lab/shards). */
async function finishShard(done: ShardDone): Promise<number> {
  abortActivePlan();
  try {
    const { writePartial } = await import('../lab/shards/partial.js');
    writePartial(done.out, done.partial);
  } catch (err) {
    return reportError(err);
  }
  const { index, count } = done.partial.shard;
  process.stderr.write(`routesim: shard ${index}/${count}: ${done.partial.cells.length} of ${done.partial.cells_total} simulations → ${done.out} (merge every part with routesim merge PART… --out results.json)\n`);
  return 0;
}

function reportError(err: unknown): number {
  abortActivePlan();
  if (err instanceof CommanderError) {
    // help and version exit 0; their text is already printed.
    if (err.exitCode === 0 || err.code === 'commander.help' || err.code === 'commander.helpDisplayed') return err.exitCode === 0 ? 0 : 2;
    process.stderr.write(`routesim: ${commanderMessage(err, failedIn)}\n`);
    return 2;
  }
  if (isClosedPipe(err)) return 0;
  if (err instanceof UserError) {
    process.stderr.write(`routesim: ${err.message}\n`);
    return 2;
  }
  const msg = err instanceof Error ? err.message : String(err);
  process.stderr.write(`routesim: internal error: ${msg.split('\n')[0]} (set ROUTESIM_DEBUG=1 for details)\n`);
  if (process.env.ROUTESIM_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return 1;
}
