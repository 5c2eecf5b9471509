/**
 * Envoy's retry back-off (gateway.md §1.7 in ../shared/reference/gateway.md; Envoy
 * JitteredExponentialBackOffStrategy): retry N (1-based) waits U[0, (2^N − 1) · base) capped at
 * `max` (default base 25 ms, max 10 · base = 250 ms, so 0–24, 0–74, 0–174 ms, then ≤ 250 ms).
 * Envoy stops growing the exponent once (2^N − 1) · base exceeds `max`: later retries keep drawing
 * from that last range (with the defaults U[0, 375 ms), capped at 250 ms).
 *
 * Pure: the caller passes the uniform draw, from its own seeded stream (sim/core/rng.ts).
 */

export const DEFAULT_BACKOFF_BASE_US = 25_000;
export const DEFAULT_BACKOFF_MAX_US = 10 * DEFAULT_BACKOFF_BASE_US;

/** Upper end (exclusive) of the range retry `n` draws from, before the cap: (2^m − 1) · base. */
export function backoffRangeUs(n: number, baseUs: number, maxUs: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`retry number must be a whole number ≥ 1, got ${n}`);
  if (!(baseUs > 0) || !(maxUs >= baseUs)) throw new RangeError(`need 0 < base ≤ max, got base ${baseUs} µs, max ${maxUs} µs`);
  // Envoy's current_retry_ starts at 1 and grows after a draw only while the range was ≤ max.
  let m = 1;
  while (m < n && (2 ** m - 1) * baseUs <= maxUs) m++;
  return (2 ** m - 1) * baseUs;
}

/** Wait before retry `n` (1-based), integer µs, for a uniform draw `u` in [0, 1). */
export function backoffUs(n: number, u: number, baseUs = DEFAULT_BACKOFF_BASE_US, maxUs = 10 * baseUs): number {
  if (!(u >= 0 && u < 1)) throw new RangeError(`u must be in [0, 1), got ${u}`);
  return Math.min(Math.floor(u * backoffRangeUs(n, baseUs, maxUs)), maxUs);
}
