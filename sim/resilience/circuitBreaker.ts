/**
 * Envoy's cluster circuit breaker (gateway.md §3.1 in ../shared/reference/gateway.md), modelled
 * per pool cluster: `max_requests` (1024 concurrent requests) and `max_pending_requests` (1024
 * waiting for a connection). Overflow is immediate — the request gets 503 with
 * `x-envoy-overloaded: true` (flag UO) — and requests already in flight are untouched.
 * By Little's law 30 req/s × 35 s streams ≈ 1050 in flight already trips the default.
 */

export interface CircuitBreakerLimits {
  readonly maxRequests: number;
  readonly maxPendingRequests: number;
}

export const DEFAULT_CIRCUIT_BREAKER_LIMITS: CircuitBreakerLimits = { maxRequests: 1024, maxPendingRequests: 1024 };

/** Status and header of an overflow answer. */
export const OVERFLOW_STATUS = 503;
export const OVERLOADED_HEADER = 'x-envoy-overloaded';

export class CircuitBreaker {
  private requests = 0;
  private pendingRequests = 0;
  /** Requests refused because `maxRequests` were in flight. */
  overflows = 0;
  /** Requests refused because `maxPendingRequests` were pending. */
  pendingOverflows = 0;

  constructor(readonly limits: CircuitBreakerLimits = DEFAULT_CIRCUIT_BREAKER_LIMITS) {
    for (const [k, v] of Object.entries(limits)) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} must be a whole number ≥ 1, got ${v}`);
    }
  }

  get active(): number {
    return this.requests;
  }

  get pending(): number {
    return this.pendingRequests;
  }

  /** Admit a request; false = overflow (answer 503 + x-envoy-overloaded). */
  tryAcquire(): boolean {
    if (this.requests >= this.limits.maxRequests) {
      this.overflows++;
      return false;
    }
    this.requests++;
    return true;
  }

  /** A request admitted by {@link tryAcquire} finished. */
  release(): void {
    if (this.requests === 0) throw new Error('CircuitBreaker.release without a matching tryAcquire');
    this.requests--;
  }

  /** Admit a request into the pending queue; false = overflow (503 + x-envoy-overloaded). */
  tryAcquirePending(): boolean {
    if (this.pendingRequests >= this.limits.maxPendingRequests) {
      this.pendingOverflows++;
      return false;
    }
    this.pendingRequests++;
    return true;
  }

  releasePending(): void {
    if (this.pendingRequests === 0) throw new Error('CircuitBreaker.releasePending without a matching tryAcquirePending');
    this.pendingRequests--;
  }
}
