/**
 * `--shard i/N` on a command: checks it against the command's other flags and enters shard mode.
 * A shard writes a partial result to `--out` (required, a file), so flags whose output the merge
 * writes (`--json`, `--update-baseline`) or that need the per-request records of runs in this
 * process (requests CSV, traces, decisions) are refused with the fix.
 */
import { UserError } from '../../sim/core/errors.js';
import { beginShard } from './context.js';
import { parseShardFlag } from './spec.js';

export interface ShardFlagUse {
  readonly out: string | undefined;
  /** Flags that cannot go with --shard, with their values (undefined / false = not given). */
  readonly refused: readonly (readonly [flag: string, value: unknown])[];
  /** Of those, the outputs made from the whole document (the merge's business, not a shard's). */
  readonly documentOutputs?: readonly string[];
  /** The command line after `routesim`. */
  readonly argv: readonly string[];
  readonly version: string;
}

/** Enters shard mode for `--shard text`, or a one-line error. */
export function startShard(text: string, use: ShardFlagUse): void {
  const spec = parseShardFlag(text);
  if (use.out === undefined || use.out === '-') throw new UserError(`--shard ${text}: needs --out FILE for the shard's partial result (fix: add e.g. --out part-${spec.index}.json, then routesim merge part-*.json --out results.json)`);
  for (const [flag, value] of use.refused) {
    if (value === undefined || value === false) continue;
    if (use.documentOutputs?.includes(flag)) throw new UserError(`--shard: cannot go with ${flag}: a shard writes only its partial result to --out (fix: drop ${flag}; routesim merge PART… --out FILE or --json gives the whole document, without them it prints the table / summary)`);
    throw new UserError(`--shard: cannot go with ${flag}, which needs every run in one process (fix: run unsharded for ${flag}, or drop it)`);
  }
  beginShard(spec, use.out, use.argv, use.version);
}
