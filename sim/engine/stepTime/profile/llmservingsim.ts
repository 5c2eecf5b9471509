/**
 * Reads an LLMServingSim v1 profile (../shared/reference/calibration.md §3.1; schemas in
 * ../shared/data/README.md): `<prefix>_dense.csv[.gz]` (`layer,tokens,time_us`, one decoder block),
 * `<prefix>_per_sequence.csv[.gz]` (`layer,sequences,time_us`: lm_head, sampler) and
 * `<prefix>_attention.csv[.gz]` (`prefill_chunk,kv_prefill,n_decode,kv_decode,time_us`: one
 * attention call of one layer). Builds monotone lookup grids (grid.ts) and fills the attention
 * grid's holes by the rules in fillAttention. Every problem is one line naming the file.
 * Tables are cached per (dir, prefix): a scenario's replicas share one copy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { inputError, readProblem } from '../../../core/errors.js';
import { noteInput } from '../../../core/inputsRead.js';
import { curve, type Grid, makeGrid, makeMonotone } from './grid.js';

/** Ops timed per decoder block (×L per step); `layernorm` runs twice per block. */
export const BLOCK_OPS = ['layernorm', 'qkv_proj', 'rotary_emb', 'o_proj', 'gate_up_proj', 'act_fn', 'down_proj'] as const;
/** Ops timed once per step. */
export const STEP_OPS = ['embedding', 'final_layernorm'] as const;
/** Optional per-block op (Qwen3). */
export const OPTIONAL_BLOCK_OPS = ['qk_norm'] as const;
export const PER_SEQUENCE_OPS = ['lm_head', 'sampler'] as const;

export interface LlmServingSimTables {
  /** Per-op curves of time (µs) vs tokens. */
  readonly dense: ReadonlyMap<string, Grid>;
  /** lm_head and sampler: time (µs) vs sequences. */
  readonly perSequence: ReadonlyMap<string, Grid>;
  /** Attention of one layer, axes (prefill_chunk, kv_prefill, n_decode, kv_decode), µs. */
  readonly attention: Grid;
  /** The files read, for messages. */
  readonly files: { readonly dense: string; readonly perSequence: string; readonly attention: string };
}

const FIX = 'point step_time.profile.dir/prefix at an LLMServingSim v1 profile (e.g. ../shared/data/calibration/llmservingsim_rtx4090, prefix rtx4090_Llama-3.1-8B_tp1)';

const cache = new Map<string, LlmServingSimTables>();

