/** Building a trace source from a path and replay controls, and the statistics of any open-loop workload. */
import { UserError, inputError } from '../../core/errors.js';
import { createRequestStream, type StreamOptions } from '../generator.js';
import type { ReplayControls, TraceSourceSpec, WorkloadSpec } from '../spec.js';
import { detectFormat } from './index.js';
import { createSourceStream } from '../sources.js';
import { traceStats, type StatsOptions, type TraceStats } from './stats.js';
import type { TraceFormat } from './types.js';

export const DEFAULT_REPLAY: ReplayControls = { rate_scale: 1, from_s: 0, to_s: null, sample: 1, loop: 1, jitter_s: 0, skip_bad_rows: false };

/**
 * Checks replay controls; `where(field)` names the field in messages (a scenario path or a flag).
 * Throws a UserError on the first problem.
 */
export function checkReplayControls(c: ReplayControls, file: string, where: (field: keyof ReplayControls) => string): void {
  const bad = (field: keyof ReplayControls, problem: string, fix: string): UserError => inputError(file, where(field), problem, fix);
  if (!(c.rate_scale > 0) || !Number.isFinite(c.rate_scale)) throw bad('rate_scale', `must be > 0, got ${c.rate_scale}`, 'give a positive factor, e.g. 2 to double the offered load');
  if (!(c.from_s >= 0) || !Number.isFinite(c.from_s)) throw bad('from_s', `must be ≥ 0, got ${c.from_s}`, 'give the window start in seconds of the trace clock');
  if (c.to_s !== null && !(c.to_s > c.from_s)) throw bad('to_s', `must be after from (${c.from_s} s), got ${c.to_s}`, 'give a window end later than its start');
  if (!(c.sample > 0 && c.sample <= 1)) throw bad('sample', `must be in (0, 1], got ${c.sample}`, 'give the fraction of rows to keep, e.g. 0.25');
  if (!(Number.isInteger(c.loop) && c.loop >= 0)) throw bad('loop', `must be a whole number ≥ 0, got ${c.loop}`, 'give the number of passes (0 = endless)');
  if (!(c.jitter_s >= 0) || !Number.isFinite(c.jitter_s)) throw bad('jitter_s', `must be ≥ 0, got ${c.jitter_s}`, "give the timestamp granularity in seconds, e.g. 3 for Mooncake's 3 s grid");
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
  let skipped = 0;
  const count = (m: string): void => {
    skipped++;
    onSkip?.(m);
  };
  const stream = src?.kind === 'trace' ? createSourceStream(workload, src, opts, createRequestStream, count) : createRequestStream(workload, opts);
  return traceStats(stream, stats, () => skipped);
}
