/**
 * Scenario keys for gateway resilience (issue 11; gateway.md §1.6–1.7, §3.1–3.3 in
 * ../shared/reference/gateway.md) and their resolution into typed objects in µs.
 *
 * Rule level (added to RoutesSchema's rules in routesSchema.ts, which also checks `fallback`
 * against the pool names and `per_try_timeout` against `timeouts`):
 *
 * ```yaml
 *   retry:                      # the stanza alone = 1 retry on 500/502/503/504 and resets
 *     attempts: 2               # retries, not tries; 0–10 (default 1)
 *     codes: [500, 502, 503, 504]
 *     on_reset: true            # connect failure / reset before response headers
 *     per_try_timeout: 10s      # Gateway API duration; 0s or absent = none
 *     backoff: {base: 25ms, max: 250ms}   # max defaults to 10 × base
 *     budget: {percent: 20, min_concurrency: 3}
 *     repick: false             # true: ask the picker again on a retry
 *     retry_picker_errors: false
 *   rate_limits:                # token buckets, all applied
 *   - {max_tokens: 100, tokens_per_fill: 10, fill_interval: 1s}          # one bucket for the rule
 *   - {max_tokens: 10, fill_interval: 1s, header: x-tenant}             # one bucket per x-tenant value
 *   fallback: spare             # pool that takes requests the rule's pool answers with 429/503
 * ```
 *
 * Pool level, exported for PoolSchema: `circuit_breaker: {max_requests: 1024,
 * max_pending_requests: 1024}` and `outlier_detection: {consecutive_5xx: 5, interval: 10s,
 * base_ejection_time: 30s, max_ejection_time: 300s, max_ejection_percent: 10}`.
 */
import { z } from 'zod';
import { strict, withFix } from './zodStrict.js';
import { bounded, type Range } from './bounds.js';
import { parseGatewayDuration } from '../routes/durations.js';
import type { CircuitBreakerSpec, OutlierDetectionSpec, RateLimitSpec, RetryPolicy } from './types.js';

const quote = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

export const DURATION_HELP = 'write 1–4 groups of up to 5 digits, each followed by h, m, s or ms, e.g. 300s, 1m30s, 500ms; 0s disables';

/** A Gateway API (GEP-2257) duration string; `0s` allowed. */
export function gatewayDuration() {
  return z
    .string({
      error: (iss) =>
        iss.code === 'invalid_type' && typeof iss.input === 'number'
          ? withFix(`duration ${iss.input} has no unit`, `write ${JSON.stringify(`${iss.input}s`)} for seconds; units are h, m, s and ms`)
          : undefined,
    })
    .refine((s) => parseGatewayDuration(s) !== null, {
      error: (iss) => withFix(`invalid duration ${quote(iss.input)}`, DURATION_HELP),
    });
}

/** A Gateway API duration of at least `minMs` (> 0). */
function durationAtLeast(minMs: number, what: string) {
  const min = minMs >= 1000 && minMs % 1000 === 0 ? `${minMs / 1000}s` : `${minMs}ms`;
  return gatewayDuration().refine((s) => (parseGatewayDuration(s) ?? minMs) >= minMs, {
    error: (iss) => withFix(`${what} ${quote(iss.input)} is shorter than ${min}`, `write at least ${min}`),
  });
}

const usOf = (d: string): number => parseGatewayDuration(d)! * 1000;

/** RFC 7230 token, as Gateway API's HTTPHeaderName (the same check as routesSchema.ts). */
const HEADER_NAME_RE = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

// ---------------------------------------------------------------------------------------------
// Rule level
// ---------------------------------------------------------------------------------------------

export const RESILIENCE_LIMITS = { attempts: 10, codes: 16, rateLimits: 16 } as const;

const ATTEMPTS: Range = { min: 0, max: RESILIENCE_LIMITS.attempts, unit: 'retries', int: true };
/** Gateway API HTTPRouteRetryStatusCode. */
const STATUS: Range = { min: 400, max: 599, unit: '', int: true };
const PERCENT: Range = { min: 0, max: 100, unit: '%' };
const PERCENT_INT: Range = { min: 0, max: 100, unit: '%', int: true };
const CONCURRENCY: Range = { min: 0, max: 1e6, unit: 'retries', int: true };
const TOKENS: Range = { min: 1, max: 1e9, unit: 'tokens', int: true };
const LIMIT: Range = { min: 1, max: 1e9, unit: 'requests', int: true };
const CONSECUTIVE: Range = { min: 1, max: 1e6, unit: 'answers', int: true };

export const DEFAULT_RETRY_CODES = [500, 502, 503, 504] as const;

const BackoffSchema = strict({
  base: durationAtLeast(1, 'backoff base').default('25ms'),
  max: gatewayDuration().optional(),
}).superRefine((b, ctx) => {
  // Only when both parsed (an invalid one has its own issue already).
  const base = parseGatewayDuration(b.base);
  const max = b.max === undefined ? null : parseGatewayDuration(b.max);
  if (base !== null && max !== null && max < base) {
    ctx.addIssue({ code: 'custom', path: ['max'], input: b.max, message: withFix(`backoff max ${b.max} is shorter than base ${b.base}`, `make max ≥ ${b.base}, or omit it (default 10 × base)`) });
  }
});

const BudgetSchema = strict({
  percent: bounded(PERCENT).default(20),
  min_concurrency: bounded(CONCURRENCY).default(3),
});

