/**
 * Resilience keys of the scenario (sim/scenario/resilienceSchema.ts, routesSchema.ts; gateway.md
 * §1.7, §3.1–3.3): rule-level retry / rate_limits / fallback and the pool-level circuit_breaker /
 * outlier_detection schemas — defaults, µs conversion, and the one-line message for each mistake.
 */
import { describe, expect, it } from 'vitest';
import { routesResolver } from './routesFixtures.js';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { describeIssue, firstIssue } from '../sim/scenario/schema.js';
import {
  CircuitBreakerSchema,
  OutlierDetectionSchema,
  RetrySchema,
  resolveCircuitBreaker,
  resolveOutlierDetection,
} from '../sim/scenario/resilienceSchema.js';

const POOLS = ['chat', 'batch', 'spare'];

const { resolve, messageOf } = routesResolver(POOLS);

const oneRule = (more: Record<string, unknown> = {}) => [{ rules: [{ backendRefs: [{ name: 'chat' }], ...more }] }];
const rule = (more: Record<string, unknown>) => resolve(oneRule(more))[0]!;

/** Parse a pool-level stanza; the message as the loader would print it under pools[0].<key>. */
function pool<S extends z.ZodType>(schema: S, key: string, data: unknown): z.output<S> | string {
  const parsed = schema.safeParse(data, { reportInput: true });
  if (parsed.success) return parsed.data;
  const r = describeIssue(firstIssue(parsed.error.issues)!, ['pools', 0, key]);
  return `${r.path}: ${r.problem} (fix: ${r.fix})`;
}

describe('rule-level keys: accepted', () => {
  it('a rule without them resolves exactly as before: no retry, rate_limits or fallback keys', () => {
    const r = rule({});
    expect(Object.keys(r).sort()).toEqual(['backendRefs', 'matches', 'name', 'routeIndex', 'ruleIndex', 'timeouts']);
  });

  it('retry: {} gets Envoy / Gateway API defaults, in µs', () => {
    expect(rule({ retry: {} }).retry).toEqual({
      attempts: 1, // Envoy num_retries default once a policy exists
      codes: [500, 502, 503, 504],
      on_reset: true,
      per_try_timeout_us: null,
      backoff: { base_us: 25_000, max_us: 250_000 }, // 25 ms, 10 × 25 ms
      budget: { percent: 20, min_concurrency: 3 },
      repick: false,
      retry_picker_errors: false,
    });
  });

  it('a full retry stanza from YAML', () => {
    const yaml = `
- rules:
  - backendRefs: [{name: chat}]
    timeouts: {request: 300s}
    retry:
      attempts: 3
      codes: [503, 429, 503]
      on_reset: false
      per_try_timeout: 1m30s
      backoff: {base: 100ms}
      budget: {percent: 12.5, min_concurrency: 0}
      repick: true
      retry_picker_errors: true
    rate_limits:
    - {max_tokens: 100, tokens_per_fill: 10, fill_interval: 1s}
    - {max_tokens: 5, fill_interval: 50ms, header: X-Tenant}
    fallback: spare
`;
    const [r] = resolve(parseYaml(yaml));
    expect(r!.retry).toEqual({
      attempts: 3,
      codes: [503, 429], // de-duplicated, written order
      on_reset: false,
      per_try_timeout_us: 90_000_000, // 60 s + 30 s
      backoff: { base_us: 100_000, max_us: 1_000_000 }, // max = 10 × 100 ms
      budget: { percent: 12.5, min_concurrency: 0 },
      repick: true,
      retry_picker_errors: true,
    });
    expect(r!.rate_limits).toEqual([
      { max_tokens: 100, tokens_per_fill: 10, fill_interval_us: 1_000_000, header: null },
      { max_tokens: 5, tokens_per_fill: 1, fill_interval_us: 50_000, header: 'x-tenant' }, // header lower-cased
    ]);
    expect(r!.fallback).toBe('spare');
  });

  it('explicit backoff max, per_try_timeout 0s = none, attempts 0, an empty rate_limits list', () => {
    expect(rule({ retry: { backoff: { base: '10ms', max: '10ms' } } }).retry!.backoff).toEqual({ base_us: 10_000, max_us: 10_000 });
    expect(rule({ retry: { per_try_timeout: '0s' } }).retry!.per_try_timeout_us).toBeNull();
    expect(rule({ retry: { attempts: 0 } }).retry!.attempts).toBe(0);
    expect(rule({ rate_limits: [] }).rate_limits).toEqual([]);
    // per_try_timeout equal to request is fine; request 0s disables the bound.
    expect(rule({ timeouts: { request: '10s' }, retry: { per_try_timeout: '10s' } }).retry!.per_try_timeout_us).toBe(10_000_000);
    expect(rule({ timeouts: { request: '0s' }, retry: { per_try_timeout: '1h' } }).retry!.per_try_timeout_us).toBe(3_600_000_000);
  });
});

