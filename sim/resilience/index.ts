/**
 * Gateway resilience primitives (issue 11; gateway.md §1.6–1.7, §3.1–3.4 in
 * ../shared/reference/gateway.md): token-bucket rate limits, Envoy retry back-off and retry
 * budget, outlier detection and circuit breaking. Pure, deterministic state over integer µs; the
 * simulation decides where they sit in a request's path.
 */
export * from './tokenBucket.js';
export * from './backoff.js';
export * from './retryBudget.js';
export * from './outlierDetection.js';
export * from './circuitBreaker.js';
