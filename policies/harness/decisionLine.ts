/**
 * One line of `routesim run --decisions FILE` (issue 13, "why this pod?"): one scheduling decision
 * of an EPP policy as a JSON document — the request, every candidate with the metrics the picker
 * had scraped (in pick-case form, so the line replays as a pick case) next to the engine truth at
 * that instant, the scheduling trace (survivors per filter, raw scores and weights, totals, picks
 * per profile), and the counterfactual pick with the true metrics in place of the scraped ones.
 *
 * Written by sim/decisions/ and, live, by `routesim serve picker --decisions` (live/picker/), both
 * through decisionRecord.ts; replayed by `routesim pick --from-decision` (fromDecision.ts). Lives
 * here because policies/ may not import the simulator; the simulator imports it.
 *
 * A live line (LiveDecisionLine) has the same fields in the same order, but the engine truth is
 * unknown to a live picker: every candidate's `truth` is null, `request.inputTokens` is null (the
 * picker does not tokenize), and `counterfactual` and `regret` are absent.
 */
import type { ProfileTrace } from '../framework/scheduler.js';

/** Format version of a line; bump when a field changes meaning. */
export const DECISION_LINE_VERSION = 1;

/** Scraped metrics as a pick case writes them (harness/pickCase.ts `metrics`). */
export interface LineMetrics {
  readonly waiting: number;
  readonly running: number;
  readonly kvUsage: number;
  readonly activeAdapters: readonly string[];
  readonly waitingAdapters: readonly string[];
  readonly maxLoras: number;
  readonly blockSize: number;
  readonly numGpuBlocks: number;
  /** Age of the scrape at the decision, ms. */
  readonly ageMs: number;
}

export interface LineTruth {
  readonly waiting: number;
  readonly running: number;
  readonly kvUsage: number;
  /** Prompt tokens this replica's KV cache would serve from its prefix cache now. */
  readonly prefixHitTokens: number;
}

export interface LineCandidate {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** What the picker saw; null = never scraped. */
  readonly scraped: LineMetrics | null;
  readonly truth: LineTruth;
}

export interface LineScorer {
  readonly scorer: string;
  /** Plugin type (the replay pins stateful types to the logged scores). */
  readonly type: string;
  readonly weight: number;
  readonly scores: Record<string, number>;
}

export interface LineFilter {
  readonly filter: string;
  readonly type: string;
  readonly survivors: string[];
}

export interface LineProfile {
  readonly profile: string;
  readonly filters: LineFilter[];
  readonly scorers: LineScorer[];
  readonly totals: Record<string, number>;
  readonly picked: string[] | null;
  readonly error?: string;
}

export interface DecisionLine {
  readonly v: number;
  readonly policy: string;
  readonly pool: number;
  /** Decision time, µs. */
  readonly timeUs: number;
  readonly request: {
    readonly id: string;
    readonly model: string;
    readonly targetModel: string;
    readonly priority: number;
    readonly inputTokens: number;
    readonly arrivalUs: number;
    readonly headers?: Readonly<Record<string, string>>;
  };
  readonly candidates: LineCandidate[];
  readonly profiles: LineProfile[];
  readonly primaryProfile: string | null;
  /** The uniform [0, 1) draws the cycle's plugins took from the picker's stream, in order (tie-breaks). */
  readonly draws: readonly number[];
  /** First target of the primary profile; null when scheduling failed. */
  readonly pick: string | null;
  /** The same cycle re-run with true metrics (no side effects): pick per profile. */
  readonly counterfactual: { readonly pick: string | null; readonly picks: Record<string, string | null>; readonly changed: boolean };
  /** Regret of the primary pick over the primary profile's filter survivors (absent when it failed). */
  readonly regret?: {
    readonly bestPrefixHitTokens: number;
    readonly chosenPrefixHitTokens: number;
    readonly leastLoad: number;
    readonly chosenLoad: number;
  };
}

/** A line written by the live picker: no engine truth (see the header). */
export interface LiveDecisionLine extends Omit<DecisionLine, 'request' | 'candidates' | 'counterfactual' | 'regret'> {
  readonly request: Omit<DecisionLine['request'], 'inputTokens'> & { readonly inputTokens: number | null };
  readonly candidates: (Omit<LineCandidate, 'truth'> & { readonly truth: null })[];
}

/** Either kind of line (what `routesim pick --from-decision` replays). */
export type AnyDecisionLine = DecisionLine | LiveDecisionLine;

/** The scheduling trace's profile in line form, with plugin types. */
export function lineProfile(p: ProfileTrace, typeOf: (instance: string) => string): LineProfile {
  return {
    profile: p.profile,
    filters: p.filters.map((f) => ({ filter: f.filter, type: typeOf(f.filter), survivors: f.survivors })),
    scorers: p.scorers.map((s) => ({ scorer: s.scorer, type: typeOf(s.scorer), weight: s.weight, scores: s.scores })),
    totals: p.totals,
    picked: p.picked,
    ...(p.error !== undefined ? { error: p.error } : {}),
  };
}
