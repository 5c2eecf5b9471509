/**
 * The scheduling cycle (`epp.md` §1.3–§1.7): the profile handler picks profiles to run until it
 * returns none; each profile runs its filters in order (stopping when one empties the set), then
 * every scorer on the survivors, clamps each score to [0, 1] and sums `weight × score` without
 * normalising, then hands the totals to its picker.
 *
 * With a trace object the cycle also records what a policy author needs to answer "why did it pick
 * that pod?": survivors after each filter, every scorer's scores and the weighted totals.
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

const clamp01 = (x: number): number => (x > 1 ? 1 : x >= 0 ? x : 0);

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
  const totals = new Float64Array(endpoints.length);
  for (const { scorer, weight } of profile.scorers) {
    const scores = scorer.score(ctx, req, endpoints);
    const rec: Record<string, number> | undefined = trace ? {} : undefined;
    for (let i = 0; i < endpoints.length; i++) {
      const s = scores.get(endpoints[i]!.name);
      const c = s === undefined || Number.isNaN(s) ? 0 : clamp01(s);
      totals[i]! += c * weight;
      if (rec) rec[endpoints[i]!.name] = c;
    }
    trace?.scorers.push({ scorer: scorer.name, weight, scores: rec! });
  }
  const scored: ScoredEndpoint[] = endpoints.map((endpoint, i) => ({ endpoint, score: totals[i]! }));
  if (trace) trace.totals = Object.fromEntries(scored.map((s) => [s.endpoint.name, s.score]));
  const result = profile.picker.pick(ctx, scored);
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
  const results = new Map<string, ProfileRunResult | null>();
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
