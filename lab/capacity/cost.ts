/**
 * What a fleet option costs (gateway.md §7.5): every GPU of the policy's run — each pool's replica
 * groups, prefill and decode alike, a policy's own `replicas` in place of its pool's — at $/GPU-hour
 * (built-in table, the scenario's `gpu_prices`, the options file's `prices`, `--prices`, later
 * winning), and per answer QPS per $/h and $ per million tokens at the answer's rate; plus the
 * Pareto front of cost against max rate.
 */
import { UserError } from '../../sim/core/errors.js';
import { round4 } from '../../sim/metrics/summary.js';
import { poolsForPolicy } from '../../sim/pools/resolve.js';
import type { PolicySpec, ScenarioConfig } from '../../sim/scenario/types.js';
import type { CapacityCost, Probe } from './types.js';

/** GPUs by type of one policy's run: Σ replicas × tp over every pool's groups. */
export function gpusByType(config: ScenarioConfig, policy: PolicySpec): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pool of poolsForPolicy(config, policy)) for (const g of pool.replicas) out[g.gpu] = (out[g.gpu] ?? 0) + g.count * g.tp;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The cost block of an answer: the fleet's $/h, and per $ figures at `atRate`'s probe (null without one). */
export function costOf(config: ScenarioConfig, policy: PolicySpec, prices: Readonly<Record<string, number>>, maxRate: number | null, atRate: Probe | undefined, what: string): CapacityCost {
  const gpus = gpusByType(config, policy);
  let total = 0;
  let usd = 0;
  const used: Record<string, number> = {};
  for (const [gpu, n] of Object.entries(gpus)) {
    const price = Object.hasOwn(prices, gpu) ? prices[gpu] : undefined;
    if (price === undefined) throw new UserError(`${what}: no $/GPU-hour for ${gpu} (fix: add it to --prices FILE, e.g. ${gpu}: 2.0, or to the scenario's gpu_prices)`);
    used[gpu] = price;
    total += n;
    usd += n * price;
  }
  const perMtok = (tokensPerS: number): number | null => (atRate === undefined || !(tokensPerS > 0) ? null : round4((usd / (tokensPerS * 3600)) * 1e6));
  return {
    gpus: total,
    usd_per_hour: round4(usd),
    qps_per_usd_hour: maxRate === null || usd === 0 ? null : round4(maxRate / usd),
    usd_per_mtok_output: perMtok(atRate?.output_tokens_per_s ?? 0),
    usd_per_mtok_total: perMtok((atRate?.output_tokens_per_s ?? 0) + (atRate?.input_tokens_per_s ?? 0)),
    prices: used,
  };
}

/** On the front: no other point is at most as dear and at least as fast, better in one. A null rate is never on it. */
export function paretoFront(points: readonly { usd: number; rate: number | null }[]): boolean[] {
  return points.map((p, i) => {
    if (p.rate === null) return false;
    return !points.some((q, j) => j !== i && q.rate !== null && q.usd <= p.usd && q.rate >= p.rate! && (q.usd < p.usd || q.rate > p.rate!));
  });
}
