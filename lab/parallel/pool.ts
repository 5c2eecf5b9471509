/**
 * Runs cells on worker threads (piscina), `jobs` at a time. Each task carries the recipe and the
 * variant's overrides, so a worker rebuilds the scenario exactly as the main thread did; results
 * come back as JSON values and are returned in the order of the cells, so the assembled output is
 * byte-identical to `--jobs 1`. The worker code is the built `dist/lab/parallel/worker.js`.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../sim/core/paths.js';
import { inputError, ScenarioRunError, UserError } from '../../sim/core/errors.js';
import type { Override } from '../../sim/scenario/overrides/types.js';
import type { Cell, CellResult } from '../cells/cell.js';
import type { CellExecutor } from '../cells/executor.js';
import type { ScenarioRecipe } from '../cells/recipe.js';
import type { CellReply, CellTask } from './worker.js';
import { YOUNG_GENERATION_MB } from './heap.js';

/** The built worker module (tests run from sources; the worker always runs the build). */
export const WORKER_FILE = join(PACKAGE_ROOT, 'dist', 'lab', 'parallel', 'worker.js');

/** Most worker threads `--jobs` accepts. */
export const MAX_JOBS = 256;

/** `--jobs N` (absent: the machine's cores). */
export function parseJobsFlag(text: string | undefined): number {
  if (text === undefined) return availableParallelism();
  const t = text.trim();
  const n = Number(t);
  if (!/^\d+$/.test(t) || n < 1 || n > MAX_JOBS) throw inputError('--jobs', '', `expected a whole number of worker threads from 1 to ${MAX_JOBS}, got ${JSON.stringify(text)}`, `pass e.g. --jobs ${availableParallelism()} (this machine's cores)`);
  return n;
}

type Pool = { run(task: CellTask): Promise<CellReply>; destroy(): Promise<void> };

export class PoolExecutor implements CellExecutor {
  private pool: Pool | null = null;

  constructor(
    private readonly recipe: ScenarioRecipe,
    private readonly variantOverrides: (variant: number) => readonly Override[],
    private readonly jobs: number,
  ) {}

  private async open(): Promise<Pool> {
    if (this.pool !== null) return this.pool;
    if (!existsSync(WORKER_FILE)) throw new UserError(`--jobs: the worker module ${WORKER_FILE} is missing (fix: run npm run build, or pass --jobs 1)`);
    const { Piscina } = await import('piscina');
    this.pool = new Piscina({ filename: WORKER_FILE, minThreads: 1, maxThreads: this.jobs, idleTimeout: 60_000, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } }) as unknown as Pool;
    return this.pool;
  }

  async run(cells: readonly Cell[], onDone?: (index: number, result: CellResult) => void): Promise<CellResult[]> {
    if (cells.length === 0) return [];
    const pool = await this.open();
    const results: CellResult[] = new Array(cells.length);
    let failure: Extract<CellReply, { ok: false }> | null = null;
    // Our own FIFO queue: each of `jobs` runners takes the next cell when its last one is done, so
    // cheap and costly cells (a round-robin run and an EPP run) spread over the threads as they go.
    let next = 0;
    const runner = async (): Promise<void> => {
      while (failure === null && next < cells.length) {
        const i = next++;
        const reply = await pool.run({ recipe: this.recipe, variant: this.variantOverrides(cells[i]!.variant), cell: cells[i]! });
        if (!reply.ok) {
          failure ??= reply;
          return;
        }
        results[i] = reply.result;
        onDone?.(i, reply.result);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.jobs, cells.length) }, runner));
    if (failure !== null) {
      const f = failure as Extract<CellReply, { ok: false }>;
      throw f.kind === 'run' ? new ScenarioRunError(f.message) : f.kind === 'user' ? new UserError(f.message) : new Error(f.message);
    }
    return results;
  }

  async close(): Promise<void> {
    const p = this.pool;
    this.pool = null;
    await p?.destroy();
  }
}
