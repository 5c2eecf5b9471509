/**
 * Results broken down by request class (priority, tenant, adapter) and by load stage. Each part is
 * the same figures as the main summary over a subset of the records: one pass groups the records,
 * then each group is summarised on its own (O(n) overall, no per-token data).
 */
import type { SloConfig } from '../scenario/types.js';
import type { RequestRecord } from './types.js';
import { requestOutcomeCounts, type RequestOutcomeCounts } from './resilience.js';
import {
  durationSeconds,
  e2eMs,
  goodputFrom,
  latencyStats,
  meetsSlo,
  round4,
  throughputStats,
  tpotMs,
  ttftMs,
  type GoodputStats,
  type LatencyStats,
  type ThroughputStats,
} from './latency.js';

/** One class's figures: counts over every request of the class, latencies and goodput over the measured window. */
export interface ClassSummary {
  readonly arrived: number;
  readonly completed: number;
  readonly rejected: number;
  readonly dropped: number;
  /** Streams that started and broke (issue 11): only when some request of the run failed. */
  readonly failed?: number;
  readonly ttft_ms: LatencyStats;
  readonly tpot_ms: LatencyStats;
  readonly e2e_ms: LatencyStats;
  readonly goodput: GoodputStats;
  /** by_class.tenant only, when the run has resilience results (resilience.ts). */
  readonly resilience?: RequestOutcomeCounts;
}

/**
 * Every key is a string. The classes are inserted in sorted order (numerically for priorities), but
 * JavaScript objects, and so the JSON output, list integer-like keys first in ascending order and
 * then the others in insertion order: priorities -2, -1 come after 0, 5 (`{"0":…,"5":…,"-2":…,"-1":…}`).
 * Sort the keys yourself (as numbers) when the order matters.
 */
export interface ClassBreakdown {
  /** Keyed by the priority (InferenceObjective priority) as a decimal string; negative ones are listed after the others (see above). */
  readonly priority: Readonly<Record<string, ClassSummary>>;
  /** Keyed by tenant name (tenants workloads), `client-N` (other sources with clients) or `none`. */
  readonly tenant: Readonly<Record<string, ClassSummary>>;
  /**
   * Keyed by adapter, `base` for the base model. A request the gateway dispatched counts under the
   * adapter it was served with (after any model rewrite; the record's adapter is rewritten at
   * dispatch, and an engine rejection comes after it); one dropped before dispatch (shed, flow
   * control, no endpoint) counts under the adapter it asked for.
   */
  readonly adapter: Readonly<Record<string, ClassSummary>>;
}

/** One stage of a rate ladder: its own figures over the requests that arrived during it. */
export interface StageSummary {
  readonly index: number;
  readonly from_s: number;
  readonly to_s: number;
  /** The stage's offered rate, req/s. */
  readonly rate: number;
  readonly arrived: number;
  readonly completed: number;
  readonly dropped: number;
  /** Only when some request of the run failed mid-stream (issue 11). */
  readonly failed?: number;
  readonly ttft_ms: LatencyStats;
  readonly tpot_ms: LatencyStats;
  readonly e2e_ms: LatencyStats;
  readonly throughput: ThroughputStats;
  readonly goodput: GoodputStats;
}

/** A stage's span and offered rate (from the scenario's arrival profile). */
export interface StageSpan {
  readonly from_s: number;
  readonly to_s: number;
  readonly rate: number;
}

/**
 * Latency, throughput and goodput over `measured` (any subset of records). Throughput is over the
 * subset's own span (first arrival to last token); goodput's rate is over `goodputDurationS` when
 * given (a class: the whole window's duration, so the classes' rates add up to the total; a stage:
 * the stage's span), else over the same span as throughput.
 */
