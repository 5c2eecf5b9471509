/**
 * Attention of one decoder layer for the Vidur profile step (calibration.md §3.3, §2.5).
 *
 * TableAttention — a Vidur-style attention table (time_stats.attn_prefill / attn_decode, ms):
 * interpolated on Vidur's regression features instead of fitting its forests (§3.4):
 *   prefill: (chunk, kv) with chunk = sqrt(Σ c_i²) and kv = Σ (s_i + c_i), the KV length each
 *            prefill attends over (Vidur's prefill kv_cache_size counts the chunk: its profiled
 *            rows all have kv ≥ chunk);
 *            Σ c_i² is not in BatchShape, so it is taken as min((Σc)², 2·prefillAttnWork + Σc):
 *            exact for one chunk, and for any number of chunks without cached prefix;
 *   decode:  (batch, mean context rounded up to a multiple of 64);
 *   each × 1.1 when more than one request shares the call (prefills = batchSize − decodeSeqs);
 *   prefill and decode are added (Vidur times them as two calls, §3.5).
 * Each half is resampled onto a dense (key, kv) grid (each key's curve at the union of kv
 * samples) and made monotone (grid.ts: linear in value, clamp below, extrapolate above).
 *
 * RooflineAttention — no table: decode 20 µs + KV read / (0.95·HBM BW) per call, prefill the
 * causal FLOPs 4·(h/TP)·d_h·Σ t(s + (t−1)/2) at 0.5 of bf16 peak (§3.3 fits of the RTX tables).
 */
import type { GpuSpec, ModelSpec } from '../../../hardware/types.js';
import { inputError } from '../../../core/errors.js';
import type { BatchShape } from '../batchShape.js';
import { col, type CsvTable, num, readCsvTable } from './csvTable.js';
import { curve, curveAt, type Grid, lookup, makeGrid, makeMonotone } from './grid.js';

export interface AttentionModel {
  /** µs of attention in one layer for the batch. */
  layerUs(b: BatchShape): number;
}

const FIX = 'point step_time.profile.attention at a Vidur-style attention table measured at the replicas\' TP for this model, or leave it out (roofline attention)';
const SHARED = 1.1;

/** Prefill attention features (chunk, kv) and the number of prefills, per §3.3 (see file doc). */
export function prefillFeatures(b: BatchShape): { chunk: number; kv: number; n: number } {
  const c = b.prefillTokens;
  if (c === 0) return { chunk: 0, kv: 0, n: 0 };
  const sumSq = Math.min(c * c, 2 * b.prefillAttnWork + c);
  return { chunk: Math.sqrt(sumSq), kv: b.prefillKvTokens, n: Math.max(1, b.batchSize - b.decodeSeqs) };
}

/** Decode kv feature: mean context rounded up to a multiple of 64. */
export function decodeKv(b: BatchShape): number {
  return b.decodeSeqs > 0 ? Math.ceil(b.decodeContext / b.decodeSeqs / 64) * 64 : 0;
}

export class TableAttention implements AttentionModel {
  private readonly prefill: Grid;
  private readonly decode: Grid;
  private readonly q = [0, 0];

  constructor(file: string, model: ModelSpec, tp: number) {
    const cols = ['time_stats.attn_prefill.median', 'time_stats.attn_decode.median', 'n_embd', 'num_tensor_parallel_workers', 'batch_size', 'prefill_chunk_size', 'kv_cache_size', 'is_prefill'];
    const t = readCsvTable(file, cols, FIX);
    const first = t.rows[0]!;
    const tableTp = num(t, first, col(t, 'num_tensor_parallel_workers'), FIX);
    if (tableTp !== tp) throw inputError(file, 'num_tensor_parallel_workers', `the table is TP${tableTp}, the replicas run TP${tp}`, `use an attention table measured at TP${tp}, or leave step_time.profile.attention out (roofline attention)`);
    const d = num(t, first, col(t, 'n_embd'), FIX);
    if (d !== model.hidden) throw inputError(file, 'n_embd', `the table is for hidden size ${d}, model ${model.name} has ${model.hidden}`, 'use the attention table of this model');
    this.prefill = halfGrid(t, true, 'prefill_chunk_size', 'time_stats.attn_prefill.median');
    this.decode = halfGrid(t, false, 'batch_size', 'time_stats.attn_decode.median');
  }

  layerUs(b: BatchShape): number {
    let us = 0;
    const p = prefillFeatures(b);
    if (p.n > 0) {
      this.q[0] = p.chunk;
      this.q[1] = p.kv;
      us += lookup(this.prefill, this.q) * (p.n > 1 ? SHARED : 1);
    }
    if (b.decodeSeqs > 0) {
      this.q[0] = b.decodeSeqs;
      this.q[1] = decodeKv(b);
      us += lookup(this.decode, this.q) * (b.decodeSeqs > 1 ? SHARED : 1);
    }
    return us;
  }
}

/** Dense monotone grid (key, kv) → µs from the rows of one half (is_prefill = `prefill`). */
function halfGrid(t: CsvTable, prefill: boolean, keyCol: string, timeCol: string): Grid {
  const cK = col(t, keyCol);
  const cKv = col(t, 'kv_cache_size');
  const cT = col(t, timeCol);
  const cP = col(t, 'is_prefill');
  const acc = new Map<number, Map<number, { sum: number; n: number }>>();
  for (const r of t.rows) {
    if ((r.cells[cP]!.trim().toLowerCase() === 'true') !== prefill) continue;
    const v = num(t, r, cT, FIX, true);
    if (Number.isNaN(v)) continue;
    const k = num(t, r, cK, FIX);
    const kv = num(t, r, cKv, FIX);
    const m = acc.get(k) ?? new Map<number, { sum: number; n: number }>();
    const a = m.get(kv) ?? { sum: 0, n: 0 };
    a.sum += v * 1000;
    a.n++;
    m.set(kv, a);
    acc.set(k, m);
  }
  if (acc.size === 0) throw inputError(t.file, timeCol, `no ${prefill ? 'prefill' : 'decode'} rows`, FIX);
  const keys = [...acc.keys()].sort((a, b) => a - b);
  const kvs = [...new Set([...acc.values()].flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  const values = new Float64Array(keys.length * kvs.length);
  keys.forEach((k, i) => {
    const m = acc.get(k)!;
    const xs = [...m.keys()].sort((a, b) => a - b);
    const c = curve(xs, xs.map((x) => m.get(x)!.sum / m.get(x)!.n));
    kvs.forEach((kv, j) => (values[i * kvs.length + j] = curveAt(c, kv)));
  });
  const g = makeGrid([Float64Array.from(keys), Float64Array.from(kvs)], values);
  makeMonotone(g);
  return g;
}

export class RooflineAttention implements AttentionModel {
  /** µs per KV token read in one layer. */
  private readonly usPerKvToken: number;
  /** µs per unit of prefillAttnWork in one layer. */
  private readonly usPerWork: number;

  constructor(model: ModelSpec, gpu: GpuSpec, tp: number) {
    const kvHeads = Math.max(1, model.kv_heads / tp);
    this.usPerKvToken = (2 * kvHeads * model.head_dim * model.dtype_bytes) / ((0.95 * gpu.hbm_bandwidth) / 1e6);
    this.usPerWork = (4 * (model.heads / tp) * model.head_dim) / ((0.5 * gpu.bf16_flops) / 1e6);
  }

  layerUs(b: BatchShape): number {
    const decode = b.decodeSeqs > 0 ? 20 + (b.decodeContext + b.decodeSeqs) * this.usPerKvToken : 0;
    return decode + b.prefillAttnWork * this.usPerWork;
  }
}
