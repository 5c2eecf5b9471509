/**
 * Envoy's retry budget (gateway.md §1.7 in ../shared/reference/gateway.md; cluster
 * `circuit_breakers.thresholds.retry_budget`): the concurrent retries a cluster allows are
 * max(min_retry_concurrency (3), ⌊budget_percent (20 %) × (active + pending requests)⌋), and it
 * replaces the fixed `max_retries`. Over budget, Envoy skips the retry and returns the failed
 * attempt's response (§3.4).
 */

export interface RetryBudgetSpec {
  /** budget_percent, 0–100. */
  readonly percent: number;
  /** min_retry_concurrency. */
  readonly minConcurrency: number;
}

export const DEFAULT_RETRY_BUDGET: RetryBudgetSpec = { percent: 20, minConcurrency: 3 };

/** Concurrent retries allowed with `activeRequests` (active + pending) requests in the cluster. */
export function retryBudgetLimit(activeRequests: number, spec: RetryBudgetSpec = DEFAULT_RETRY_BUDGET): number {
  // percent · n / 100 rather than Envoy's percent / 100 · n: the same for whole percents, without
  // the binary-fraction error (0.2 · 15 must give 3).
  return Math.max(spec.minConcurrency, Math.floor((spec.percent * activeRequests) / 100));
}

export class RetryBudget {
  constructor(readonly spec: RetryBudgetSpec = DEFAULT_RETRY_BUDGET) {
    if (!(spec.percent >= 0 && spec.percent <= 100)) throw new RangeError(`percent must be in 0–100, got ${spec.percent}`);
    if (!Number.isInteger(spec.minConcurrency) || spec.minConcurrency < 0) throw new RangeError(`minConcurrency must be a whole number ≥ 0, got ${spec.minConcurrency}`);
  }

  limit(activeRequests: number): number {
    return retryBudgetLimit(activeRequests, this.spec);
  }

  /** May one more retry start while `activeRetries` are running among `activeRequests`? */
  canRetry(activeRequests: number, activeRetries: number): boolean {
    return activeRetries < this.limit(activeRequests);
  }
}

/** Retries in flight in one cluster, admitted against a {@link RetryBudget}. */
export class ActiveRetries {
  private n = 0;
  /** Retries refused for lack of budget. */
  skipped = 0;

  constructor(readonly budget: RetryBudget) {}

  get active(): number {
    return this.n;
  }

  /** Start a retry if the budget allows (counts it); false = skipped (counted in `skipped`). */
  tryStart(activeRequests: number): boolean {
    if (!this.budget.canRetry(activeRequests, this.n)) {
      this.skipped++;
      return false;
    }
    this.n++;
    return true;
  }

  /** A retry admitted by {@link tryStart} ended (answered, failed or timed out). */
  finish(): void {
    if (this.n === 0) throw new Error('ActiveRetries.finish without a matching tryStart');
    this.n--;
  }
}
