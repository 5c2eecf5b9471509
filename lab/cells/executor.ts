/**
 * How an experiment's cells get run. The experiment (a multi-seed run, a sweep grid, a capacity
 * search) lists its cells and assembles the results; an executor runs them: here in this thread
 * (LocalExecutor), on worker threads (lab/parallel), or only one shard's share (lab/shards). Every
 * executor returns the results in the order of the cells it was given.
 */
import type { ScenarioConfig } from '../../sim/scenario/types.js';
import type { Cell, CellResult } from './cell.js';
import { runCell, type CellHooks } from './runCell.js';

export interface CellExecutor {
  /** Runs `cells`; `onDone` hears of each as it finishes (in any order). Results in the order of `cells`. */
  run(cells: readonly Cell[], onDone?: (index: number, result: CellResult) => void): Promise<CellResult[]>;
  /** Frees threads and files (idempotent). */
  close(): Promise<void>;
}

/** The scenario of each variant (0 = the scenario as loaded). */
export type VariantConfigs = (variant: number) => ScenarioConfig;

/** Runs cells one after the other in this thread, with the caller's hooks (records, decisions, progress). */
export class LocalExecutor implements CellExecutor {
  constructor(
    private readonly configOf: VariantConfigs,
    private readonly hooksOf: (cell: Cell) => CellHooks | undefined = () => undefined,
  ) {}

  runSync(cells: readonly Cell[], onDone?: (index: number, result: CellResult) => void): CellResult[] {
    return cells.map((cell, i) => {
      const r = runCell(this.configOf(cell.variant), cell, this.hooksOf(cell));
      onDone?.(i, r);
      return r;
    });
  }

  run(cells: readonly Cell[], onDone?: (index: number, result: CellResult) => void): Promise<CellResult[]> {
    try {
      return Promise.resolve(this.runSync(cells, onDone));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
