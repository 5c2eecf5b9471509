/**
 * Shard and merge modes of the process. A command that sees `--shard i/N` calls `beginShard`;
 * `routesim merge` calls `beginMerge` before replaying the recorded command. `createExecutor`
 * (lab/cells/executors.ts) passes its executor through `withShards`, which in shard mode runs only
 * the shard's cells and ends the command with `ShardDone` (carrying the partial result), and in
 * merge mode answers every cell from the parts — so the merged document comes from the very code
 * of an unsharded run. Any command that gets its executor from `createExecutor` and records its
 * input files with `setShardInputs` can be sharded.
 */
import { relative, resolve } from 'node:path';
import { UserError } from '../../sim/core/errors.js';
import { inputsRead } from '../../sim/core/inputsRead.js';
import { cellKey, type Cell, type CellResult } from '../cells/cell.js';
import type { CellExecutor } from '../cells/executor.js';
import { replayArgs } from './args.js';
import { fingerprintOf, type ShardPartial } from './partial.js';
import { shardCellIndices, shardOfCell, type ShardSpec } from './spec.js';

interface ShardMode {
  readonly kind: 'shard';
  readonly spec: ShardSpec;
  readonly out: string;
  readonly command: readonly string[];
  readonly version: string;
}
interface MergeMode {
  readonly kind: 'merge';
  /** By shard index − 1. */
  readonly parts: readonly ShardPartial[];
  readonly files: readonly string[];
  readonly version: string;
}

let mode: ShardMode | MergeMode | null = null;
let inputs: readonly string[] = [];

/** Thrown when a shard's cells are done: the command stops and the CLI writes `partial` to `out`. */
export class ShardDone extends Error {
  constructor(
    readonly partial: ShardPartial,
    readonly out: string,
  ) {
    super(`shard ${partial.shard.index}/${partial.shard.count} done`);
  }
}

/** Shard mode: `argv` is the command line after `routesim` (recorded without output/jobs/shard flags). */
export function beginShard(spec: ShardSpec, out: string, argv: readonly string[], version: string): void {
  mode = { kind: 'shard', spec, out, command: replayArgs(argv), version };
}

/** Merge mode over the checked parts (by shard index). */
export function beginMerge(parts: readonly ShardPartial[], files: readonly string[], version: string): void {
  mode = { kind: 'merge', parts, files, version };
}

/** Back to normal (tests, and the end of a merge). */
export function endSharding(): void {
  mode = null;
  inputs = [];
}

/** Whether cells must go through `createExecutor` (no in-thread shortcut). */
export function shardingActive(): boolean {
  return mode !== null;
}

/** The files the command reads (scenario, traces): part of the fingerprint. */
export function setShardInputs(files: readonly string[]): void {
  inputs = [...files];
}

/**
 * The files the fingerprint covers: those the command named and every input read so far (EPP
 * configs, traces…), relative to the working directory (shards and the merge may run in
 * different places with the same layout), sorted. Taken before any cell runs, in both modes.
 */
function fingerprintFiles(): string[] {
  const all = new Set([...inputs.map((f) => resolve(f)), ...inputsRead()]);
  return [...all].map((f) => relative(process.cwd(), f) || f).sort();
}

/** `inner` as is, or the shard's or the merge's executor. */
export function withShards(inner: CellExecutor): CellExecutor {
  if (mode === null) return inner;
  return mode.kind === 'shard' ? new ShardExecutor(inner, mode) : new LookupExecutor(inner, mode);
}

/** Runs only its shard's share of the cells (with `inner`), then throws ShardDone. */
class ShardExecutor implements CellExecutor {
  private ran = false;
  constructor(
    private readonly inner: CellExecutor,
    private readonly m: ShardMode,
  ) {}

  async run(cells: readonly Cell[]): Promise<CellResult[]> {
    if (this.ran) throw new UserError('--shard: this command plans its cells in rounds that depend on earlier results, so they cannot be split in advance (fix: run it unsharded)');
    this.ran = true;
    const files = fingerprintFiles();
    const mine = shardCellIndices(cells.length, this.m.spec);
    const results = await this.inner.run(mine.map((i) => cells[i]!));
    const partial: ShardPartial = {
      routesim_partial: 1,
      version: this.m.version,
      command: this.m.command,
      fingerprint: fingerprintOf(this.m.command, files, this.m.version, cells.length),
      shard: this.m.spec,
      cells_total: cells.length,
      cells: mine.map((i, j) => ({ key: cellKey(cells[i]!), result: results[j]! })),
    };
    throw new ShardDone(partial, this.m.out);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Answers every cell from the parts, by `cellKey`. */
class LookupExecutor implements CellExecutor {
  private readonly byKey = new Map<string, CellResult>();
  private checked = false;
  constructor(
    private readonly inner: CellExecutor,
    private readonly m: MergeMode,
  ) {
    for (const p of m.parts) for (const c of p.cells) this.byKey.set(c.key, c.result);
  }

  run(cells: readonly Cell[], onDone?: (index: number, result: CellResult) => void): Promise<CellResult[]> {
    try {
      if (!this.checked) this.check(cells.length);
      this.checked = true;
      const count = this.m.parts[0]!.shard.count;
      const results = cells.map((cell, i) => {
        const r = this.byKey.get(cellKey(cell));
        if (r === undefined) {
          const s = shardOfCell(i, count);
          throw new UserError(`${this.m.files[s - 1]}: no result for cell ${cellKey(cell)}, which shard ${s}/${count} should have run (fix: run that shard again with the same command and files)`);
        }
        onDone?.(i, r);
        return r;
      });
      return Promise.resolve(results);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private check(cells: number): void {
    const first = this.m.parts[0]!;
    if (cells !== first.cells_total) throw new UserError(`routesim merge: the replayed command plans ${cells} cells, the shards ran ${first.cells_total} (fix: merge with the same scenario files, at the same relative paths, and the same routesim version as the shards)`);
    const files = fingerprintFiles();
    const fp = fingerprintOf(first.command, files, this.m.version, cells);
    const list = files.length > 3 ? `${files.slice(0, 3).join(', ')}, …` : files.join(', ');
    if (fp !== first.fingerprint) throw new UserError(`routesim merge: the input files here (${list}) differ from those the shards ran with (fix: merge in a directory with the same scenario files at the same relative paths)`);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
