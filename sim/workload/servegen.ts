/**
 * ServeGen-driven clients (Alibaba Bailian; data/README "servegen_client_windows"): for each
 * selected client and each 600-s window of the chosen range, requests follow the window's fitted
 * inter-arrival distribution (Gamma or Weibull with the published shape), rescaled so its mean gap
 * is 1 / (rate_rps · rate_scale), which is how ServeGen generates traffic. A missing window means
 * no requests. Each window starts afresh at its start (the first arrival one gap in); the day's
 * rate swings (diurnal) come from the windows themselves. The run's time 0 is the range's start.
 *
 * Lengths: from servegen_client_lengths (per client and 6-h window: p10, p50, p90, p99, max) when
 * given, drawn from the piecewise-linear quantile function through (0, p10²/p50), (0.1, p10),
 * (0.5, p50), (0.9, p90), (0.99, p99), (1, max); otherwise (or for a client without length rows)
 * the workload's `input` / `output`. Adapters (`client-<id>`) are a stated synthetic proxy.
 *
 * Memory: the windows and length rows of the selected pool within the range (a few numbers each),
 * read once per stream; never per request.
 */
import { createRng, gamma, type Rng } from '../core/rng.js';
import { lnGamma, weibull } from './arrivals.js';
import { sampleLength } from './distributions.js';
import { MinHeap } from './heap.js';
import { outputContentOf, uniqueContentOf } from './prompts.js';
import type { SimRequest } from './request.js';
import { routingOf, withRouting } from './routing.js';
import { requireLengths, sourceRateFactor, type LengthDist, type ServeGenSpec, type StreamLimits, type WorkloadSpec } from './spec.js';
import { csvRecords, readLines } from './traces/lines.js';
import { atLine, intField, numField, RowProblem } from './traces/fields.js';
import { MAX_TOKENS, RANGES } from '../scenario/bounds.js';
import { inputError } from '../core/errors.js';

export const SERVEGEN_WINDOW_S = 600;

export interface ServeGenWindow {
  readonly start: number;
  readonly rate: number;
  readonly dist: 'Gamma' | 'Weibull';
  readonly shape: number;
}

export interface ServeGenClient {
  readonly id: number;
  readonly windows: ServeGenWindow[];
  /** Expected requests in the range (Σ rate × overlap). */
  expected: number;
}

/** Column indices of a header row, or a one-line error naming the missing columns. */
function columns(file: string, header: string[], lineNo: number, names: readonly string[]): number[] {
  const idx = names.map((n) => header.indexOf(n));
  const missing = names.filter((_, i) => idx[i]! < 0);
  if (missing.length > 0) throw inputError(file, `line ${lineNo}`, `header lacks ${missing.join(', ')}`, `a ServeGen file starts with a header naming ${names.join(', ')}`);
  return idx;
}

const WINDOW_COLS = ['model', 'client_id', 'window_start_s', 'rate_rps', 'iat_dist', 'shape'] as const;

/** The clients of `pool` with their windows overlapping [from_s, to_s), most expected requests first (ties by id). */
export function readServeGenClients(spec: Pick<ServeGenSpec, 'path' | 'pool' | 'from_s' | 'to_s'>): ServeGenClient[] {
  const records = csvRecords(readLines(spec.path), spec.path);
  const first = records.next();
  if (first.done) return [];
  const [im, ic, iw, ir, id, is] = columns(spec.path, first.value.fields, first.value.lineNo, WINDOW_COLS) as [number, number, number, number, number, number];
  const clients = new Map<number, ServeGenClient>();
  for (const r of records) {
    const f = r.fields;
    if (f[im] !== spec.pool) continue;
    atLine(spec.path, r.lineNo, () => {
      const start = intField(f[iw], 'window_start_s', 0, 'seconds', 1e9);
      if (start >= spec.to_s || start + SERVEGEN_WINDOW_S <= spec.from_s) return;
      const client = intField(f[ic], 'client_id', 0, 'an id');
      const rate = numField(f[ir], 'rate_rps', 0, 'requests per second', RANGES.rate.max);
      const dist = f[id];
      if (dist !== 'Gamma' && dist !== 'Weibull') throw new RowProblem('iat_dist', `expected Gamma or Weibull, got ${JSON.stringify(dist)}`, 'use Gamma or Weibull');
      const shape = numField(f[is], 'shape', 0, 'the distribution shape', 1e9);
      if (!(shape > 0)) throw new RowProblem('shape', 'must be > 0', 'give a positive shape');
      let c = clients.get(client);
      if (!c) clients.set(client, (c = { id: client, windows: [], expected: 0 }));
      c.windows.push({ start, rate, dist, shape });
      c.expected += rate * (Math.min(start + SERVEGEN_WINDOW_S, spec.to_s) - Math.max(start, spec.from_s));
    });
  }
  const out = [...clients.values()];
  for (const c of out) c.windows.sort((a, b) => a.start - b.start);
  out.sort((a, b) => b.expected - a.expected || a.id - b.id);
  return out;
}

