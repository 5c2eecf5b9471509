/**
 * Results of a fleet that fails (issue 11): what the gateway's resilience features did and how the
 * requests ended because of them, whole run and per subset (route, tenant). What a client sees for
 * each cause: ../shared/reference/gateway.md §3.4 (504 route / per-try timeout before headers, 429
 * local rate limit, 503 circuit-breaker overflow, 503 reset before headers, a truncated stream after
 * streaming started); retries §1.7; outlier ejection §3.2; fallback pools §1–§2.
 *
 * Every key here appears only when the run has the thing, so a run without resilience or churn keeps
 * its summary byte-identical:
 * - `failed` / `failed_by_reason` only when some request failed mid-stream;
 * - `resilience` (and its per-route / per-tenant sub-objects) only when the run carries
 *   ResilienceCounters or some request failed, was retried or fell back.
 *
 * Outcome counts (`RequestOutcomeCounts`), over every request of the set (not just the window):
 * - timed_out: the request ended on a timeout, before headers (dropped 504, reason `timeout` or
 *   `per-try-timeout`) or mid-stream (failed, reason `timeout`);
 * - rate_limited / circuit_open / upstream_reset: dropped with that reason (429 / 503 / 503);
 * - failed: outcome `failed` (the stream had started and broke);
 * - fallback: served (or last answered) by a route's fallback pool;
 * - retried: attempts > 1 (at least one retry was sent);
 * - mean_attempts: mean RequestRecord.attempts over the requests sent to a replica at least once
 *   (attempts ≥ 1), null when none was.
 */
import type { PolicyRun, RequestRecord, ResilienceCounters } from './types.js';
import { round4OrNull } from './latency.js';

/** How a set of requests ended because of timeouts, limits and failures, and how often they were retried. */
export interface RequestOutcomeCounts {
  readonly timed_out: number;
  readonly rate_limited: number;
  readonly circuit_open: number;
  readonly upstream_reset: number;
  readonly failed: number;
  readonly fallback: number;
  readonly retried: number;
  readonly mean_attempts: number | null;
}

/** The run's resilience counters (by route / pool name, keys sorted) and the request outcome totals. */
export interface ResilienceSummary extends RequestOutcomeCounts {
  /** Retries sent, by route name. */
  readonly retries: Readonly<Record<string, number>>;
  /** Retries skipped (retry budget exhausted), by route name. */
  readonly retries_over_budget: Readonly<Record<string, number>>;
  /** Tries that hit the per-try timeout (retried or not), by route name. */
  readonly per_try_timeouts: Readonly<Record<string, number>>;
  /** Endpoint ejections by outlier detection, by pool name. */
  readonly ejections: Readonly<Record<string, number>>;
  /** Requests sent to a route's fallback pool, by route name. */
  readonly fallbacks: Readonly<Record<string, number>>;
}

/** Drop reasons (RequestRecord.reason) the resilience counts read. */
export const TIMEOUT_REASONS: ReadonlySet<string> = new Set(['timeout', 'per-try-timeout']);
export const RATE_LIMITED = 'rate-limited';
export const CIRCUIT_OPEN = 'circuit-open';
export const UPSTREAM_RESET = 'upstream-reset';

/** Whether the run has anything for the resilience results (counters, a failed, retried or fallback request). */
export function hasResilience(run: Pick<PolicyRun, 'resilience' | 'records'>): boolean {
  return run.resilience !== undefined || run.records.some((r) => r.outcome === 'failed' || r.attempts > 1 || r.fallback);
}

/** Whether any record failed mid-stream (the `failed` keys appear only then). */
export function hasFailed(records: readonly RequestRecord[]): boolean {
  return records.some((r) => r.outcome === 'failed');
}

/** The outcome counts of a set of records (see the file comment). */
export function requestOutcomeCounts(records: readonly RequestRecord[]): RequestOutcomeCounts {
  const t = new OutcomeTally();
  for (const r of records) t.add(r);
  return t.counts();
}

/** requestOutcomeCounts folded one record at a time (the streamed summary's subsets). */
export class OutcomeTally {
  private timedOut = 0;
  private rateLimited = 0;
  private circuitOpen = 0;
  private upstreamReset = 0;
  private failed = 0;
  private fallback = 0;
  private retried = 0;
  private sent = 0;
  private attempts = 0;

  add(r: Pick<RequestRecord, 'outcome' | 'reason' | 'fallback' | 'attempts'>): void {
    if (r.outcome === 'failed') {
      this.failed++;
      if (TIMEOUT_REASONS.has(r.reason)) this.timedOut++;
    } else if (r.outcome === 'dropped') {
      if (TIMEOUT_REASONS.has(r.reason)) this.timedOut++;
      else if (r.reason === RATE_LIMITED) this.rateLimited++;
      else if (r.reason === CIRCUIT_OPEN) this.circuitOpen++;
      else if (r.reason === UPSTREAM_RESET) this.upstreamReset++;
    }
    if (r.fallback) this.fallback++;
    if (r.attempts > 1) this.retried++;
    if (r.attempts >= 1) {
      this.sent++;
      this.attempts += r.attempts;
    }
  }

  counts(): RequestOutcomeCounts {
    return {
      timed_out: this.timedOut,
      rate_limited: this.rateLimited,
      circuit_open: this.circuitOpen,
      upstream_reset: this.upstreamReset,
      failed: this.failed,
      fallback: this.fallback,
      retried: this.retried,
      mean_attempts: round4OrNull(this.sent > 0 ? this.attempts / this.sent : null),
    };
  }
}

/** A counter map with its keys sorted (byte-stable JSON). */
function sorted(m: Readonly<Record<string, number>> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (m === undefined) return out;
  for (const k of Object.keys(m).sort()) out[k] = m[k]!;
  return out;
}

/** The run's `resilience` summary: its counters (empty maps when it has none) and the outcome totals. */
export function resilienceSummary(run: Pick<PolicyRun, 'resilience' | 'records'>): ResilienceSummary {
  return resilienceSummaryOf(run.resilience, requestOutcomeCounts(run.records));
}

/** The `resilience` summary from the run's counters and its requests' outcome totals. */
export function resilienceSummaryOf(counters: ResilienceCounters | undefined, outcomes: RequestOutcomeCounts): ResilienceSummary {
  const c: Partial<ResilienceCounters> = counters ?? {};
  return {
    retries: sorted(c.retries),
    retries_over_budget: sorted(c.retriesOverBudget),
    per_try_timeouts: sorted(c.perTryTimeouts),
    ejections: sorted(c.ejections),
    fallbacks: sorted(c.fallbacks),
    ...outcomes,
  };
}

/** Sum of a counter map's values. */
export function total(m: Readonly<Record<string, number>>): number {
  let s = 0;
  for (const v of Object.values(m)) s += v;
  return s;
}
