/**
 * Load-time checks of an endless trace replay (`loop: 0`), whose size the file alone does not bound:
 * a pass whose rows all share one timestamp would shift by 0 s per pass (its span plus one mean gap)
 * and replay at one instant forever, and a short pass over a long `duration_s` can make more
 * requests than a run may hold. One extra read of the trace (one pass, nothing kept).
 */
import { inputError } from '../../core/errors.js';
import { fmtNum, MAX_REQUESTS } from '../../scenario/bounds.js';
import { createRequestStream } from '../generator.js';
import { createSourceStream } from '../sources.js';
import type { ReplayControls, TraceSourceSpec } from '../spec.js';
import { traceWorkload } from './source.js';

/**
 * Throws a UserError when the endless replay of `src` cannot run: every row of a pass at one
 * timestamp (no `to_s`), or about rows-per-pass × duration_s / pass-length requests above
 * MAX_REQUESTS. `requests` (when set) stops the run, so only the duration estimate is checked.
 */
export function checkEndlessLoop(src: TraceSourceSpec, ctx: { file: string; seed: number; requests: number | null; duration_s: number | null }, where: (f: keyof ReplayControls) => string): void {
  if (src.loop !== 0) return;
  // One pass at the replay's own clock (rate_scale applied), every row, no jitter.
  const pass: TraceSourceSpec = { ...src, loop: 1, sample: 1, jitter_s: 0, nominal_rate: 0 };
  let rows = 0;
  let firstUs = 0;
  let lastUs = 0;
  const it = createSourceStream(traceWorkload(pass), pass, { seed: ctx.seed, limits: {}, defaultAdapterRank: 16 }, createRequestStream, () => {});
  for (let n = it.next(); n.done !== true; n = it.next()) {
    const r = n.value;
    if (rows === 0) firstUs = r.arrivalUs;
    lastUs = r.arrivalUs;
    rows++;
  }
  if (rows === 0) return; // checkReplayNotEmpty says why
  if (src.to_s === null && rows > 1 && lastUs === firstUs) {
    throw inputError(ctx.file, where('loop'), `all ${rows} rows of ${src.path} arrive at ${firstUs / 1e6} s: a pass spans 0 s, so an endless loop would replay them at that one instant forever (a trace whose rows share one timestamp cannot loop)`, `give the rows distinct timestamps, or set to_s to the length of one pass, or loop a number of passes`);
  }
  if (ctx.duration_s === null) return; // requests stop the run
  // Length of one pass (replay.ts): the window, or the rows' span plus one mean gap (1 s for one row).
  const passS = src.to_s !== null ? (src.to_s - src.from_s) / src.rate_scale : rows > 1 ? ((lastUs - firstUs) / 1e6) * (rows / (rows - 1)) : 1 / src.rate_scale;
  const perPass = rows * src.sample;
  const estimate = perPass * Math.max(1, ctx.duration_s / passS);
  if (ctx.requests === null && estimate > MAX_REQUESTS) {
    throw inputError(
      ctx.file,
      where('loop'),
      `an endless loop of ${src.path} (${fmtNum(perPass)} requests per pass of ${fmtNum(passS)} s) makes ~${fmtNum(estimate)} requests in duration_s ${fmtNum(ctx.duration_s)}; a run is limited to ${fmtNum(MAX_REQUESTS)} requests`,
      `shorten duration_s, set requests: <count>, or loop a number of passes`,
    );
  }
}
