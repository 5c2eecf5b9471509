/**
 * Issue 11: churn events, route retries / timeouts / rate limits / fallback, pool circuit
 * breakers, outlier detection, autoscaling, start-up and GPU prices. Each case breaks one field of
 * a small valid pools scenario.
 */
import type { BadInputCase } from './types.js';

const POOL = (extra = ''): string => `pools:
  - name: p
    model: Llama-3.1-8B
    gpu: H100
    replicas: 2
${extra}`;
const WORKLOAD = `workload:
  arrival: {process: poisson, rate: 10}
  input: 100
  output: 10
`;
const base = (o: { pool?: string; routes?: string; extra?: string; policies?: string } = {}): string =>
  `name: c\nseed: 1\nrequests: 20\n${POOL(o.pool)}${o.routes ?? ''}${WORKLOAD}${o.extra ?? ''}${o.policies ?? ''}`;
const rule = (r: string): string => `routes:\n  - rules: [{backendRefs: [{name: p}], ${r}}]\n`;

const y = (text: string): Record<string, string> => ({ 's.yaml': text });
const run = ['run', 's.yaml'];

export const cases: readonly BadInputCase[] = [
  // --- events -----------------------------------------------------------------------------------
  { name: 'event of unknown kind', files: y(base({ extra: 'events: [{at_s: 1, kind: explode, replica: 0}]\n' })), args: run, stderr: [/events\[0\]\.kind/, /fail|recover/] },
  { name: 'event replica out of range', files: y(base({ extra: 'events: [{at_s: 1, kind: fail, replica: 2}]\n' })), args: run, stderr: [/events\[0\]\.replica/, /replicas 0–1, not 2/] },
  { name: 'event naming an unknown pool', files: y(base({ extra: 'events: [{at_s: 1, kind: fail, pool: q, replica: 0}]\n' })), args: run, stderr: [/events\[0\]\.pool/, /unknown pool "q"/] },
  { name: 'event without a replica', files: y(base({ extra: 'events: [{at_s: 1, kind: recover}]\n' })), args: run, stderr: [/events\[0\]\.replica/, /missing/] },
  { name: 'event with replica and replicas', files: y(base({ extra: 'events: [{at_s: 1, kind: fail, replica: 0, replicas: [1]}]\n' })), args: run, stderr: [/events\[0\]\.replicas/, /both/] },
  { name: 'event with a negative detection delay', files: y(base({ extra: 'events: [{at_s: 1, kind: fail, replica: 0, detect_s: -1}]\n' })), args: run, stderr: /events\[0\]\.detect_s/ },
  { name: 'event of unknown failure mode', files: y(base({ extra: 'events: [{at_s: 1, kind: fail, replica: 0, mode: melt}]\n' })), args: run, stderr: [/events\[0\]\.mode/, /crash/] },
  { name: 'event replica listed twice', files: y(base({ extra: 'events: [{at_s: 1, kind: fail, replicas: [0, 0]}]\n' })), args: run, stderr: [/events\[0\]\.replicas/, /twice/] },
  { name: 'policy event with a replica out of range', files: y(base({ policies: 'policies: [{type: random, pool: p, events: [{at_s: 1, kind: fail, replica: 5}]}]\n' })), args: run, stderr: /policies\[0\]\.events\[0\]\.replica/ },

  // --- route resilience ---------------------------------------------------------------------------
  { name: 'retry attempts above 10', files: y(base({ routes: rule('retry: {attempts: 11}') })), args: run, stderr: /routes\[0\]\.rules\[0\]\.retry\.attempts/ },
  { name: 'retry on a 2xx code', files: y(base({ routes: rule('retry: {codes: [200]}') })), args: run, stderr: /routes\[0\]\.rules\[0\]\.retry\.codes/ },
  { name: 'per-try timeout not a duration', files: y(base({ routes: rule('retry: {per_try_timeout: soon}') })), args: run, stderr: /routes\[0\]\.rules\[0\]\.retry\.per_try_timeout/ },
  { name: 'rate limit refilled faster than 50 ms', files: y(base({ routes: rule('rate_limits: [{max_tokens: 5, fill_interval: 10ms}]') })), args: run, stderr: /routes\[0\]\.rules\[0\]\.rate_limits\[0\]\.fill_interval/ },
  { name: 'rate limit of zero tokens', files: y(base({ routes: rule('rate_limits: [{max_tokens: 0, fill_interval: 1s}]') })), args: run, stderr: /routes\[0\]\.rules\[0\]\.rate_limits\[0\]\.max_tokens/ },
  { name: 'fallback to an unknown pool', files: y(base({ routes: rule('fallback: spare') })), args: run, stderr: [/routes\[0\]\.rules\[0\]\.fallback/, /spare/] },
  { name: 'request timeout not a duration', files: y(base({ routes: rule('timeouts: {request: 5 seconds}') })), args: run, stderr: /routes\[0\]\.rules\[0\]\.timeouts\.request/ },
  { name: 'policy routes to an unknown pool', files: y(base({ policies: 'policies: [{type: random, pool: p, routes: [{rules: [{backendRefs: [{name: pp}]}]}]}]\n' })), args: run, stderr: [/policies\[0\]\.routes/, /pp/] },

  // --- pool resilience, autoscaling, start-up, prices -------------------------------------------------
  { name: 'circuit breaker max_requests 0', files: y(base({ pool: '    circuit_breaker: {max_requests: 0}\n' })), args: run, stderr: /pools\[0\]\.circuit_breaker\.max_requests/ },
  { name: 'outlier ejection above 100 %', files: y(base({ pool: '    outlier_detection: {max_ejection_percent: 150}\n' })), args: run, stderr: /pools\[0\]\.outlier_detection\.max_ejection_percent/ },
  { name: 'autoscaling min above max', files: y(base({ pool: '    autoscaling: {metric: queue, target: 2, min_replicas: 5, max_replicas: 3}\n' })), args: run, stderr: [/pools\[0\]\.autoscaling\.min_replicas/, /above max_replicas/] },
  { name: 'autoscaling on an unknown metric', files: y(base({ pool: '    autoscaling: {metric: gpu, target: 2, max_replicas: 3}\n' })), args: run, stderr: [/pools\[0\]\.autoscaling\.metric/, /queue/] },
  { name: 'autoscaling on queue without a target', files: y(base({ pool: '    autoscaling: {metric: queue, max_replicas: 3}\n' })), args: run, stderr: [/pools\[0\]\.autoscaling\.target/, /needs a target/] },
  { name: 'autoscaling a group that does not exist', files: y(base({ pool: '    autoscaling: {metric: queue, target: 2, max_replicas: 3, group: 4}\n' })), args: run, stderr: [/pools\[0\]\.autoscaling\.group/, /does not exist/] },
  { name: 'autoscaled group starting above max', files: y(base({ pool: '    autoscaling: {metric: queue, target: 2, min_replicas: 1, max_replicas: 1}\n' })), args: run, stderr: [/pools\[0\]\.replicas/, /outside min_replicas 1 … max_replicas 1/] },
  { name: 'kv target above 1', files: y(base({ pool: '    autoscaling: {metric: kv, target: 80, max_replicas: 3}\n' })), args: run, stderr: [/pools\[0\]\.autoscaling\.target/, /fraction/] },
  { name: 'negative weight load time', files: y(base({ pool: '    startup: {load_s: -3}\n' })), args: run, stderr: /pools\[0\]\.startup\.load_s/ },
  { name: 'negative GPU price', files: y(base({ extra: 'gpu_prices: {H100: -2}\n' })), args: run, stderr: /gpu_prices\.H100/ },
  { name: 'policy autoscaling starting outside its bounds', files: y(base({ policies: 'policies: [{type: random, pool: p, autoscaling: {metric: queue, target: 2, min_replicas: 3, max_replicas: 6}}]\n' })), args: run, stderr: [/policies\[0\]\.autoscaling/, /outside/] },
];