describe('rule-level keys: rejected, with the message', () => {
  it('retry', () => {
    expect(messageOf(oneRule({ retry: { attempts: 11 } }))).toBe(
      'routes[0].rules[0].retry.attempts: must be a whole number between 0 and 10 retries, got 11 (fix: use a whole number between 0 and 10 retries, e.g. 10)',
    );
    expect(messageOf(oneRule({ retry: { codes: [200] } }))).toBe(
      'routes[0].rules[0].retry.codes[0]: must be a whole number between 400 and 599, got 200 (fix: use a whole number between 400 and 599, e.g. 400)',
    );
    expect(messageOf(oneRule({ retry: { attempt: 2 } }))).toMatch(/^routes\[0\]\.rules\[0\]\.retry\.attempt: unknown key "attempt" \(fix: did you mean "attempts"\?/);
    expect(messageOf(oneRule({ retry: { per_try_timeout: '1.5s' } }))).toBe(
      'routes[0].rules[0].retry.per_try_timeout: invalid duration "1.5s" (fix: write 1–4 groups of up to 5 digits, each followed by h, m, s or ms, e.g. 300s, 1m30s, 500ms; 0s disables)',
    );
    expect(messageOf(oneRule({ retry: { backoff: { base: '0s' } } }))).toBe(
      'routes[0].rules[0].retry.backoff.base: backoff base "0s" is shorter than 1ms (fix: write at least 1ms)',
    );
    expect(messageOf(oneRule({ retry: { backoff: { base: '100ms', max: '50ms' } } }))).toBe(
      'routes[0].rules[0].retry.backoff.max: backoff max 50ms is shorter than base 100ms (fix: make max ≥ 100ms, or omit it (default 10 × base))',
    );
    expect(messageOf(oneRule({ retry: { budget: { percent: 120 } } }))).toMatch(/^routes\[0\]\.rules\[0\]\.retry\.budget\.percent: must be between 0 and 100 %, got 120 /);
    expect(messageOf(oneRule({ retry: { repick: 'yes' } }))).toMatch(/^routes\[0\]\.rules\[0\]\.retry\.repick: /);
  });

  it('an invalid duration gets one issue, not also a spurious "max < base"', () => {
    const retry = RetrySchema.safeParse({ backoff: { base: '100ms', max: 'zz' } });
    expect(retry.error?.issues.map((i) => i.message)).toEqual([expect.stringMatching(/^invalid duration "zz"/)]);
    const od = OutlierDetectionSchema.safeParse({ base_ejection_time: '30s', max_ejection_time: '1d' });
    expect(od.error?.issues.map((i) => i.message)).toEqual([expect.stringMatching(/^invalid duration "1d"/)]);
  });

  it('per_try_timeout against timeouts', () => {
    expect(messageOf(oneRule({ timeouts: { request: '10s' }, retry: { per_try_timeout: '11s' } }))).toBe(
      'routes[0].rules[0].retry.per_try_timeout: per_try_timeout 11s is longer than request 10s, which bounds all attempts together (fix: make per_try_timeout ≤ 10s, or set request: 0s to disable the overall timeout)',
    );
    expect(messageOf(oneRule({ timeouts: { backendRequest: '5s' }, retry: { per_try_timeout: '5s' } }))).toBe(
      'routes[0].rules[0].retry.per_try_timeout: per_try_timeout and timeouts.backendRequest both set the timeout of each try (fix: keep one of them)',
    );
  });

  it('rate_limits', () => {
    expect(messageOf(oneRule({ rate_limits: [{ max_tokens: 10, fill_interval: '49ms' }] }))).toBe(
      'routes[0].rules[0].rate_limits[0].fill_interval: fill_interval "49ms" is shorter than 50ms (fix: write at least 50ms)',
    );
    expect(messageOf(oneRule({ rate_limits: [{ fill_interval: '1s' }] }))).toMatch(/^routes\[0\]\.rules\[0\]\.rate_limits\[0\]\.max_tokens: missing required key "max_tokens"/);
    expect(messageOf(oneRule({ rate_limits: [{ max_tokens: 0 }] }))).toMatch(/^routes\[0\]\.rules\[0\]\.rate_limits\[0\]\.max_tokens: must be a whole number between 1 and 1e9 tokens, got 0 /);
    expect(messageOf(oneRule({ rate_limits: [{ max_tokens: 1, header: 'x tenant' }] }))).toBe(
      "routes[0].rules[0].rate_limits[0].header: invalid header name \"x tenant\" (fix: use letters, digits and !#$%&'*+-.^_`|~ only, e.g. x-tenant)",
    );
    expect(messageOf(oneRule({ rate_limits: Array.from({ length: 17 }, () => ({ max_tokens: 1 })) }))).toBe(
      'routes[0].rules[0].rate_limits: has more than 16 rate limits (fix: merge limits with the same header)',
    );
  });

  it('fallback must name a pool', () => {
    expect(messageOf(oneRule({ fallback: 'spar' }))).toBe('routes[0].rules[0].fallback: unknown pool "spar" (fix: did you mean "spare"? use one of chat, batch, spare)');
    expect(messageOf(oneRule({ fallback: 'gpu' }))).toBe('routes[0].rules[0].fallback: unknown pool "gpu" (fix: use one of chat, batch, spare)');
    expect(messageOf(oneRule({ fallback: '' }))).toMatch(/^routes\[0\]\.rules\[0\]\.fallback: /);
  });
});

describe('pool-level keys', () => {
  it('circuit_breaker: Envoy defaults 1024 / 1024, or as written', () => {
    expect(resolveCircuitBreaker(pool(CircuitBreakerSchema, 'circuit_breaker', {}) as never)).toEqual({ max_requests: 1024, max_pending_requests: 1024 });
    expect(resolveCircuitBreaker(pool(CircuitBreakerSchema, 'circuit_breaker', { max_requests: 64 }) as never)).toEqual({ max_requests: 64, max_pending_requests: 1024 });
    expect(pool(CircuitBreakerSchema, 'circuit_breaker', { max_requests: 0 })).toBe(
      'pools[0].circuit_breaker.max_requests: must be a whole number between 1 and 1e9 requests, got 0 (fix: use a whole number between 1 and 1e9 requests, e.g. 1)',
    );
    expect(pool(CircuitBreakerSchema, 'circuit_breaker', { max_connections: 1 })).toMatch(/^pools\[0\]\.circuit_breaker\.max_connections: unknown key "max_connections"/);
  });

  it('outlier_detection: Envoy defaults in µs; max_ejection_time defaults to max(300 s, base)', () => {
    const od = (data: unknown) => resolveOutlierDetection(pool(OutlierDetectionSchema, 'outlier_detection', data) as never);
    expect(od({})).toEqual({
      consecutive_5xx: 5,
      interval_us: 10_000_000,
      base_ejection_time_us: 30_000_000,
      max_ejection_time_us: 300_000_000,
      max_ejection_percent: 10,
    });
    // base 10 m = 600 s > 300 s ⇒ max = base.
    expect(od({ base_ejection_time: '10m' }).max_ejection_time_us).toBe(600_000_000);
    expect(od({ consecutive_5xx: 3, interval: '500ms', max_ejection_time: '45s', max_ejection_percent: 100 })).toEqual({
      consecutive_5xx: 3,
      interval_us: 500_000,
      base_ejection_time_us: 30_000_000,
      max_ejection_time_us: 45_000_000,
      max_ejection_percent: 100,
    });
  });

  it('outlier_detection: rejected, with the message', () => {
    const msg = (data: unknown) => pool(OutlierDetectionSchema, 'outlier_detection', data);
    expect(msg({ max_ejection_time: '10s' })).toBe(
      'pools[0].outlier_detection.max_ejection_time: max_ejection_time 10s is shorter than base_ejection_time 30s (fix: make it ≥ 30s, or omit it)',
    );
    expect(msg({ interval: '0s' })).toBe('pools[0].outlier_detection.interval: interval "0s" is shorter than 1ms (fix: write at least 1ms)');
    expect(msg({ consecutive_5xx: 0 })).toMatch(/^pools\[0\]\.outlier_detection\.consecutive_5xx: must be a whole number between 1 and 1e6 answers, got 0 /);
    expect(msg({ max_ejection_percent: 101 })).toMatch(/^pools\[0\]\.outlier_detection\.max_ejection_percent: must be a whole number between 0 and 100 %, got 101 /);
    expect(msg({ base_ejection_time: 30 })).toBe('pools[0].outlier_detection.base_ejection_time: duration 30 has no unit (fix: write "30s" for seconds; units are h, m, s and ms)');
  });
});
