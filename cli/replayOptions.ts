/**
 * The replay flags shared by `routesim run` and `routesim trace inspect|convert` (--rate-scale,
 * --from, --to, --sample, --loop, --jitter, --skip-bad-rows): their definitions only, cheap to
 * load; cli/replayFlags.ts turns the values into checked replay controls.
 */
import type { Command } from 'commander';

/** Replay flags as commander delivers them. */
export interface ReplayFlagValues {
  rateScale?: string;
  from?: string;
  to?: string;
  sample?: string;
  loop?: string | true;
  jitter?: string;
  skipBadRows?: boolean;
}

/** Adds the replay flags to a command. */
export function addReplayOptions(cmd: Command): Command {
  return cmd
    .option('--rate-scale <k>', 'offered-load multiplier: trace time is divided by k (2 = twice the rate)')
    .option('--from <s>', 'start of the replayed window, seconds of the trace clock')
    .option('--to <s>', 'end of the replayed window, seconds of the trace clock')
    .option('--sample <fraction>', 'keep each row with this probability (seeded)')
    .option('--loop [passes]', 'replay the window this many times (no value: endlessly, until requests/duration_s)')
    .option('--jitter <s>', 'spread each arrival uniformly over [t, t + s) (coarse timestamps, e.g. 3 for Mooncake)')
    .option('--skip-bad-rows', 'skip malformed rows (and report how many) instead of failing');
}
