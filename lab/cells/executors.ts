/**
 * The executor a command runs its cells with: this thread (`--jobs 1`), or a pool of worker
 * threads. Commands (run, capacity) ask here, so `--shard` and `routesim merge` (lab/shards) can
 * substitute theirs in one place.
 */
import type { Override } from '../../sim/scenario/overrides/types.js';
import { PoolExecutor } from '../parallel/pool.js';
import { LocalExecutor, type CellExecutor, type VariantConfigs } from './executor.js';
import type { ScenarioRecipe } from './recipe.js';
import { withShards } from '../shards/context.js';

export interface ExecutorOptions {
  readonly recipe: ScenarioRecipe;
  /** Variant v's own overrides (after the recipe's); variant 0 has none. */
  readonly variantOverrides: (variant: number) => readonly Override[];
  /** Its scenario, built in this thread (for cells that run here). */
  readonly configOf: VariantConfigs;
  /** Worker threads; 1 = this thread. */
  readonly jobs: number;
}

export function createExecutor(o: ExecutorOptions): CellExecutor {
  return withShards(o.jobs <= 1 ? new LocalExecutor(o.configOf) : new PoolExecutor(o.recipe, o.variantOverrides, o.jobs));
}
