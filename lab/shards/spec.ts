/**
 * `--shard i/N`: which cells shard i of N runs. Cells are dealt round-robin over the plan's cell
 * list (cell k goes to shard k mod N + 1), so neighbouring cells — the seeds of one policy, the
 * rates of one sweep, which cost alike — spread evenly over the shards, and every cell belongs to
 * exactly one shard whatever N is (shards beyond the cell count are empty).
 */
import { inputError } from '../../sim/core/errors.js';

/** Most shards `--shard` accepts. */
export const MAX_SHARDS = 10_000;

export interface ShardSpec {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** `--shard i/N`, 1 ≤ i ≤ N ≤ 10,000. */
export function parseShardFlag(text: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    throw inputError('--shard', '', `expected i/N with 1 ≤ i ≤ N ≤ ${MAX_SHARDS}, got ${JSON.stringify(text)}`, 'pass e.g. --shard 1/4 (the first of four shards)');
  }
  return { index, count };
}

/** The shard (1-based) that runs the cell at `cellIndex` of the plan. */
export function shardOfCell(cellIndex: number, count: number): number {
  return (cellIndex % count) + 1;
}

/** Indices of the cells (of `cells` in the plan) that shard `spec` runs, in plan order. */
export function shardCellIndices(cells: number, spec: ShardSpec): number[] {
  const out: number[] = [];
  for (let k = spec.index - 1; k < cells; k += spec.count) out.push(k);
  return out;
}
