/**
 * The scheduling cycle (`epp.md` §1.3–§1.7): the profile handler picks profiles to run until it
 * returns none; each profile runs its filters in order (stopping when one empties the set), then
 * every scorer on the survivors, clamps each score to [0, 1] and sums `weight × score` without
 * normalising, then hands the totals to its picker.
 *
 * With a trace object the cycle also records what a policy author needs to answer "why did it pick
 * that pod?": survivors after each filter, every scorer's scores and the weighted totals.
 *
 * A SchedulingRecorder (`routesim run --decisions`, sim/decisions/) is installed for the duration
 * of one synchronous director call with `withSchedulingRecorder`; `schedule` then traces the cycle,
 * notes the random draws its plugins made and the cycle state it started from, and hands all of it
 * to the recorder after the scheduling result is known and before the director's PreRequest
 * plugins run. Absent (the usual case) it costs one module-variable read per request.
 */
import {
  SchedulingError,
  type CycleContext,
  type LLMRequest,
  type ProfileHandler,
  type ProfileRunResult,
  type SchedEndpoint,
  type SchedulerProfile,
  type SchedulingResult,
  type ScoredEndpoint,
} from './types.js';
import { ProfileResultMap } from './profileResultMap.js';

export interface ProfileTrace {
  readonly profile: string;
  /** Survivors after each filter, in filter order. */
  readonly filters: { readonly filter: string; readonly survivors: string[] }[];
  /** Raw (clamped) score per scorer per endpoint, and its weight. */
  readonly scorers: { readonly scorer: string; readonly weight: number; readonly scores: Record<string, number> }[];
  /** Σ weight × score per endpoint. */
  totals: Record<string, number>;
  /** Picked endpoint names (best first), or null when the profile failed. */
  picked: string[] | null;
  /** Why the profile failed, if it did. */
  error?: string;
}

export interface SchedulingTrace {
  readonly profiles: ProfileTrace[];
}

/** Everything one scheduling cycle saw and did, handed to a SchedulingRecorder. */
export interface ScheduledCycle {
  readonly handler: ProfileHandler;
  readonly profiles: ReadonlyMap<string, SchedulerProfile>;
  readonly ctx: CycleContext;
  readonly req: LLMRequest;
  /** Candidates as the profiles got them (scraped metrics, producer attributes). */
  readonly candidates: readonly SchedEndpoint[];
  /** The cycle state before the first profile ran (a copy). */
  readonly cycleStateBefore: ReadonlyMap<string, unknown>;
  /** The uniform draws the cycle's plugins took from ctx.rng, in order. */
  readonly draws: readonly number[];
  readonly trace: SchedulingTrace;
  /** The result, or null when scheduling failed (SchedulingError). */
  readonly result: SchedulingResult | null;
}

/** Receives every scheduling cycle while installed; must not change plugin or director state. */
export interface SchedulingRecorder {
  scheduled(cycle: ScheduledCycle): void;
}

let activeRecorder: SchedulingRecorder | undefined;

/** True while a SchedulingRecorder is installed (it keeps the candidates it is shown). */
export function schedulingRecorderInstalled(): boolean {
  return activeRecorder !== undefined;
}

/**
 * Runs `fn` (a synchronous director call) with `recorder` receiving every scheduling cycle it
 * makes; the previous recorder (normally none) is restored afterwards, also on a throw.
 */
export function withSchedulingRecorder<T>(recorder: SchedulingRecorder, fn: () => T): T {
  const prev = activeRecorder;
  activeRecorder = recorder;
  try {
    return fn();
  } finally {
    activeRecorder = prev;
  }
}

const clamp01 = (x: number): number => (x > 1 ? 1 : x >= 0 ? x : 0);

/** Σ weight × score of the cycle being run, when no cycle holds it (see runProfile). */
let freeTotals: Float64Array | null = new Float64Array(64);

/** Raw scores of the scorer being run (Scorer.scoreInto); filled and consumed within one scorer step. */
let scratch = new Float64Array(64);
function scratchScores(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  return scratch;
}

/**
 * Runs one profile; throws SchedulingError when no endpoint survives the filters, or when there
 * is none to start with (also with no filters: GAIE's `SchedulerProfile.Run` checks the filtered
 * list's length after the chain, whatever its length, `epp.md` §1.3).
 */