/** Loads (once) the tables `<dir>/<prefix>_{dense,per_sequence,attention}.csv[.gz]`. */
export function loadLlmServingSim(dir: string, prefix: string): LlmServingSimTables {
  const key = `${resolve(dir)}\0${prefix}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const dense = readTable(dir, prefix, 'dense', ['layer', 'tokens', 'time_us']);
  const perSeq = readTable(dir, prefix, 'per_sequence', ['layer', 'sequences', 'time_us']);
  const attn = readTable(dir, prefix, 'attention', ['prefill_chunk', 'kv_prefill', 'n_decode', 'kv_decode', 'time_us']);
  const t: LlmServingSimTables = {
    dense: curves(dense, [...BLOCK_OPS, ...STEP_OPS], OPTIONAL_BLOCK_OPS),
    perSequence: curves(perSeq, PER_SEQUENCE_OPS, []),
    attention: attentionGrid(attn),
    files: { dense: dense.file, perSequence: perSeq.file, attention: attn.file },
  };
  cache.set(key, t);
  return t;
}

interface Table {
  readonly file: string;
  /** Data rows: the first column as text (a layer name or a number), the rest as numbers. */
  readonly rows: { line: number; name: string; nums: number[] }[];
}

function readTable(dir: string, prefix: string, kind: string, header: readonly string[]): Table {
  const plain = join(dir, `${prefix}_${kind}.csv`);
  const file = existsSync(plain) ? plain : `${plain}.gz`;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    const problem = readProblem(err);
    throw inputError(file, '', `${problem}${problem === 'file not found' ? ` (nor ${plain})` : ''}`, FIX);
  }
  let text: string;
  try {
    text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  } catch (err) {
    throw inputError(file, '', `not a readable gzip file (${(err as Error).message})`, FIX);
  }
  noteInput(file);
  const lines = text.split(/\r?\n/);
  const got = (lines[0] ?? '').trim();
  if (got !== header.join(',')) throw inputError(file, 'line 1', `header is "${got.slice(0, 80)}", expected "${header.join(',')}"`, FIX);
  const rows: Table['rows'] = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === '') continue;
    const cells = l.split(',');
    if (cells.length !== header.length) throw inputError(file, `line ${i + 1}`, `${cells.length} columns, expected ${header.length}`, FIX);
    const numeric = header[0] !== 'layer';
    const nums: number[] = [];
    for (let c = numeric ? 0 : 1; c < cells.length; c++) {
      const v = Number(cells[c]);
      if (cells[c]!.trim() === '' || !Number.isFinite(v) || v < 0) throw inputError(file, `line ${i + 1}`, `${header[c]} "${cells[c]}" is not a number ≥ 0`, FIX);
      nums.push(v);
    }
    rows.push({ line: i + 1, name: numeric ? '' : cells[0]!.trim(), nums });
  }
  if (rows.length === 0) throw inputError(file, '', 'no data rows', FIX);
  return { file, rows };
}

/** One curve per op name (x = first number, y = time). Required names must be present. */
function curves(t: Table, required: readonly string[], optional: readonly string[]): Map<string, Grid> {
  const by = new Map<string, Map<number, number>>();
  for (const r of t.rows) {
    if (!required.includes(r.name) && !optional.includes(r.name)) {
      throw inputError(t.file, `line ${r.line}`, `unknown layer "${r.name}" (known: ${[...required, ...optional].join(', ')})`, FIX);
    }
    const m = by.get(r.name) ?? new Map<number, number>();
    if (m.has(r.nums[0]!)) throw inputError(t.file, `line ${r.line}`, `duplicate row for ${r.name} at ${r.nums[0]}`, FIX);
    m.set(r.nums[0]!, r.nums[1]!);
    by.set(r.name, m);
  }
  const out = new Map<string, Grid>();
  for (const name of required) if (!by.has(name)) throw inputError(t.file, '', `no rows for layer "${name}"`, FIX);
  for (const [name, m] of by) {
    const xs = [...m.keys()].sort((a, b) => a - b);
    out.set(name, curve(xs, xs.map((x) => m.get(x)!)));
  }
  return out;
}

/**
 * The 4-D attention grid on the distinct values of each column, holes filled (in this order):
 * 1. no decodes (n_decode 0): kv_decode is meaningless, every kv_decode takes the row's value;
 *    no prefill (prefill_chunk 0): kv_prefill is meaningless, every kv_prefill takes its value;
 * 2. below the smallest profiled kv_decode / kv_prefill of a line: that smallest value (clamp);
 *    between two profiled values of a line (interleaved grids): linear interpolation (2b);
 * 3. a missing n_decode above the profiled ones of a prefill slice: the slice's value at the
 *    previous n_decode plus the decode-only table's increment between the two n_decode values
 *    (those extra decodes cost what they cost without the prefill);
 * 4. the empty call (no prefill, no decode): 0.
 * A hole left after that is an error. Then the grid is made monotone (grid.ts).
 */
function attentionGrid(t: Table): Grid {
  const axes = [0, 1, 2, 3].map((k) => Float64Array.from([...new Set(t.rows.map((r) => r.nums[k]!))].sort((a, b) => a - b)));
  const [PC, KP, ND, KV] = axes as [Float64Array, Float64Array, Float64Array, Float64Array];
  const g = makeGrid(axes, new Float64Array(PC.length * KP.length * ND.length * KV.length).fill(NaN));
  const pos = axes.map((a) => new Map([...a].map((x, i) => [x, i])));
  const at = (a: number, b: number, c: number, d: number): number => a * g.strides[0]! + b * g.strides[1]! + c * g.strides[2]! + d;
  const v = g.values;
  for (const r of t.rows) {
    const idx = at(pos[0]!.get(r.nums[0]!)!, pos[1]!.get(r.nums[1]!)!, pos[2]!.get(r.nums[2]!)!, pos[3]!.get(r.nums[3]!)!);
    if (!Number.isNaN(v[idx]!)) throw inputError(t.file, `line ${r.line}`, 'duplicate row for this (prefill_chunk, kv_prefill, n_decode, kv_decode)', FIX);
    v[idx] = r.nums[4]!;
  }
  const firstPresent = (base: number, stride: number, n: number): number => {
    for (let j = 0; j < n; j++) if (!Number.isNaN(v[base + j * stride]!)) return v[base + j * stride]!;
    return NaN;
  };
  // 1. Meaningless axes.
  for (let a = 0; a < PC.length; a++) for (let b = 0; b < KP.length; b++) for (let c = 0; c < ND.length; c++) {
    if (ND[c] !== 0) continue;
    const f = firstPresent(at(a, b, c, 0), 1, KV.length);
    for (let d = 0; d < KV.length; d++) v[at(a, b, c, d)] = f;
  }
  for (let a = 0; a < PC.length; a++) {
    if (PC[a] !== 0) continue;
    for (let c = 0; c < ND.length; c++) for (let d = 0; d < KV.length; d++) {
      const f = firstPresent(at(a, 0, c, d), g.strides[1]!, KP.length);
      for (let b = 0; b < KP.length; b++) v[at(a, b, c, d)] = f;
    }
  }
  // 2. Clamp below along kv_decode, then kv_prefill.
  const clampBelow = (base: number, stride: number, n: number): void => {
    const f = firstPresent(base, stride, n);
    for (let j = 0; j < n && Number.isNaN(v[base + j * stride]!); j++) v[base + j * stride] = f;
  };
  for (let a = 0; a < PC.length; a++) for (let b = 0; b < KP.length; b++) for (let c = 0; c < ND.length; c++) clampBelow(at(a, b, c, 0), 1, KV.length);
  for (let a = 0; a < PC.length; a++) for (let c = 0; c < ND.length; c++) for (let d = 0; d < KV.length; d++) clampBelow(at(a, 0, c, d), g.strides[1]!, KP.length);
  // 2b. Interior holes (tables profiled on two interleaved grids, e.g. ×2 and ×1.5 kv steps on the
  // RTX PRO 6000): linear in the axis value between the nearest profiled neighbours of the line,
  // along kv_decode, kv_prefill, prefill_chunk, n_decode in turn, until nothing changes.
  const dims = [PC.length, KP.length, ND.length, KV.length];
  for (let changed = true; changed; ) {
    changed = false;
    for (const k of [3, 1, 0, 2]) {
      const s = g.strides[k]!;
      const n = dims[k]!;
      const x = axes[k]!;
      for (let i = 0; i < v.length; i++) {
        if (Math.floor(i / s) % n !== 0) continue;
        let prev = -1;
        for (let j = 0; j < n; j++) {
          if (Number.isNaN(v[i + j * s]!)) continue;
          for (let h = prev + 1; prev >= 0 && h < j; h++) {
            v[i + h * s] = v[i + prev * s]! + ((v[i + j * s]! - v[i + prev * s]!) * (x[h]! - x[prev]!)) / (x[j]! - x[prev]!);
            changed = true;
          }
          prev = j;
        }
      }
    }
  }
  // 3. Missing n_decode above the profiled ones: add the decode-only increment.
  const pc0 = PC[0] === 0 ? 0 : -1;
  for (let a = 0; a < PC.length; a++) for (let b = 0; b < KP.length; b++) for (let c = 1; c < ND.length; c++) for (let d = 0; d < KV.length; d++) {
    const i = at(a, b, c, d);
    if (!Number.isNaN(v[i]!) || pc0 < 0) continue;
    const inc = v[at(pc0, b, c, d)]! - v[at(pc0, b, c - 1, d)]!;
    v[i] = v[at(a, b, c - 1, d)]! + Math.max(0, inc);
  }
  // 4. The empty call.
  if (PC[0] === 0 && ND[0] === 0) for (let b = 0; b < KP.length; b++) for (let d = 0; d < KV.length; d++) if (Number.isNaN(v[at(0, b, 0, d)]!)) v[at(0, b, 0, d)] = 0;
  for (let a = 0; a < PC.length; a++) for (let b = 0; b < KP.length; b++) for (let c = 0; c < ND.length; c++) for (let d = 0; d < KV.length; d++) {
    if (Number.isNaN(v[at(a, b, c, d)]!)) {
      throw inputError(t.file, '', `no row for prefill_chunk ${PC[a]}, kv_prefill ${KP[b]}, n_decode ${ND[c]}, kv_decode ${KV[d]} and no rule fills it`, FIX);
    }
  }
  makeMonotone(g);
  return g;
}

/** For tests: forget cached tables. */
export function clearProfileCache(): void {
  cache.clear();
}

