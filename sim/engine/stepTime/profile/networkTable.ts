/**
 * TP all-reduce from a Vidur NCCL table (calibration.md §3.6; vidur_network_<node>_all_reduce.csv):
 * rows with num_workers = devices_per_node = TP, time_stats.all_reduce.mean (ms) vs size (bytes),
 * rows of the same size (ranks) averaged, one monotone curve per TP (grid.ts: linear between
 * sizes, clamped below the smallest, extrapolated linearly above the largest). Vidur adds a fixed
 * per-call CPU launch cost (0.02 ms by default); callers add it.
 */
import { inputError } from '../../../core/errors.js';
import { col, num, readCsvTable } from './csvTable.js';
import { curve, curveAt, type Grid } from './grid.js';

const FIX = 'point it at a Vidur network table, e.g. ../shared/data/calibration/vidur/vidur_network_h100_dgx_all_reduce.csv.gz';
const COLS = ['time_stats.all_reduce.mean', 'num_workers', 'size', 'devices_per_node'] as const;

export interface AllReduceTable {
  readonly file: string;
  /** µs per call (without launch) vs bytes, per TP degree. */
  readonly byTp: ReadonlyMap<number, Grid>;
}

const cache = new Map<string, AllReduceTable>();

export function loadAllReduceTable(file: string): AllReduceTable {
  const hit = cache.get(file);
  if (hit) return hit;
  const t = readCsvTable(file, COLS, FIX);
  const [cT, cW, cS, cD] = COLS.map((c) => col(t, c)) as [number, number, number, number];
  const acc = new Map<number, Map<number, { sum: number; n: number }>>();
  for (const r of t.rows) {
    const w = num(t, r, cW, FIX);
    if (num(t, r, cD, FIX) !== w) continue; // a multi-node group: not TP inside one node
    const bySize = acc.get(w) ?? new Map<number, { sum: number; n: number }>();
    const size = num(t, r, cS, FIX);
    const a = bySize.get(size) ?? { sum: 0, n: 0 };
    a.sum += num(t, r, cT, FIX) * 1000;
    a.n++;
    bySize.set(size, a);
    acc.set(w, bySize);
  }
  const byTp = new Map<number, Grid>();
  for (const [w, bySize] of acc) {
    const xs = [...bySize.keys()].sort((a, b) => a - b);
    byTp.set(w, curve(xs, xs.map((x) => bySize.get(x)!.sum / bySize.get(x)!.n)));
  }
  const out = { file, byTp };
  cache.set(file, out);
  return out;
}

/** The curve for `tp`, or a one-line error naming the file, the field and the TP degrees it has. */
export function allReduceCurve(t: AllReduceTable, tp: number, field: string): Grid {
  const g = t.byTp.get(tp);
  if (g === undefined) {
    const have = [...t.byTp.keys()].sort((a, b) => a - b).join(', ');
    throw inputError(t.file, field, `no rows with num_workers = devices_per_node = ${tp} (the replicas' TP); the table has ${have || 'none'}`, `use a table measured at TP${tp} or set the replicas' tp to one of ${have}`);
  }
  return g;
}

/** µs of one all-reduce of `bytes` on the curve. */
export function allReduceUs(g: Grid, bytes: number): number {
  return curveAt(g, bytes);
}

/** For tests. */
export function clearAllReduceCache(): void {
  cache.clear();
}