/** Published quantiles of one client's length field in one 6-h window. */
interface LengthQuantiles {
  readonly start: number;
  readonly q: readonly [number, number, number, number, number, number];
}

const QUANTILE_AT = [0, 0.1, 0.5, 0.9, 0.99, 1] as const;

/** Per client id: input and output length quantiles by window. */
export function readServeGenLengths(path: string, pool: string, ids: ReadonlySet<number>): Map<number, { input: LengthQuantiles[]; output: LengthQuantiles[] }> {
  const records = csvRecords(readLines(path), path);
  const out = new Map<number, { input: LengthQuantiles[]; output: LengthQuantiles[] }>();
  const first = records.next();
  if (first.done) return out;
  const names = ['model', 'client_id', 'window_start_s', 'field', 'p10', 'p50', 'p90', 'p99', 'max'] as const;
  const [im, ic, iw, ifd, i10, i50, i90, i99, imax] = columns(path, first.value.fields, first.value.lineNo, names) as number[];
  for (const r of records) {
    const f = r.fields;
    if (f[im!] !== pool) continue;
    const field = f[ifd!];
    if (field !== 'input_tokens' && field !== 'output_tokens') continue;
    atLine(path, r.lineNo, () => {
      const client = intField(f[ic!], 'client_id', 0, 'an id');
      if (!ids.has(client)) return;
      const p10 = Math.max(1, numField(f[i10!], 'p10', 0, 'tokens', MAX_TOKENS));
      const p50 = Math.max(p10, numField(f[i50!], 'p50', 0, 'tokens', MAX_TOKENS));
      const p90 = Math.max(p50, numField(f[i90!], 'p90', 0, 'tokens', MAX_TOKENS));
      const p99 = Math.max(p90, numField(f[i99!], 'p99', 0, 'tokens', MAX_TOKENS));
      const max = Math.max(p99, numField(f[imax!], 'max', 0, 'tokens', MAX_TOKENS));
      const q: LengthQuantiles = { start: intField(f[iw!], 'window_start_s', 0, 'seconds'), q: [Math.max(1, (p10 * p10) / p50), p10, p50, p90, p99, max] };
      let c = out.get(client);
      if (!c) out.set(client, (c = { input: [], output: [] }));
      (field === 'input_tokens' ? c.input : c.output).push(q);
    });
  }
  for (const c of out.values()) {
    c.input.sort((a, b) => a.start - b.start);
    c.output.sort((a, b) => a.start - b.start);
  }
  return out;
}

/** A length from the window of `table` in force at ServeGen time `t` (the latest window starting ≤ t, else the first). */
function drawQuantileLength(table: readonly LengthQuantiles[], t: number, rng: Rng): number {
  let w = table[0]!;
  for (const x of table) {
    if (x.start <= t) w = x;
    else break;
  }
  const u = rng();
  for (let i = 1; i < QUANTILE_AT.length; i++) {
    if (u <= QUANTILE_AT[i]! || i === QUANTILE_AT.length - 1) {
      const a = QUANTILE_AT[i - 1]!;
      const b = QUANTILE_AT[i]!;
      const v = w.q[i - 1]! + ((w.q[i]! - w.q[i - 1]!) * (u - a)) / (b - a);
      return Math.max(1, Math.round(v));
    }
  }
  return Math.max(1, Math.round(w.q[5]));
}