export function runProfile(
  profile: SchedulerProfile,
  ctx: CycleContext,
  req: LLMRequest,
  candidates: readonly SchedEndpoint[],
  trace?: ProfileTrace,
): ProfileRunResult {
  let endpoints = candidates;
  for (const f of profile.filters) {
    endpoints = f.filter(ctx, req, endpoints);
    trace?.filters.push({ filter: f.name, survivors: endpoints.map((e) => e.name) });
    if (endpoints.length === 0) throw new SchedulingError(`no endpoints available: filter ${f.name} left none`);
  }
  // As production's profile Run: the check follows the filter chain, so a profile with no filters
  // (or handed no candidates) fails the same way instead of asking its picker to pick from nothing.
  if (endpoints.length === 0) throw new SchedulingError('no endpoints available: no candidates');
  const n = endpoints.length;
  // The totals array is reused between cycles (allocating a typed array costs more than filling it);
  // a cycle run from inside a plugin of another finds it taken and makes its own.
  let totals = freeTotals;
  if (totals === null || totals.length < n) totals = new Float64Array(Math.max(n, 64));
  else {
    freeTotals = null;
    totals.fill(0, 0, n);
  }
  for (const { scorer, weight } of profile.scorers) {
    const rec: Record<string, number> | undefined = trace ? {} : undefined;
    if (scorer.scoreInto !== undefined) {
      // Built-in fast path: scores by candidate position in a reused array, no Map.
      const raw = scratchScores(n);
      scorer.scoreInto(ctx, req, endpoints, raw);
      for (let i = 0; i < n; i++) {
        const s = raw[i]!;
        const c = s > 1 ? 1 : s >= 0 ? s : 0; // clamp01; NaN → 0
        totals[i]! += c * weight;
        if (rec) rec[endpoints[i]!.name] = c;
      }
    } else {
      const scores = scorer.score(ctx, req, endpoints);
      for (let i = 0; i < n; i++) {
        const s = scores.get(endpoints[i]!.name);
        const c = s === undefined || Number.isNaN(s) ? 0 : clamp01(s);
        totals[i]! += c * weight;
        if (rec) rec[endpoints[i]!.name] = c;
      }
    }
    if (trace) trace.scorers.push({ scorer: scorer.name, weight, scores: rec! });
  }
  const picker = profile.picker;
  let result: ProfileRunResult;
  if (trace === undefined && picker.pickTotals !== undefined) result = picker.pickTotals(ctx, endpoints, totals);
  else {
    const scored: ScoredEndpoint[] = new Array<ScoredEndpoint>(n);
    for (let i = 0; i < n; i++) scored[i] = { endpoint: endpoints[i]!, score: totals[i]! };
    if (trace) trace.totals = Object.fromEntries(scored.map((s) => [s.endpoint.name, s.score]));
    result = picker.pick(ctx, scored);
  }
  freeTotals = totals;
  if (trace) trace.picked = result.targetEndpoints.map((e) => e.name);
  return result;
}

/** The scheduler loop: profiles as the handler asks, then its ProcessResults. */
export function schedule(
  handler: ProfileHandler,
  profiles: ReadonlyMap<string, SchedulerProfile>,
  ctx: CycleContext,
  req: LLMRequest,
  candidates: readonly SchedEndpoint[],
  trace?: SchedulingTrace,
): SchedulingResult {
  const recorder = activeRecorder;
  if (recorder !== undefined) return scheduleRecorded(recorder, handler, profiles, ctx, req, candidates, trace);
  const results = new ProfileResultMap();
  for (let guard = 0; ; guard++) {
    const next = handler.pickProfiles(ctx, req, profiles, results);
    if (next.size === 0) break;
    if (guard > profiles.size) throw new Error(`profile handler ${handler.name} keeps asking for profiles`);
    for (const [name, profile] of next) {
      const t: ProfileTrace | undefined = trace ? { profile: name, filters: [], scorers: [], totals: {}, picked: null } : undefined;
      if (t) trace!.profiles.push(t);
      try {
        results.set(name, runProfile(profile, ctx, req, candidates, t));
      } catch (err) {
        if (!(err instanceof SchedulingError)) throw err;
        results.set(name, null);
        if (t) t.error = err.message;
      }
    }
  }
  if (results.size === 0) throw new SchedulingError('no profile ran');
  return handler.processResults(ctx, req, results);
}

/**
 * `schedule` under a recorder: the same cycle (the plugins get a context whose rng forwards to the
 * real one and notes each draw), then the recorder, with itself uninstalled so that a
 * counterfactual re-run it makes is not recorded.
 */
function scheduleRecorded(
  recorder: SchedulingRecorder,
  handler: ProfileHandler,
  profiles: ReadonlyMap<string, SchedulerProfile>,
  ctx: CycleContext,
  req: LLMRequest,
  candidates: readonly SchedEndpoint[],
  trace: SchedulingTrace | undefined,
): SchedulingResult {
  const t: SchedulingTrace = trace ?? { profiles: [] };
  const draws: number[] = [];
  const rng = ctx.rng;
  const noted: CycleContext = { ...ctx, rng: () => {
    const v = rng();
    draws.push(v);
    return v;
  } };
  const cycleStateBefore = new Map(ctx.cycleState);
  let result: SchedulingResult | null = null;
  activeRecorder = undefined;
  try {
    result = schedule(handler, profiles, noted, req, candidates, t);
    return result;
  } finally {
    recorder.scheduled({ handler, profiles, ctx, req, candidates, cycleStateBefore, draws, trace: t, result });
    activeRecorder = recorder;
  }
}
