/** The replay flags' values (cli/replayOptions.ts) as replay controls, each checked against its range (bounds.ts). */
import { flagNumber, RANGES } from '../sim/scenario/bounds.js';
import { REPLAY_FLAGS } from '../sim/workload/resolve.js';
import type { ReplayControls } from '../sim/workload/spec.js';
import type { ReplayFlagValues } from './replayOptions.js';

export type { ReplayFlagValues } from './replayOptions.js';

/** The replay controls given on the command line (only those given), each checked against its range (bounds.ts). */
export function replayControlsFromFlags(f: ReplayFlagValues): Partial<ReplayControls> {
  const o: { -readonly [K in keyof ReplayControls]?: ReplayControls[K] } = {};
  if (f.rateScale !== undefined) o.rate_scale = flagNumber(REPLAY_FLAGS.rate_scale, f.rateScale, RANGES.rateScale, '2');
  if (f.from !== undefined) o.from_s = flagNumber(REPLAY_FLAGS.from_s, f.from, RANGES.time, '600');
  if (f.to !== undefined) o.to_s = flagNumber(REPLAY_FLAGS.to_s, f.to, { ...RANGES.time, minExclusive: true }, '1200');
  if (f.sample !== undefined) o.sample = flagNumber(REPLAY_FLAGS.sample, f.sample, RANGES.sample, '0.25');
  if (f.loop !== undefined) o.loop = f.loop === true ? 0 : flagNumber(REPLAY_FLAGS.loop, f.loop, RANGES.loop, '3');
  if (f.jitter !== undefined) o.jitter_s = flagNumber(REPLAY_FLAGS.jitter_s, f.jitter, RANGES.jitter, '3');
  if (f.skipBadRows) o.skip_bad_rows = true;
  return o;
}
