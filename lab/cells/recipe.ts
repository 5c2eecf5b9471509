/**
 * How to build an experiment's scenarios again anywhere — in a worker thread, on another machine
 * running a shard, in `routesim merge`: the scenario file, the `--set` overrides, the trace replay
 * flags and the plugin modules given on the command line. A variant (a sweep grid point, a
 * capacity option) adds its own overrides after the recipe's.
 */
import { loadScenarioFile } from '../../sim/scenario/load.js';
import type { Override } from '../../sim/scenario/overrides/types.js';
import type { ScenarioConfig } from '../../sim/scenario/types.js';
import { withReplayOverrides } from '../../sim/workload/resolve.js';
import type { ReplayControls } from '../../sim/workload/spec.js';

export interface ScenarioRecipe {
  /** The scenario file as given on the command line. */
  readonly path: string;
  /** `--set` overrides, in order. */
  readonly overrides: readonly Override[];
  /** Trace replay flags (`--rate-scale`, `--from`, …). */
  readonly replay: Partial<ReplayControls>;
  /** `--plugin-module` specifiers (the scenario's own `plugin_modules` are read from it). */
  readonly pluginModules: readonly string[];
}

/** The recipe's scenario with a variant's overrides on top. */
export function loadRecipe(recipe: ScenarioRecipe, variant: readonly Override[] = []): ScenarioConfig {
  const overrides = variant.length === 0 ? recipe.overrides : [...recipe.overrides, ...variant];
  return withReplayOverrides(loadScenarioFile(recipe.path, overrides), recipe.replay, recipe.path);
}
