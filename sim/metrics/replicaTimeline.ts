/**
 * Replicas over time, GPU-hours and cost of a fleet that scales or churns (issue 11; autoscaling and
 * start-up: ../shared/reference/gateway.md §5, churn §6; cost convention §7.5: $/GPU-hour × every
 * GPU held, prices are dated inputs the scenario gives).
 *
 * `replicas_over_time` appears in a summary only when the run carries PolicyRun.replicaTimeline:
 * - pools: per pool the step function as simulated (t_s, ready, starting: a point at every change,
 *   the value holds until the next point), its ready minimum and maximum, and GPU-hours by GPU type
 *   (gpu_seconds / 3600, rounded to 4 decimals) with their `total`;
 * - gpu_hours: the fleet's GPU-hours by type and `total` (sums over pools, of the unrounded seconds);
 * - ready_min / ready_max: of the fleet's ready count Σ pools (the pools' step functions merged);
 * - cost_usd: only when a price table is given: Σ gpu_hours[type] × price[type] over the priced
 *   types; `unpriced` lists the GPU types with GPU-hours but no price (absent when every type has one).
 */
import { round4 } from './latency.js';
import type { PoolReplicaTimeline } from './types.js';

/** One pool's timeline in the summary. */
export interface PoolTimelineSummary {
  readonly t_s: readonly number[];
  readonly ready: readonly number[];
  readonly starting: readonly number[];
  readonly ready_min: number;
  readonly ready_max: number;
  /** GPU-hours by GPU type, and `total`. */
  readonly gpu_hours: Readonly<Record<string, number>>;
  readonly cost_usd?: number;
}

export interface ReplicasOverTime {
  readonly pools: Readonly<Record<string, PoolTimelineSummary>>;
  readonly ready_min: number;
  readonly ready_max: number;
  /** Fleet GPU-hours by GPU type, and `total`. */
  readonly gpu_hours: Readonly<Record<string, number>>;
  /** With a price table only. */
  readonly cost_usd?: number;
  /** With a price table only, when some used GPU type has no price. */
  readonly unpriced?: readonly string[];
}

const TOTAL = 'total';

/** GPU-hours by type (sorted) and `total`, from GPU-seconds. */
function hours(seconds: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  let sum = 0;
  for (const k of [...seconds.keys()].sort()) {
    out[k] = round4(seconds.get(k)! / 3600);
    sum += seconds.get(k)!;
  }
  out[TOTAL] = round4(sum / 3600);
  return out;
}

/** Σ seconds/3600 × price over the priced types, and the unpriced types with seconds > 0. */
function cost(seconds: ReadonlyMap<string, number>, prices: Readonly<Record<string, number>>): { usd: number; unpriced: string[] } {
  let usd = 0;
  const unpriced: string[] = [];
  for (const k of [...seconds.keys()].sort()) {
    const s = seconds.get(k)!;
    if (Object.hasOwn(prices, k)) usd += (s / 3600) * prices[k]!;
    else if (s > 0) unpriced.push(k);
  }
  return { usd: round4(usd), unpriced };
}

/** The fleet's ready count over time: the pools' step functions added up at every change time. */
export function fleetReady(timelines: readonly PoolReplicaTimeline[]): { t_s: number[]; ready: number[] } {
  const times = [...new Set(timelines.flatMap((p) => p.t_s))].sort((a, b) => a - b);
  const idx = timelines.map(() => -1);
  const ready = times.map((t) => {
    let sum = 0;
    timelines.forEach((p, i) => {
      while (idx[i]! + 1 < p.t_s.length && p.t_s[idx[i]! + 1]! <= t) idx[i]!++;
      if (idx[i]! >= 0) sum += p.ready[idx[i]!]!;
    });
    return sum;
  });
  return { t_s: times, ready };
}

function minMax(xs: readonly number[]): [number, number] {
  if (xs.length === 0) return [0, 0];
  return [Math.min(...xs), Math.max(...xs)];
}

/** The `replicas_over_time` summary of a run's timelines; `prices` ($/h per GPU of each type) adds cost. */
export function replicasOverTime(timelines: readonly PoolReplicaTimeline[], prices?: Readonly<Record<string, number>>): ReplicasOverTime {
  const pools: Record<string, PoolTimelineSummary> = {};
  const fleet = new Map<string, number>();
  for (const p of timelines) {
    const own = new Map<string, number>();
    for (const [k, s] of Object.entries(p.gpu_seconds)) {
      own.set(k, (own.get(k) ?? 0) + s);
      fleet.set(k, (fleet.get(k) ?? 0) + s);
    }
    const [lo, hi] = minMax(p.ready);
    pools[p.pool] = {
      t_s: [...p.t_s],
      ready: [...p.ready],
      starting: [...p.starting],
      ready_min: lo,
      ready_max: hi,
      gpu_hours: hours(own),
      ...(prices !== undefined ? { cost_usd: cost(own, prices).usd } : {}),
    };
  }
  const [lo, hi] = minMax(fleetReady(timelines).ready);
  const c = prices !== undefined ? cost(fleet, prices) : undefined;
  return {
    pools,
    ready_min: lo,
    ready_max: hi,
    gpu_hours: hours(fleet),
    ...(c !== undefined ? { cost_usd: c.usd, ...(c.unpriced.length > 0 ? { unpriced: c.unpriced } : {}) } : {}),
  };
}
