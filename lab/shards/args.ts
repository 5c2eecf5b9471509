/**
 * The command line a shard records so `routesim merge` can replay it: the arguments after
 * `routesim`, minus the flags that only choose where and how the results go (`--out`, `--json`,
 * `--update-baseline`, `--jobs`, `--shard`) — they do not change a single result, and the merge
 * supplies its own outputs.
 */

/** Flags taking a value that are dropped from the replayed command. */
const DROPPED_WITH_VALUE = ['--out', '-o', '--jobs', '-j', '--shard', '--update-baseline'];
/** Boolean flags dropped from the replayed command. */
const DROPPED_SWITCHES = ['--json'];

/** `argv` (after `routesim`) without the output, jobs and shard flags. */
export function replayArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (DROPPED_SWITCHES.includes(a)) continue;
    if (DROPPED_WITH_VALUE.includes(a)) {
      i++;
      continue;
    }
    if (DROPPED_WITH_VALUE.some((f) => f.startsWith('--') && a.startsWith(`${f}=`))) continue;
    // Short flags with the value attached: -ofile, -j4.
    if (DROPPED_WITH_VALUE.some((f) => !f.startsWith('--') && a.startsWith(f) && a.length > f.length)) continue;
    out.push(a);
  }
  return out;
}
