/**
 * `routesim merge PART… --out results.json`: combines the partial results of `routesim run …
 * --shard i/N --out PART` (one per shard, any order). The parts are checked (lab/shards/partial.ts),
 * then the command they recorded is replayed with the merge's own outputs and an executor that
 * answers every simulation from the parts, so the document is written by the same code as an
 * unsharded run: byte-identical. The scenario files must be at the same relative paths as where
 * the shards ran (their bytes are part of the fingerprint).
 *
 * This is the command's work; its definition (arguments, options, help) is cli/merge.ts, which
 * imports this module only when the command runs.
 */
import type { Command } from 'commander';
import { UserError } from '../sim/core/errors.js';
import { beginMerge, endSharding } from '../lab/shards/context.js';
import { checkParts, readPartial } from '../lab/shards/partial.js';
import { VERSION } from './version.js';

/** Commands whose shards `merge` can replay. */
const SHARDABLE = ['run', 'capacity'];

export interface MergeFlags {
  out?: string;
  json?: boolean;
}

export async function merge(files: readonly string[], flags: MergeFlags, program: Command): Promise<void> {
  const checked = checkParts(files, files.map(readPartial), VERSION);
  const command = checked.parts[0]!.command;
  if (command.length === 0 || !SHARDABLE.includes(command[0]!)) {
    throw new UserError(`${checked.files[0]}: records the command ${JSON.stringify(command.join(' '))}, which routesim merge cannot replay (fix: give parts written by routesim ${SHARDABLE.join(' / ')} … --shard i/N --out FILE)`);
  }
  if (command.some((a) => a === '--shard' || a.startsWith('--shard='))) throw new UserError(`${checked.files[0]}: a damaged part: its recorded command still has --shard (fix: run the shards again with routesim ${command[0]} … --shard i/N --out FILE)`);
  const outputs = [...(flags.out !== undefined ? ['--out', flags.out] : []), ...(flags.json ? ['--json'] : [])];
  beginMerge(checked.parts, checked.files, VERSION);
  try {
    await program.parseAsync([command[0]!, ...outputs, ...command.slice(1)], { from: 'user' });
  } finally {
    endSharding();
  }
}
