/**
 * Envoy's local rate limit token bucket (gateway.md §3.3 in ../shared/reference/gateway.md):
 * `max_tokens` (> 0, also the initial fill = the burst), `tokens_per_fill` (default 1),
 * `fill_interval` (≥ 50 ms). Tokens are added in discrete ticks at the multiples of the fill
 * interval counted from time 0 (never continuously); each request takes one token; an empty bucket
 * rejects at once (429), nothing queues.
 *
 * {@link RateLimiter} holds one bucket per key (a rule, or a rule and a header value for
 * per-tenant limits), created on first use. Memory is one small object in a Map per distinct key,
 * so a per-header limit grows with the number of distinct values of that header seen in a run.
 *
 * Pure state machines over integer microseconds; every call is O(1). Time must not go backwards
 * between calls on one bucket (an earlier time refills nothing).
 */

/** Shape of one bucket, times in µs. */
export interface TokenBucketSpec {
  readonly maxTokens: number;
  readonly tokensPerFill: number;
  readonly fillIntervalUs: number;
}

/** Envoy rejects a fill interval under 50 ms. */
export const MIN_FILL_INTERVAL_US = 50_000;

export function checkTokenBucketSpec(spec: TokenBucketSpec): void {
  const { maxTokens, tokensPerFill, fillIntervalUs } = spec;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new RangeError(`maxTokens must be a whole number ≥ 1, got ${maxTokens}`);
  if (!Number.isInteger(tokensPerFill) || tokensPerFill < 1) throw new RangeError(`tokensPerFill must be a whole number ≥ 1, got ${tokensPerFill}`);
  if (!Number.isInteger(fillIntervalUs) || fillIntervalUs < MIN_FILL_INTERVAL_US) {
    throw new RangeError(`fillIntervalUs must be a whole number ≥ ${MIN_FILL_INTERVAL_US}, got ${fillIntervalUs}`);
  }
}

export class TokenBucket {
  private tokensLeft: number;
  /** Index of the last fill tick applied (tick k happens at k · fillIntervalUs). */
  private tick = 0;

  constructor(readonly spec: TokenBucketSpec) {
    checkTokenBucketSpec(spec);
    this.tokensLeft = spec.maxTokens;
  }

  /** Apply the fill ticks up to `nowUs`. */
  private refill(nowUs: number): void {
    const t = Math.floor(nowUs / this.spec.fillIntervalUs);
    if (t <= this.tick) return;
    const ticks = t - this.tick;
    this.tick = t;
    this.tokensLeft = Math.min(this.spec.maxTokens, this.tokensLeft + ticks * this.spec.tokensPerFill);
  }

  /** Tokens in the bucket at `nowUs`. */
  tokens(nowUs: number): number {
    this.refill(nowUs);
    return this.tokensLeft;
  }

  /** Take one token for a request at `nowUs`; false = rejected (429). */
  take(nowUs: number): boolean {
    this.refill(nowUs);
    if (this.tokensLeft === 0) return false;
    this.tokensLeft--;
    return true;
  }

  /** µs from `nowUs` until a token is available: 0 when one is, else until the next fill tick. */
  retryAfterUs(nowUs: number): number {
    this.refill(nowUs);
    if (this.tokensLeft > 0) return 0;
    return (this.tick + 1) * this.spec.fillIntervalUs - nowUs;
  }
}

/** Buckets of one shape, one per key, created lazily at full fill. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(readonly spec: TokenBucketSpec) {
    checkTokenBucketSpec(spec);
  }

  private bucket(key: string): TokenBucket {
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = new TokenBucket(this.spec);
      this.buckets.set(key, b);
    }
    return b;
  }

  /** Take one token from `key`'s bucket; false = rejected. */
  take(key: string, nowUs: number): boolean {
    return this.bucket(key).take(nowUs);
  }

  /** Tokens in `key`'s bucket at `nowUs` (a key not seen yet: full). */
  tokens(key: string, nowUs: number): number {
    const b = this.buckets.get(key);
    return b === undefined ? this.spec.maxTokens : b.tokens(nowUs);
  }

  retryAfterUs(key: string, nowUs: number): number {
    const b = this.buckets.get(key);
    return b === undefined ? 0 : b.retryAfterUs(nowUs);
  }

  /** Distinct keys seen (= buckets held). */
  get size(): number {
    return this.buckets.size;
  }
}
