/**
 * Builds one decision line (decisionLine.ts) from a recorded scheduling cycle — the part shared by
 * the simulator's writer (sim/decisions/log.ts, which adds the engine truth, the counterfactual and
 * the regret) and the live picker's (live/picker/decisionLog.ts, which knows no engine truth). Both
 * write the same fields in the same order, so a live line replays with `routesim pick
 * --from-decision` exactly as a simulated one does.
 *
 * Also: which requests a sampled log writes — by a hash of the seed and the request id, so the same
 * requests are written on every run and no random stream is drawn from.
 */
import type { ScheduledCycle } from '../framework/scheduler.js';
import type { SchedulerProfile, SchedulingResult } from '../framework/types.js';
import type { EndpointMetrics } from '../types.js';
import { hashInts, hashString } from '../util/hash.js';
import { DECISION_LINE_VERSION, lineProfile, type AnyDecisionLine, type DecisionLine, type LineMetrics, type LineTruth } from './decisionLine.js';

/** What the writer adds to the cycle. */
export interface LineParts {
  readonly policy: string;
  readonly pool: number;
  /** Prompt tokens as the engine counts them; null = unknown (live). */
  readonly inputTokens: number | null;
  readonly arrivalUs: number;
  /** The engine truth of a candidate; null = unknown (live: every candidate's truth is null). */
  readonly truth: ((name: string) => LineTruth) | null;
  /** Simulation only: the counterfactual pick and the regret. */
  readonly counterfactual?: DecisionLine['counterfactual'];
  readonly regret?: DecisionLine['regret'];
}

/** First target of the primary profile, or null. */
export function primaryPickOf(result: SchedulingResult | null): string | null {
  if (result === null) return null;
  return result.profileResults.get(result.primaryProfileName)?.targetEndpoints[0]?.name ?? null;
}

/** The line of `cycle` (fields in the order every writer uses). */
export function decisionLineOf(cycle: ScheduledCycle, p: LineParts): AnyDecisionLine {
  const now = cycle.ctx.nowUs;
  const typeOf = pluginTypes(cycle.profiles);
  const headers = cycle.req.headers;
  const line = {
    v: DECISION_LINE_VERSION,
    policy: p.policy,
    pool: p.pool,
    timeUs: now,
    request: {
      id: cycle.req.id,
      model: cycle.req.model,
      targetModel: cycle.req.targetModel,
      priority: cycle.req.priority,
      inputTokens: p.inputTokens,
      arrivalUs: p.arrivalUs,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
    },
    candidates: cycle.candidates.map((c) => ({
      name: c.name,
      ...(Object.keys(c.labels).length > 0 ? { labels: c.labels } : {}),
      scraped: c.metrics === null ? null : lineMetrics(c.metrics, now),
      truth: p.truth === null ? null : p.truth(c.name),
    })),
    profiles: cycle.trace.profiles.map((pr) => lineProfile(pr, (n) => typeOf.get(n) ?? n)),
    primaryProfile: cycle.result?.primaryProfileName ?? null,
    draws: cycle.draws,
    pick: primaryPickOf(cycle.result),
    ...(p.counterfactual !== undefined ? { counterfactual: p.counterfactual } : {}),
    ...(p.regret !== undefined ? { regret: p.regret } : {}),
  };
  return line as AnyDecisionLine;
}

/** Scraped metrics in line form, aged at `nowUs`. */
export function lineMetrics(m: EndpointMetrics, nowUs: number): LineMetrics {
  return {
    waiting: m.waitingQueueSize,
    running: m.runningRequestsSize,
    kvUsage: m.kvCacheUsagePercent,
    activeAdapters: m.activeModels,
    waitingAdapters: m.waitingModels,
    maxLoras: m.maxActiveModels,
    blockSize: m.cacheBlockSize,
    numGpuBlocks: m.cacheNumGpuBlocks,
    ageMs: (nowUs - m.updateTimeUs) / 1000,
  };
}

const typeCache = new WeakMap<ReadonlyMap<string, SchedulerProfile>, Map<string, string>>();

/** Instance name → plugin type over a config's profiles. */
export function pluginTypes(profiles: ReadonlyMap<string, SchedulerProfile>): Map<string, string> {
  let m = typeCache.get(profiles);
  if (m !== undefined) return m;
  m = new Map();
  for (const p of profiles.values()) {
    for (const f of p.filters) m.set(f.name, f.type);
    for (const s of p.scorers) m.set(s.scorer.name, s.scorer.type);
    m.set(p.picker.name, p.picker.type);
  }
  typeCache.set(profiles, m);
  return m;
}

/** Whether a request with the string id `id` is written at `rate` under `seed` (live logs). */
export function sampledId(seed: number, id: string, rate: number): boolean {
  if (rate >= 1) return true;
  return hashInts(seed, hashString(id), 0xdec) / 4294967296 < rate;
}
