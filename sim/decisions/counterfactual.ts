/**
 * "Did staleness change the pick?" (issue 13): re-runs a recorded scheduling cycle with each
 * candidate's true metrics (a scrape taken now) in place of the scraped ones, and nothing else
 * changed — same request, same producer attributes (copied maps), same cycle state as the real
 * cycle started with (a copy) — WITHOUT side effects on the run:
 *
 * - no PreRequest (only the profile handler, filters, scorers and pickers run);
 * - plugin-state writes go to an overlay that reads through to the real state and is then dropped;
 * - random draws first replay the real cycle's draws in order (so a tie broken at random breaks the
 *   same way when the scores agree), then continue on a separate seeded stream; the director's
 *   stream is never advanced.
 *
 * Plugins' own instance state (prefix index, in-flight counters, LRU) is only read by scoring: its
 * updates are made by PreRequest/ResponseComplete/KV events, which do not run here.
 */
import { schedule, type ScheduledCycle } from '../../policies/framework/scheduler.js';
import { SchedulingError, type CycleContext, type PluginState, type SchedEndpoint, type SchedulingResult } from '../../policies/framework/types.js';
import type { EndpointMetrics } from '../../policies/types.js';
import type { Rng } from '../core/rng.js';

const DELETED = Symbol('deleted');

/** Plugin state that keeps its writes to itself and reads the real state underneath. */
class OverlayState implements PluginState {
  private readonly own = new Map<string, Map<string, unknown> | typeof DELETED>();
  constructor(private readonly base: PluginState) {}
  read(requestId: string, key: string): unknown {
    const o = this.own.get(requestId);
    if (o === DELETED) return undefined;
    if (o !== undefined && o.has(key)) return o.get(key);
    return this.base.read(requestId, key);
  }
  write(requestId: string, key: string, value: unknown): void {
    let o = this.own.get(requestId);
    if (o === undefined || o === DELETED) this.own.set(requestId, (o = new Map()));
    o.set(key, value);
  }
  delete(requestId: string): void {
    this.own.set(requestId, DELETED);
  }
}

/** Replays `draws`, then continues on `fallback`. */
function replayRng(draws: readonly number[], fallback: Rng): Rng {
  let i = 0;
  return () => (i < draws.length ? draws[i++]! : fallback());
}

/** The cycle's result with `truth(c)` as each candidate's metrics; null when scheduling fails. */
export function counterfactualResult(cycle: ScheduledCycle, truth: (c: SchedEndpoint) => EndpointMetrics | null, fallback: Rng): SchedulingResult | null {
  const candidates: SchedEndpoint[] = cycle.candidates.map((c) => ({ name: c.name, index: c.index, labels: c.labels, metrics: truth(c), attributes: new Map(c.attributes) }));
  const ctx: CycleContext = {
    nowUs: cycle.ctx.nowUs,
    rng: replayRng(cycle.draws, fallback),
    cycleState: new Map(cycle.cycleStateBefore),
    pluginState: new OverlayState(cycle.ctx.pluginState),
  };
  try {
    return schedule(cycle.handler, cycle.profiles, ctx, cycle.req, candidates);
  } catch (err) {
    if (err instanceof SchedulingError) return null;
    throw err;
  }
}

/** First target per profile that ran (null: the profile failed). */
export function picksOf(result: SchedulingResult | null): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (result === null) return out;
  for (const [name, r] of result.profileResults) out[name] = r?.targetEndpoints[0]?.name ?? null;
  return out;
}

/** First target of the primary profile, or null. */
export function primaryPick(result: SchedulingResult | null): string | null {
  if (result === null) return null;
  return result.profileResults.get(result.primaryProfileName)?.targetEndpoints[0]?.name ?? null;
}
