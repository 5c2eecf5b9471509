/** Building a trace source from a path and replay controls, and the statistics of any open-loop workload. */
import { inputError } from '../../core/errors.js';
import { outOfRange, RANGES, rangeText, type Range } from '../../scenario/bounds.js';
import { createRequestStream, type StreamOptions } from '../generator.js';
import type { ReplayControls, TraceSourceSpec, WorkloadSpec } from '../spec.js';
import { detectFormat } from './index.js';
import { createSourceStream } from '../sources.js';
import { traceStats, type StatsOptions, type TraceStats } from './stats.js';
import type { TraceFormat } from './types.js';
import { configOf, needsSimulation } from '../inferencePerf/index.js';

export const DEFAULT_REPLAY: ReplayControls = { rate_scale: 1, from_s: 0, to_s: null, sample: 1, loop: 1, jitter_s: 0, skip_bad_rows: false };

/**
 * Checks replay controls; `where(field)` names the field in messages (a scenario path or a flag).
 * Throws a UserError on the first problem.
 */
export function checkReplayControls(c: ReplayControls, file: string, where: (field: keyof ReplayControls) => string): void {
  const check = (field: keyof ReplayControls, v: number, range: Range, fix: string): void => {
    const problem = outOfRange(v, range);
    if (problem !== null) throw inputError(file, where(field), problem, `${fix} (${rangeText(range)})`);
  };
  check('rate_scale', c.rate_scale, RANGES.rateScale, 'give an offered-load factor, e.g. 2 to double it');
  check('from_s', c.from_s, RANGES.time, 'give the window start in seconds of the trace clock');
  if (c.to_s !== null) check('to_s', c.to_s, { ...RANGES.time, minExclusive: true }, 'give the window end in seconds of the trace clock');
  if (c.to_s !== null && !(c.to_s > c.from_s)) throw inputError(file, where('to_s'), `must be after from (${c.from_s} s), got ${c.to_s}`, 'give a window end later than its start');
  check('sample', c.sample, RANGES.sample, 'give the fraction of rows to keep, e.g. 0.25');
  check('loop', c.loop, RANGES.loop, 'give the number of passes (0 = endless)');
  check('jitter_s', c.jitter_s, RANGES.jitter, "give the timestamp granularity in seconds, e.g. 3 for Mooncake's 3 s grid");
}

/** A trace source for `path` (format detected when not given) with `controls` over the defaults. */
export function traceSource(path: string, format?: TraceFormat, controls: Partial<ReplayControls> = {}): TraceSourceSpec {
  return { kind: 'trace', path, format: format ?? detectFormat(path), ...DEFAULT_REPLAY, ...controls, nominal_rate: 0 };
}

/** A workload whose requests all come from `src` (no adapter or priority mix). */
export function traceWorkload(src: TraceSourceSpec): WorkloadSpec {
  return {
    arrival: { process: 'source', rate: src.nominal_rate, cv: 1 },
    adapters: [],
    base_model_weight: 0,
    priorities: [],
    source: src,
  };
}

/**
 * Statistics of the request stream `workload` produces under `opts` (a replay after its controls,
 * or a generated workload); null for closed-loop sessions, whose arrivals depend on the simulation.
 * Malformed rows skipped on the way are counted (and each reported through `onSkip`).
 */
export function workloadStats(workload: WorkloadSpec, opts: StreamOptions, stats: StatsOptions = {}, onSkip?: (message: string) => void): TraceStats | null {
  const src = workload.source;
  if (src?.kind === 'sessions' && src.mode === 'closed') return null;
  if (src?.kind === 'trace' && src.format === 'inference-perf' && needsSimulation(configOf(src))) return null;
  let skipped = 0;
  const count = (m: string): void => {
    skipped++;
    onSkip?.(m);
  };
  const stream = src?.kind === 'trace' ? createSourceStream(workload, src, opts, createRequestStream, count) : createRequestStream(workload, opts);
  return traceStats(stream, stats, () => skipped);
}

/**
 * A replay that yields no request is a mistake, said in terms of the trace: a file with no rows
 * (only a header), a window (from/to) outside the trace's time span (naming the span), or a sample
 * that keeps none of one pass's rows. Cheap when the replay is not empty: one row is read.
 */
export function checkReplayNotEmpty(src: TraceSourceSpec, seed: number, file: string, where: (field: keyof ReplayControls) => string): void {
  const opts: StreamOptions = { seed, limits: {}, defaultAdapterRank: 16 };
  const yields = (s: TraceSourceSpec): boolean => {
    const it = createSourceStream(traceWorkload(s), s, opts, createRequestStream, () => {});
    const some = it.next().done !== true;
    it.return?.(); // closes the file
    return some;
  };
  if (yields({ ...src, loop: 1 })) return;
  const whole: TraceSourceSpec = { ...src, ...DEFAULT_REPLAY, skip_bad_rows: src.skip_bad_rows };
  if (!yields(whole)) {
    throw inputError(src.path, '', `has no ${src.skip_bad_rows ? 'well-formed ' : ''}rows (${src.format} trace with only a header, or empty)`, 'give a trace with at least one request');
  }
  const st = workloadStats(traceWorkload(whole), opts, {}, () => {})!;
  const end = st.first_arrival_s + st.span_s;
  const window = `${src.from_s}–${src.to_s ?? 'end'} s`;
  if (src.to_s !== null || src.from_s > 0) {
    const inWindow = yields({ ...src, sample: 1, loop: 1 });
    if (!inWindow) {
      throw inputError(file, where(src.from_s >= end ? 'from_s' : 'to_s'), `no row of ${src.path} falls in the window ${window}: the trace has ${st.rows} rows from ${st.first_arrival_s} s to ${end} s`, `give a window inside ${st.first_arrival_s}–${end} s`);
    }
  }
  throw inputError(file, where('sample'), `sample ${src.sample} keeps none of the ${st.rows} rows of ${src.path}`, 'raise sample');
}