export function subsetFigures(measured: readonly RequestRecord[], slo: SloConfig, goodputDurationS?: number): {
  ttft_ms: LatencyStats;
  tpot_ms: LatencyStats;
  e2e_ms: LatencyStats;
  throughput: ThroughputStats;
  goodput: GoodputStats;
} {
  const completed = measured.filter((r) => r.outcome === 'completed');
  const tpots: number[] = [];
  for (const r of completed) {
    const t = tpotMs(r);
    if (t !== null) tpots.push(t);
  }
  const durationS = durationSeconds(measured, completed);
  let good = 0;
  for (const r of completed) if (meetsSlo(r, slo)) good++;
  return {
    ttft_ms: latencyStats(completed.map(ttftMs)),
    tpot_ms: latencyStats(tpots),
    e2e_ms: latencyStats(completed.map(e2eMs)),
    throughput: throughputStats(completed, durationS),
    goodput: goodputFrom(good, measured.length, goodputDurationS ?? durationS),
  };
}

/**
 * How many of `records` completed, were rejected by an engine, were dropped by the gateway, or
 * failed mid-stream (issue 11; callers report `failed` only when the run has any, see ExtraKeys).
 */
export function outcomes(records: readonly RequestRecord[]): { completed: number; rejected: number; dropped: number; failed: number } {
  let completed = 0;
  let rejected = 0;
  let dropped = 0;
  let failed = 0;
  for (const r of records) {
    if (r.outcome === 'completed') completed++;
    else if (r.outcome === 'rejected') rejected++;
    else if (r.outcome === 'failed') failed++;
    else dropped++;
  }
  return { completed, rejected, dropped, failed };
}

/**
 * Which issue-11 keys a run's subsets carry: `failed` (some request of the run failed) and
 * `resilience` (the run has resilience results). Both false for every earlier run, whose output
 * then stays byte-identical.
 */
export interface ExtraKeys {
  readonly failed: boolean;
  readonly resilience: boolean;
}

export const NO_EXTRA_KEYS: ExtraKeys = { failed: false, resilience: false };

/** The counts of a subset: completed, rejected, dropped, and `failed` when `extra.failed`. */
export function outcomeCounts(records: readonly RequestRecord[], extra: ExtraKeys): { completed: number; rejected: number; dropped: number; failed?: number } {
  const { failed, ...rest } = outcomes(records);
  return extra.failed ? { ...rest, failed } : rest;
}

/** Groups records by `key`, keys sorted (numerically when every key is a number). */
export function groupBy(records: readonly RequestRecord[], key: (r: RequestRecord) => string): [string, RequestRecord[]][] {
  const groups = new Map<string, RequestRecord[]>();
  for (const r of records) {
    const k = key(r);
    let g = groups.get(k);
    if (g === undefined) groups.set(k, (g = []));
    g.push(r);
  }
  return sortGroupKeys([...groups.keys()]).map((k) => [k, groups.get(k)!]);
}

