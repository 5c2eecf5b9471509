/**
 * GPU-hours and cost of a run (issue 11): GPU-seconds by GPU type (PoolReplicaTimeline.gpu_seconds,
 * every replica holding GPUs, TP counted) priced with $/GPU-hour from sim/hardware/gpuPrices.json
 * (indicative planning values, see its `_source`) overridden by the scenario's `gpu_prices`.
 * (gateway.md §5.6: BLIS prices node pools with `cost_per_hour`; §7 capacity-planning conventions.)
 */
import priceData from '../hardware/gpuPrices.json' with { type: 'json' };

/** The built-in table, without its `_source` note. */
const BUILT_IN: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(priceData).filter((e): e is [string, number] => typeof e[1] === 'number'),
);

/** Where the built-in prices come from (gpuPrices.json `_source`). */
export const GPU_PRICES_SOURCE: string = priceData._source;

/** $/GPU-hour by GPU type: the built-in table with `overrides` on top. */
export function gpuPrices(overrides: Readonly<Record<string, number>> = {}): Readonly<Record<string, number>> {
  return { ...BUILT_IN, ...overrides };
}

export interface GpuHours {
  readonly byType: Readonly<Record<string, number>>;
  readonly total: number;
}

/** GPU-hours by type and in total from GPU-seconds by type. */
export function gpuHours(gpuSeconds: Readonly<Record<string, number>>): GpuHours {
  const byType: Record<string, number> = {};
  let total = 0;
  for (const [gpu, s] of Object.entries(gpuSeconds)) {
    byType[gpu] = s / 3600;
    total += s / 3600;
  }
  return { byType, total };
}

export interface Cost {
  readonly byType: Readonly<Record<string, number>>;
  /** Sum over the priced types, $. */
  readonly totalUsd: number;
  /** GPU types used without a price (left out of the total). */
  readonly unpriced: readonly string[];
}

/** $ of GPU-seconds by type at `prices` ($/GPU-hour). */
export function costUsd(gpuSeconds: Readonly<Record<string, number>>, prices: Readonly<Record<string, number>> = gpuPrices()): Cost {
  const byType: Record<string, number> = {};
  const unpriced: string[] = [];
  let totalUsd = 0;
  for (const [gpu, s] of Object.entries(gpuSeconds)) {
    const price = Object.hasOwn(prices, gpu) ? prices[gpu] : undefined;
    if (price === undefined) {
      if (s > 0) unpriced.push(gpu);
      continue;
    }
    byType[gpu] = (s / 3600) * price;
    totalUsd += byType[gpu]!;
  }
  return { byType, totalUsd, unpriced };
}
