/**
 * Which way is better for every summary figure, so a gate rule that can never catch a regression
 * (`max_increase` on goodput, `max_decrease` on a latency) is refused when the rules are read.
 *
 * Catalogue (figure paths as in reports/figures.ts; the same names inside `by_class.<dim>.<key>.`,
 * `stages.<i>.` and (issue 10) `by_pool.<pool>.`, `by_route.<route>.`, `by_model.<model>.`,
 * `by_role.<role>.` mean the same, whatever dots the key holds; in the P/D TTFT breakdown
 * `pd.{disaggregated,aggregated}.<part>_ms.*` are latencies, `pd.disaggregated_share`, `pd.*.count`
 * and `pd.disaggregated.mean_kv_transfer_bytes` describe the run):
 *
 * | better | figures |
 * |---|---|
 * | lower  | every latency block (`ttft_ms`, `tpot_ms`, `itl_ms`, `e2e_ms`, `queue_ms`, any `*_ms`), `rejected`, `dropped`, `rejected_by_reason.*`, `dropped_by_status.*`, `dropped_by_reason.*`, `preemptions`, `lora_loads`, `balance.request_share_cv`; per replica `preemptions`, `lora_loads` |
 * | higher | `completed`, `throughput.*_per_s`, `goodput.*_per_s`, `goodput.fraction`, `prefix_cache_hit_rate`, `mean_cached_tokens`; per replica `prefix_cache_hit_rate` |
 * | either | figures that describe the run rather than judge it: `arrived`, `throughput.duration_s`, per replica `requests`, `share`, `completed`, `input_tokens`, `output_tokens`, `busy_fraction`, `num_gpu_blocks`; `stages.<i>.{index, from_s, to_s, rate}`, `window.*`, `steady_state.*`, `dropped_detail.*` |
 *
 *
 * Issue 11 (a fleet that fails and scales, sim/metrics/resilience.ts, replicaTimeline.ts): lower is
 * better for `failed`, `failed_by_reason.*`, every `resilience.*` count (timeouts, rate limits,
 * circuit-open, resets, failed, fallbacks, retries, retries over budget, per-try timeouts, ejections,
 * `mean_attempts`) — also inside `by_route.<route>.` and `by_class.tenant.<tenant>.` — and for
 * `replicas_over_time.gpu_hours.*`, `replicas_over_time.cost_usd` and the same per pool
 * (`replicas_over_time.pools.<pool>.gpu_hours.*`, `.cost_usd`); the ready-replica range
 * (`ready_min`, `ready_max`) describes the run (either).
 *
 * A rule on an "either" figure may use either direction (a bound on drift); so may a rule on a
 * figure missing from the catalogue ("unknown", e.g. one a later summary grows), which a test keeps
 * from happening for every figure routesim writes today.
 */

export type Better = 'lower' | 'higher' | 'either' | 'unknown';

const LOWER = new Set(['rejected', 'dropped', 'rejected_by_reason', 'dropped_by_status', 'dropped_by_reason', 'preemptions', 'lora_loads', 'failed', 'failed_by_reason', 'resilience']);
const HIGHER = new Set(['completed', 'prefix_cache_hit_rate', 'mean_cached_tokens']);
const EITHER = new Set(['arrived', 'window', 'steady_state', 'dropped_detail', 'index', 'from_s', 'to_s', 'rate']);
const REPLICA_EITHER = new Set(['requests', 'share', 'completed', 'input_tokens', 'output_tokens', 'busy_fraction', 'num_gpu_blocks']);
/** Subset figures (sim/metrics/pools.ts): `<dimension>.<key>.<figure>`, the key may contain dots (a model name). */
const SUBSETS = new Set(['by_pool', 'by_route', 'by_model', 'by_role']);
const PD_EITHER = new Set(['disaggregated_share', 'count', 'mean_kv_transfer_bytes']);

/** Figures of `replicas_over_time` (fleet, or `pools.<pool>.` with the pool name's dots): its last parts. */
function timelineDirection(parts: readonly string[]): Better {
  const last = parts.at(-1) ?? '';
  const prev = parts.at(-2) ?? '';
  if (last === 'cost_usd' || prev === 'gpu_hours') return 'lower';
  if (last === 'ready_min' || last === 'ready_max') return 'either';
  return 'unknown';
}

/** The better direction of a summary figure (a resolved dot path). */
export function betterDirection(path: string): Better {
  let parts = path.split('.');
  if (parts[0] === 'replicas_over_time') return timelineDirection(parts);
  if (SUBSETS.has(parts[0] ?? '')) {
    // The first split after the key that names a catalogued figure.
    for (let k = 2; k < parts.length; k++) {
      const b = betterDirection(parts.slice(k).join('.'));
      if (b !== 'unknown') return b;
    }
    return 'unknown';
  }
  if (parts[0] === 'pd') {
    parts = parts.slice(parts[1] === 'disaggregated' || parts[1] === 'aggregated' ? 2 : 1);
    if (PD_EITHER.has(parts[0] ?? '')) return 'either';
    return /_ms$/.test(parts[0] ?? '') ? 'lower' : 'unknown';
  }
  if (parts[0] === 'replicas') {
    const field = parts[2] ?? '';
    if (field === 'prefix_cache_hit_rate') return 'higher';
    if (field === 'preemptions' || field === 'lora_loads') return 'lower';
    return REPLICA_EITHER.has(field) ? 'either' : 'unknown';
  }
  if (parts[0] === 'by_class' && parts.length > 3) parts = parts.slice(3);
  else if (parts[0] === 'stages' && parts.length > 2) parts = parts.slice(2);
  const head = parts[0] ?? '';
  const last = parts.at(-1) ?? '';
  if (/_ms$/.test(head)) return 'lower';
  if (head === 'throughput' || head === 'goodput') {
    if (last.endsWith('_per_s') || (head === 'goodput' && last === 'fraction')) return 'higher';
    return head === 'throughput' && last === 'duration_s' ? 'either' : 'unknown';
  }
  if (head === 'balance') return last === 'request_share_cv' ? 'lower' : 'unknown';
  if (LOWER.has(head)) return 'lower';
  if (HIGHER.has(head)) return 'higher';
  if (EITHER.has(head)) return 'either';
  return 'unknown';
}

/** Whether a rule in `direction` ('increase' = max_increase) guards against a regression of `path`. */
export function directionCatches(path: string, direction: 'increase' | 'decrease'): boolean {
  const b = betterDirection(path);
  return b === 'either' || b === 'unknown' || (b === 'lower') === (direction === 'increase');
}
