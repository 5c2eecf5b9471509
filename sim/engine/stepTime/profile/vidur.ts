/**
 * Reads a Vidur operator table (calibration.md §3.1, vidur_<gpu>_<model>_mlp.csv): for each op
 * time_stats.<op>.median (ms) vs num_tokens, one set per num_tensor_parallel_workers. Rows of the
 * same (tokens, TP) are averaged; each op becomes a monotone curve (grid.ts: linear between
 * samples, clamped below, extrapolated linearly above). Times are per decoder layer of one TP shard.
 */
import { inputError } from '../../../core/errors.js';
import { col, num, readCsvTable } from './csvTable.js';
import { curve, type Grid } from './grid.js';

/** Vidur's per-layer ops (§3.5), plus `emb` (timed by Vidur but not used in its step). */
export const VIDUR_OPS = [
  'emb', 'input_layernorm', 'attn_pre_proj', 'attn_rope', 'attn_post_proj',
  'post_attention_layernorm', 'mlp_up_proj', 'mlp_act', 'mlp_down_proj', 'add',
] as const;
export type VidurOp = (typeof VIDUR_OPS)[number];

export const MLP_FIX = 'point step_time.profile.mlp at a Vidur operator table, e.g. ../shared/data/calibration/vidur/vidur_h100_Llama-2-7b-hf_mlp.csv.gz';

export interface VidurMlpTable {
  readonly file: string;
  /** Model dimensions the table was measured with. */
  readonly hidden: number;
  readonly ffn: number;
  /** Per TP degree: µs vs tokens per op. */
  readonly byTp: ReadonlyMap<number, ReadonlyMap<VidurOp, Grid>>;
}

const cache = new Map<string, VidurMlpTable>();

export function loadVidurMlp(file: string): VidurMlpTable {
  const hit = cache.get(file);
  if (hit) return hit;
  const opCols = VIDUR_OPS.map((o) => `time_stats.${o}.median`);
  const t = readCsvTable(file, [...opCols, 'num_tokens', 'num_tensor_parallel_workers', 'n_embd', 'n_expanded_embd'], MLP_FIX);
  const cOps = opCols.map((c) => col(t, c));
  const cTok = col(t, 'num_tokens');
  const cTp = col(t, 'num_tensor_parallel_workers');
  const first = t.rows[0]!;
  const hidden = num(t, first, col(t, 'n_embd'), MLP_FIX);
  const ffn = num(t, first, col(t, 'n_expanded_embd'), MLP_FIX);
  // tp → tokens → summed µs per op, count
  const acc = new Map<number, Map<number, { sums: number[]; n: number }>>();
  for (const r of t.rows) {
    const tp = num(t, r, cTp, MLP_FIX);
    const tok = num(t, r, cTok, MLP_FIX);
    const byTok = acc.get(tp) ?? new Map<number, { sums: number[]; n: number }>();
    const a = byTok.get(tok) ?? { sums: VIDUR_OPS.map(() => 0), n: 0 };
    for (let k = 0; k < cOps.length; k++) a.sums[k]! += num(t, r, cOps[k]!, MLP_FIX) * 1000;
    a.n++;
    byTok.set(tok, a);
    acc.set(tp, byTok);
  }
  const byTp = new Map<number, Map<VidurOp, Grid>>();
  for (const [tp, byTok] of acc) {
    const xs = [...byTok.keys()].sort((a, b) => a - b);
    const ops = new Map<VidurOp, Grid>();
    VIDUR_OPS.forEach((o, k) => ops.set(o, curve(xs, xs.map((x) => byTok.get(x)!.sums[k]! / byTok.get(x)!.n))));
    byTp.set(tp, ops);
  }
  const out: VidurMlpTable = { file, hidden, ffn, byTp };
  cache.set(file, out);
  return out;
}

/** The op curves at `tp`, or a one-line error naming the file and the TP degrees it has. */
export function vidurOpsAt(t: VidurMlpTable, tp: number): ReadonlyMap<VidurOp, Grid> {
  const ops = t.byTp.get(tp);
  if (ops === undefined) {
    const have = [...t.byTp.keys()].sort((a, b) => a - b).join(', ');
    throw inputError(t.file, 'num_tensor_parallel_workers', `no rows for TP${tp} (the replicas' tp); the table has TP ${have}`, `set the replicas' tp to one of ${have} or use a table profiled at TP${tp}`);
  }
  return ops;
}

/** For tests. */
export function clearVidurCache(): void {
  cache.clear();
}