/** Arrival times (ServeGen seconds) of one client: window by window, rescaled to each window's rate. */
function clientArrivals(c: ServeGenClient, spec: ServeGenSpec, rateScale: number, rng: Rng): () => number {
  let w = 0;
  let t = -Infinity;
  let windowEnd = -Infinity;
  let draw: () => number = () => Infinity;
  const enter = (): boolean => {
    while (w < c.windows.length) {
      const win = c.windows[w++]!;
      const rate = win.rate * rateScale;
      if (!(rate > 0)) continue;
      const mean = 1 / rate;
      const k = win.shape;
      if (win.dist === 'Gamma') draw = () => gamma(rng, k, mean / k);
      else {
        const scale = mean / Math.exp(lnGamma(1 + 1 / k));
        draw = () => weibull(rng, k, scale);
      }
      t = Math.max(win.start, spec.from_s);
      windowEnd = Math.min(win.start + SERVEGEN_WINDOW_S, spec.to_s);
      return true;
    }
    return false;
  };
  return () => {
    for (;;) {
      if (t > -Infinity) {
        const next = t + draw();
        if (next < windowEnd) return (t = next);
      }
      if (!enter()) return Infinity;
    }
  };
}

/** The ServeGen-driven request stream (time 0 = spec.from_s). */
export function* serveGenStream(workload: WorkloadSpec, spec: ServeGenSpec, seed: number, limits: StreamLimits, defaultAdapterRank: number): Generator<SimRequest> {
  const maxRequests = limits.requests ?? Infinity;
  const maxUs = limits.durationUs ?? Infinity;
  let clients = readServeGenClients(spec);
  if (spec.clients !== null) clients = clients.slice(0, spec.clients);
  const lengthTables = spec.lengths_path ? readServeGenLengths(spec.lengths_path, spec.pool, new Set(clients.map((c) => c.id))) : new Map();
  const state = clients.map((c) => {
    const next = clientArrivals(c, spec, spec.rate_scale * sourceRateFactor(workload, spec.nominal_rate), createRng(seed, `servegen/${spec.pool}/${c.id}/arrivals`));
    return { c, next, lengths: createRng(seed, `servegen/${spec.pool}/${c.id}/lengths`), table: lengthTables.get(c.id) };
  });
  const fallback = (): { input: LengthDist; output: LengthDist } => requireLengths(workload);
  const routing = routingOf(workload);
  const heap = new MinHeap<{ i: number; t: number }>((a, b) => a.t < b.t || (a.t === b.t && a.i < b.i));
  state.forEach((s, i) => heap.push({ i, t: s.next() }));
  for (let id = 0; id < maxRequests && heap.size > 0; id++) {
    const n = heap.pop()!;
    if (!Number.isFinite(n.t)) return;
    const arrivalUs = Math.round((n.t - spec.from_s) * 1e6);
    if (arrivalUs > maxUs) return;
    const s = state[n.i]!;
    heap.push({ i: n.i, t: s.next() });
    const input = s.table && s.table.input.length > 0 ? drawQuantileLength(s.table.input, n.t, s.lengths) : sampleLength(fallback().input, s.lengths);
    const output = s.table && s.table.output.length > 0 ? drawQuantileLength(s.table.output, n.t, s.lengths) : sampleLength(fallback().output, s.lengths);
    const adapter = spec.adapters ? `client-${s.c.id}` : null;
    yield withRouting({
      id,
      arrivalUs,
      segments: [{ content: uniqueContentOf(id), tokens: input }],
      inputTokens: input,
      outputTokens: output,
      outputContent: outputContentOf(id),
      adapter,
      adapterRank: adapter === null ? 0 : defaultAdapterRank,
      priority: 0,
      group: -1,
      session: -1,
      turn: 0,
      client: s.c.id,
    }, routing);
  }
}