export const RetrySchema = strict({
  attempts: bounded(ATTEMPTS).default(1),
  codes: z
    .array(bounded(STATUS))
    .max(RESILIENCE_LIMITS.codes, { error: withFix(`has more than ${RESILIENCE_LIMITS.codes} codes`, 'list each status once') })
    .default([...DEFAULT_RETRY_CODES]),
  on_reset: z.boolean().default(true),
  per_try_timeout: gatewayDuration().optional(),
  backoff: BackoffSchema.optional(),
  budget: BudgetSchema.optional(),
  repick: z.boolean().default(false),
  retry_picker_errors: z.boolean().default(false),
});

export type RetryInput = z.output<typeof RetrySchema>;

export const RateLimitSchema = strict({
  max_tokens: bounded(TOKENS),
  tokens_per_fill: bounded(TOKENS).default(1),
  fill_interval: durationAtLeast(50, 'fill_interval').default('1s'),
  header: z
    .string()
    .min(1)
    .max(256)
    .refine((s) => HEADER_NAME_RE.test(s), {
      error: (iss) => withFix(`invalid header name ${quote(iss.input)}`, "use letters, digits and !#$%&'*+-.^_`|~ only, e.g. x-tenant"),
    })
    .optional(),
});

export const RateLimitsSchema = z
  .array(RateLimitSchema)
  .max(RESILIENCE_LIMITS.rateLimits, { error: withFix(`has more than ${RESILIENCE_LIMITS.rateLimits} rate limits`, 'merge limits with the same header') });

export type RateLimitInput = z.output<typeof RateLimitSchema>;

/** The rule-level keys, to spread into RoutesSchema's rule shape. */
export const RULE_RESILIENCE_KEYS = {
  retry: RetrySchema.optional(),
  rate_limits: RateLimitsSchema.optional(),
  fallback: z.string().min(1).optional(),
};

/** A parsed `retry:` stanza as a {@link RetryPolicy} (codes de-duplicated, in written order). */
export function resolveRetry(r: RetryInput): RetryPolicy {
  const baseMs = r.backoff ? parseGatewayDuration(r.backoff.base)! : 25;
  const maxMs = r.backoff?.max !== undefined ? parseGatewayDuration(r.backoff.max)! : 10 * baseMs;
  const perTry = r.per_try_timeout === undefined ? 0 : parseGatewayDuration(r.per_try_timeout)!;
  return {
    attempts: r.attempts,
    codes: [...new Set(r.codes)],
    on_reset: r.on_reset,
    per_try_timeout_us: perTry === 0 ? null : perTry * 1000,
    backoff: { base_us: baseMs * 1000, max_us: maxMs * 1000 },
    budget: { percent: r.budget?.percent ?? 20, min_concurrency: r.budget?.min_concurrency ?? 3 },
    repick: r.repick,
    retry_picker_errors: r.retry_picker_errors,
  };
}

export function resolveRateLimit(r: RateLimitInput): RateLimitSpec {
  return {
    max_tokens: r.max_tokens,
    tokens_per_fill: r.tokens_per_fill,
    fill_interval_us: usOf(r.fill_interval),
    header: r.header === undefined ? null : r.header.toLowerCase(),
  };
}

// ---------------------------------------------------------------------------------------------
// Pool level
// ---------------------------------------------------------------------------------------------

export const CircuitBreakerSchema = strict({
  max_requests: bounded(LIMIT).default(1024),
  max_pending_requests: bounded(LIMIT).default(1024),
});

export const OutlierDetectionSchema = strict({
  consecutive_5xx: bounded(CONSECUTIVE).default(5),
  interval: durationAtLeast(1, 'interval').default('10s'),
  base_ejection_time: durationAtLeast(1, 'base_ejection_time').default('30s'),
  /** Envoy's default: 300 s or base_ejection_time, whichever is larger. */
  max_ejection_time: gatewayDuration().optional(),
  max_ejection_percent: bounded(PERCENT_INT).default(10),
}).superRefine((o, ctx) => {
  const base = parseGatewayDuration(o.base_ejection_time);
  const max = o.max_ejection_time === undefined ? null : parseGatewayDuration(o.max_ejection_time);
  if (base !== null && max !== null && max < base) {
    ctx.addIssue({
      code: 'custom',
      path: ['max_ejection_time'],
      input: o.max_ejection_time,
      message: withFix(`max_ejection_time ${o.max_ejection_time} is shorter than base_ejection_time ${o.base_ejection_time}`, `make it ≥ ${o.base_ejection_time}, or omit it`),
    });
  }
});

/** The pool-level keys, to spread into PoolSchema's shape. */
export const POOL_RESILIENCE_KEYS = {
  circuit_breaker: CircuitBreakerSchema.optional(),
  outlier_detection: OutlierDetectionSchema.optional(),
};

export function resolveCircuitBreaker(c: z.output<typeof CircuitBreakerSchema>): CircuitBreakerSpec {
  return { max_requests: c.max_requests, max_pending_requests: c.max_pending_requests };
}

export function resolveOutlierDetection(o: z.output<typeof OutlierDetectionSchema>): OutlierDetectionSpec {
  const base = usOf(o.base_ejection_time);
  return {
    consecutive_5xx: o.consecutive_5xx,
    interval_us: usOf(o.interval),
    base_ejection_time_us: base,
    max_ejection_time_us: o.max_ejection_time === undefined ? Math.max(300_000_000, base) : usOf(o.max_ejection_time),
    max_ejection_percent: o.max_ejection_percent,
  };
}
