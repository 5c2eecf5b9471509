/**
 * A worker thread's side of the pool (lab/parallel/pool.ts): builds the cell's scenario from the
 * recipe (cached per variant: a worker runs many cells of few variants), runs the cell and returns
 * its JSON result. A user error comes back as data, so the main thread can say it in one line.
 */
import { ScenarioRunError, UserError } from '../../sim/core/errors.js';
import { muteInputWarnings } from '../../sim/scenario/warnings.js';
import type { ScenarioConfig } from '../../sim/scenario/types.js';
import type { Override } from '../../sim/scenario/overrides/types.js';
import { preloadForCommand } from '../../cli/pluginPreload.js';
import type { Cell, CellResult } from '../cells/cell.js';
import { runCell } from '../cells/runCell.js';
import { loadRecipe, type ScenarioRecipe } from '../cells/recipe.js';

export interface CellTask {
  readonly recipe: ScenarioRecipe;
  /** The cell's variant's own overrides (after the recipe's). */
  readonly variant: readonly Override[];
  readonly cell: Cell;
}

export type CellReply = { readonly ok: true; readonly result: CellResult } | { readonly ok: false; readonly kind: 'run' | 'user' | 'internal'; readonly message: string };

muteInputWarnings();

const configs = new Map<string, ScenarioConfig>();
const plugins = new Map<string, Promise<void>>();

export default async function runTask(task: CellTask): Promise<CellReply> {
  try {
    const recipeKey = JSON.stringify(task.recipe);
    let loading = plugins.get(recipeKey);
    if (loading === undefined) {
      loading = preloadForCommand([task.recipe.path], task.recipe.pluginModules.length > 0 ? { pluginModule: [...task.recipe.pluginModules] } : {});
      plugins.set(recipeKey, loading);
    }
    await loading;
    const key = `${recipeKey}\n${JSON.stringify(task.variant)}`;
    let config = configs.get(key);
    if (config === undefined) {
      config = loadRecipe(task.recipe, task.variant);
      configs.set(key, config);
    }
    return { ok: true, result: runCell(config, task.cell) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, kind: err instanceof ScenarioRunError ? 'run' : err instanceof UserError ? 'user' : 'internal', message: message.split('\n')[0] ?? '' };
  }
}