/** Group keys in report order: numerically when every key is a number, else by code unit (sorts in place). */
export function sortGroupKeys(keys: string[]): string[] {
  const numeric = keys.every((k) => k !== '' && Number.isFinite(Number(k)));
  return keys.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export type Figures = ReturnType<typeof subsetFigures>;

/** The outcome counts of a class or stage entry (`failed` only when the run has failed streams). */
export interface EntryCounts {
  readonly completed: number;
  readonly rejected: number;
  readonly dropped: number;
  readonly failed?: number;
}

/** A by_class entry from its counts and figures (the record path and the streamed summary build the same shape). */
export function classSummaryOf(arrived: number, counts: EntryCounts, f: Figures, resilience?: RequestOutcomeCounts): ClassSummary {
  return { arrived, ...counts, ttft_ms: f.ttft_ms, tpot_ms: f.tpot_ms, e2e_ms: f.e2e_ms, goodput: f.goodput, ...(resilience !== undefined ? { resilience } : {}) };
}

/** A `stages` entry from its span, counts and figures (goodput over the span). */
export function stageSummaryOf(index: number, s: StageSpan, arrived: number, counts: Omit<EntryCounts, 'rejected'>, f: Figures): StageSummary {
  return { index, from_s: round4(s.from_s), to_s: round4(s.to_s), rate: round4(s.rate), arrived, completed: counts.completed, dropped: counts.dropped, ...(counts.failed !== undefined ? { failed: counts.failed } : {}), ...f };
}

/**
 * One dimension's classes; a class holding every record reuses `whole` (the figures of all of them).
 * Goodput rates are over `durationS`, the whole window's duration (as the total's).
 */
function classesBy(records: readonly RequestRecord[], inWindow: (r: RequestRecord) => boolean, slo: SloConfig, key: (r: RequestRecord) => string, whole: Figures, durationS: number, extra: ExtraKeys): Record<string, ClassSummary> {
  const out: Record<string, ClassSummary> = {};
  for (const [k, group] of groupBy(records, key)) {
    const f = group.length === records.length ? whole : subsetFigures(group.filter(inWindow), slo, durationS);
    out[k] = classSummaryOf(group.length, outcomeCounts(group, extra), f, extra.resilience ? requestOutcomeCounts(group) : undefined);
  }
  return out;
}

/** The tenant key of a record: the tenant's name when known, else `client-N`, `none` without a client. */
export function tenantKey(client: number, names: readonly string[] | undefined): string {
  if (client < 0) return 'none';
  return names?.[client] ?? `client-${client}`;
}

/**
 * Breakdown by priority, tenant and adapter. `whole` is subsetFigures of the windowed records (the
 * main summary's), reused for a class that holds every record; `durationS` is the window's duration
 * (unrounded, the denominator of the total's goodput), over which every class's goodput rate is
 * taken so that the classes' rates sum to the total's (up to rounding).
 */
export function classBreakdown(records: readonly RequestRecord[], inWindow: (r: RequestRecord) => boolean, slo: SloConfig, whole: Figures, durationS: number, tenantNames?: readonly string[], extra: ExtraKeys = NO_EXTRA_KEYS): ClassBreakdown {
  // Resilience counts per tenant only (the issue asks for per route and per tenant).
  const failedOnly: ExtraKeys = { failed: extra.failed, resilience: false };
  return {
    priority: classesBy(records, inWindow, slo, (r) => String(r.priority), whole, durationS, failedOnly),
    tenant: classesBy(records, inWindow, slo, (r) => tenantKey(r.client, tenantNames), whole, durationS, extra),
    adapter: classesBy(records, inWindow, slo, (r) => r.adapter ?? 'base', whole, durationS, failedOnly),
  };
}

/**
 * The stage a request arriving at `arrivalUs` belongs to: the first whose [from_s, to_s) holds it,
 * -1 for none. The one test of stage membership (stage summaries, per-stage ITL, stage files).
 */
export function stageIndexOf(stages: readonly StageSpan[], arrivalUs: number): number {
  const t = arrivalUs / 1e6;
  for (let i = 0; i < stages.length; i++) if (t >= stages[i]!.from_s && t < stages[i]!.to_s) return i;
  return -1;
}

/**
 * Per-stage figures: the requests arriving in [from_s, to_s) of each stage. Goodput's rate is over
 * the stage's span (to_s − from_s), comparable with its offered `rate`.
 */
export function stageSummaries(records: readonly RequestRecord[], stages: readonly StageSpan[], slo: SloConfig, extra: ExtraKeys = NO_EXTRA_KEYS): StageSummary[] {
  const buckets: RequestRecord[][] = stages.map(() => []);
  for (const r of records) {
    const i = stageIndexOf(stages, r.arrivalUs);
    if (i >= 0) buckets[i]!.push(r);
  }
  return stages.map((s, index) => {
    const group = buckets[index]!;
    const o = outcomes(group);
    return stageSummaryOf(index, s, group.length, { completed: o.completed, dropped: o.dropped, ...(extra.failed ? { failed: o.failed } : {}) }, subsetFigures(group, slo, s.to_s - s.from_s));
  });
}
