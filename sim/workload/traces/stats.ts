/**
 * A trace's own statistics, computed in one pass over a request stream (a replay after its
 * controls, or a generated workload), in memory that does not grow with the rows: the lengths are
 * counted exactly (a Map, then a dense 0…MAX_TOKENS array: ≤ 8 MB each), the arrivals per minute
 * in a sparse Map (bounded by the minutes spanned), and the prefix-reuse cache is exact up to
 * 6.29 M distinct units (64 MB), then 64 MB of Bloom filters whose error is reported
 * (distinct.ts):
 * - rows, time span, mean rate (rows / span);
 * - arrival rate in each whole minute from the first arrival (min / mean / max, req/s);
 * - inter-arrival CV (sample std / mean of the gaps between consecutive arrivals);
 * - input / output length mean and nearest-rank percentiles (the smallest value whose cumulative
 *   share reaches p, as the data README's quick stats);
 * - for traces with prefix structure, the ideal prefix reuse: an unbounded cache at the trace's own
 *   granularity (its segments: a Mooncake hash block, a system prompt, a turn), or at fixed blocks
 *   of `blockTokens` (engine-style, whole blocks only). A request reuses its longest prefix of units
 *   seen before (same content, same length, same prefix before them, same adapter); its prompt
 *   and its answer then enter the cache (an engine caches generated blocks too). Reported in tokens
 *   (reused / prompt tokens) and in units.
 */
import { hashInts, hashString, joinLanes, mix32 } from '../../core/hash.js';
import { BlockHasher } from '../../engine/blockHasher.js';
import { MAX_TOKENS } from '../../scenario/bounds.js';
import { uniqueContentOf } from '../prompts.js';
import { DEFAULT_PREFIX_BUDGET, PrefixKeySet, type KeySetEstimate, type PrefixKeyBudget } from './distinct.js';
import type { SimRequest } from '../request.js';

export interface LengthSummary {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface PrefixReuse {
  /** null = the trace's own units (segments); else fixed blocks of this many tokens. */
  readonly block_tokens: number | null;
  /** Σ prompt units (blocks). */
  readonly blocks: number;
  readonly reused_blocks: number;
  /** reused prompt tokens / prompt tokens. */
  readonly token_reuse: number;
  /** reused units / units. */
  readonly block_reuse: number;
  /**
   * Present only when the distinct units outgrew the exact set (distinct.ts): the cache became a
   * Bloom filter, which can take an unseen unit for a cached one (never the reverse), so
   * token_reuse and block_reuse are upper estimates, each high by at most `false_positive_rate`
   * (as a share) in expectation.
   */
  readonly estimate?: KeySetEstimate;
}

export interface TraceStats {
  readonly rows: number;
  /** Malformed rows skipped (skip_bad_rows). */
  readonly skipped_rows: number;
  readonly first_arrival_s: number;
  readonly span_s: number;
  /** rows / span_s (0 when the span is 0). */
  readonly mean_rate_rps: number;
  /** Arrivals per whole minute from the first arrival, as req/s; null under one minute. */
  readonly minute_rate_rps: { readonly minutes: number; readonly min: number; readonly mean: number; readonly max: number } | null;
  /** Sample CV of inter-arrival gaps; null with fewer than 3 rows or a zero mean gap. */
  readonly interarrival_cv: number | null;
  readonly input_tokens: LengthSummary | null;
  readonly output_tokens: LengthSummary | null;
  /** Ideal prefix reuse; null when no request shares prompt structure. */
  readonly prefix_reuse: PrefixReuse | null;
}

/** Distinct values counted in a Map before the counts move to a dense array (0…MAX_TOKENS). */
const DENSE_AFTER = 1 << 16;

/**
 * Exact counts of integer values (lengths), for mean and nearest-rank percentiles: a Map while
 * there are few distinct values, then a Float64Array over 0…MAX_TOKENS (8 MB; every trace length
 * is in range), the Map keeping only values outside it. Memory never grows with the rows.
 */
class Counts {
  private readonly m = new Map<number, number>();
  private dense: Float64Array | null = null;
  n = 0;
  sum = 0;
  add(v: number): void {
    const d = this.dense;
    if (d !== null && Number.isInteger(v) && v >= 0 && v < d.length) d[v]!++;
    else {
      this.m.set(v, (this.m.get(v) ?? 0) + 1);
      if (d === null && this.m.size > DENSE_AFTER) this.toDense();
    }
    this.n++;
    this.sum += v;
  }
  private toDense(): void {
    const d = new Float64Array(MAX_TOKENS + 1);
    for (const [v, c] of this.m) {
      if (Number.isInteger(v) && v >= 0 && v < d.length) {
        d[v] = c;
        this.m.delete(v);
      }
    }
    this.dense = d;
  }
  /** (value, count) in increasing value order. */
  private sorted(): [number, number][] {
    const out: [number, number][] = [...this.m.entries()];
    const d = this.dense;
    if (d !== null) for (let v = 0; v < d.length; v++) if (d[v]! > 0) out.push([v, d[v]!]);
    return out.sort((a, b) => a[0] - b[0]);
  }
  summary(): LengthSummary | null {
    if (this.n === 0) return null;
    const entries = this.sorted();
    const at = (p: number): number => {
      const rank = Math.max(1, Math.ceil(p * this.n));
      let c = 0;
      for (const [k, n] of entries) if ((c += n) >= rank) return k;
      return entries[entries.length - 1]![0];
    };
    return { mean: round4(this.sum / this.n), p50: at(0.5), p90: at(0.9), p99: at(0.99), max: entries[entries.length - 1]![0] };
  }
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** Ideal-cache bookkeeping (see the module comment). */
class IdealCache {
  private readonly seen: PrefixKeySet;
  units = 0;
  reusedUnits = 0;
  tokens = 0;
  reusedTokens = 0;
  structured = false;

  constructor(
    private readonly blockTokens: number | null,
    budget: PrefixKeyBudget,
  ) {
    this.seen = new PrefixKeySet(budget);
  }

  add(r: SimRequest): void {
    const unique = uniqueContentOf(r.id);
    const own = r.segments.length > 0 && r.segments.every((s) => s.content === unique);
    if (!own) this.structured = true;
    this.tokens += r.inputTokens;
    if (own) {
      // A prompt that is only this request's own content (an Azure row, a unique prompt): every unit
      // and its answer chain from that content, which no other request's prompt holds (workloads
      // put another request's answer in a later turn, never its unique content), so none can be
      // reused. Counted without hashing or keeping them: the same figures, and a replay of
      // unique prompts keeps no keys at all (issue 15).
      this.units += this.blockTokens === null ? r.segments.length : Math.ceil(r.inputTokens / this.blockTokens);
      return;
    }
    if (this.blockTokens !== null) return this.addBlocks(r, this.blockTokens);
    const key = r.adapter === null ? 0 : hashString(r.adapter);
    let a = hashInts(0x51ed, key) | 0;
    let b = hashInts(0x2f7a, key) | 0;
    let hit = true;
    const step = (content: number, tokens: number): number => {
      a = mix32(mix32(a, content), tokens);
      b = mix32(mix32(b, tokens), content ^ 0x7f4a7c15);
      return joinLanes(a, b);
    };
    for (const s of r.segments) {
      const k = step(s.content, s.tokens);
      this.units++;
      if (hit && this.seen.has(k)) {
        this.reusedUnits++;
        this.reusedTokens += s.tokens;
      } else {
        hit = false;
        this.seen.add(k);
      }
    }
    this.seen.add(step(r.outputContent, r.outputTokens));
  }

  private addBlocks(r: SimRequest, n: number): void {
    const h = new BlockHasher(r.segments, r.outputContent, r.outputTokens, n, r.adapter);
    const full = Math.floor(r.inputTokens / n);
    this.units += Math.ceil(r.inputTokens / n);
    let hit = true;
    for (let i = 0; i < full; i++) {
      const k = h.hashAt(i);
      if (hit && this.seen.has(k)) {
        this.reusedUnits++;
        this.reusedTokens += n;
      } else hit = false;
    }
    const all = Math.floor((r.inputTokens + r.outputTokens) / n);
    for (let i = 0; i < all; i++) this.seen.add(h.hashAt(i));
  }

  result(): PrefixReuse | null {
    if (!this.structured || this.units === 0) return null;
    const estimate = this.seen.estimate();
    return {
      block_tokens: this.blockTokens,
      blocks: this.units,
      reused_blocks: this.reusedUnits,
      token_reuse: round4(this.tokens === 0 ? 0 : this.reusedTokens / this.tokens),
      block_reuse: round4(this.reusedUnits / this.units),
      ...(estimate === null ? {} : { estimate }),
    };
  }
}

export interface StatsOptions {
  /** Fixed block size for prefix reuse; null = the trace's own units. */
  readonly blockTokens?: number | null;
  /** Skip the prefix-reuse computation (its memory grows with distinct prefix units). */
  readonly prefix?: boolean;
  /** Memory of the prefix-reuse cache (exact set, then Bloom filter); DEFAULT_PREFIX_BUDGET. */
  readonly prefixBudget?: PrefixKeyBudget;
}

/** Statistics of `requests` (consumed). `skipped` is the reader's count of skipped rows. */
export function traceStats(requests: Iterator<SimRequest>, opts: StatsOptions = {}, skipped: () => number = () => 0): TraceStats {
  const input = new Counts();
  const output = new Counts();
  const cache = opts.prefix === false ? null : new IdealCache(opts.blockTokens ?? null, opts.prefixBudget ?? DEFAULT_PREFIX_BUDGET);
  // Sparse (minute → arrivals): memory bounded by the rows, however long the span.
  const minutes = new Map<number, number>();
  let rows = 0;
  let first = 0;
  let last = 0;
  // Welford over gaps (µs).
  let gaps = 0;
  let gMean = 0;
  let gM2 = 0;
  for (let n = requests.next(); !n.done; n = requests.next()) {
    const r = n.value;
    if (rows === 0) first = r.arrivalUs;
    else {
      const g = r.arrivalUs - last;
      gaps++;
      const d = g - gMean;
      gMean += d / gaps;
      gM2 += d * (g - gMean);
    }
    last = r.arrivalUs;
    rows++;
    const m = Math.floor((r.arrivalUs - first) / 60e6);
    minutes.set(m, (minutes.get(m) ?? 0) + 1);
    input.add(r.inputTokens);
    output.add(r.outputTokens);
    cache?.add(r);
  }
  const spanUs = last - first;
  const whole = Math.floor(spanUs / 60e6);
  let minuteRate: TraceStats['minute_rate_rps'] = null;
  if (whole >= 1) {
    let min = Infinity;
    let sum = 0;
    let max = -Infinity;
    for (let m = 0; m < whole; m++) {
      const rate = (minutes.get(m) ?? 0) / 60;
      min = Math.min(min, rate);
      sum += rate;
      max = Math.max(max, rate);
    }
    minuteRate = { minutes: whole, min: round4(min), mean: round4(sum / whole), max: round4(max) };
  }
  return {
    rows,
    skipped_rows: skipped(),
    first_arrival_s: round4(first / 1e6),
    span_s: round4(spanUs / 1e6),
    mean_rate_rps: spanUs > 0 ? round4(rows / (spanUs / 1e6)) : 0,
    minute_rate_rps: minuteRate,
    interarrival_cv: gaps >= 2 && gMean > 0 ? round4(Math.sqrt(gM2 / (gaps - 1)) / gMean) : null,
    input_tokens: input.summary(),
    output_tokens: output.summary(),
    prefix_reuse: cache ? cache.result() : null,
  };
}

const fmt = (x: number, d = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

function lengths(l: LengthSummary | null): string {
  return l === null ? '—' : `mean ${fmt(l.mean, 1)}  p50 ${fmt(l.p50)}  p90 ${fmt(l.p90)}  p99 ${fmt(l.p99)}  max ${fmt(l.max)}`;
}

/** How an approximate prefix reuse was computed, in one line. */
function estimateText(e: KeySetEstimate): string {
  const pct = 100 * e.false_positive_rate;
  const bound = pct >= 0.001 ? `${pct.toPrecision(2)} %` : '0.001 %';
  return `estimate: exact to ${fmt(e.exact_until)} distinct units, then a ${fmt(e.bits / 8 / 2 ** 20)} MB Bloom filter (${e.hashes} probes); reuse high by ≤ ${bound} in expectation`;
}

/** The statistics as aligned text lines (newline-terminated), headed by `title`. */
export function renderTraceStats(title: string, s: TraceStats): string {
  const lines: [string, string][] = [
    ['rows', `${fmt(s.rows)}${s.skipped_rows > 0 ? `  (${fmt(s.skipped_rows)} malformed rows skipped)` : ''}`],
    ['time span', `${fmt(s.span_s, 1)} s from ${fmt(s.first_arrival_s, 1)} s`],
    ['mean rate', `${fmt(s.mean_rate_rps, 3)} req/s`],
    ['per-minute rate', s.minute_rate_rps ? `min ${fmt(s.minute_rate_rps.min, 3)} / mean ${fmt(s.minute_rate_rps.mean, 3)} / max ${fmt(s.minute_rate_rps.max, 3)} req/s over ${fmt(s.minute_rate_rps.minutes)} whole minutes` : '— (under one minute)'],
    ['inter-arrival CV', s.interarrival_cv === null ? '—' : fmt(s.interarrival_cv, 3)],
    ['input tokens', lengths(s.input_tokens)],
    ['output tokens', lengths(s.output_tokens)],
  ];
  const p = s.prefix_reuse;
  if (p) {
    const unit = p.block_tokens === null ? 'prefix units (the trace\'s own blocks)' : `${p.block_tokens}-token blocks`;
    lines.push(['ideal prefix reuse', `${fmt(100 * p.token_reuse, 1)} % of prompt tokens, ${fmt(100 * p.block_reuse, 1)} % of ${fmt(p.blocks)} ${unit} (unbounded cache)`]);
    if (p.estimate) lines.push(['', estimateText(p.estimate)]);
  } else lines.push(['ideal prefix reuse', '— (no shared prompt structure)']);
  const w = Math.max(...lines.map(([k]) => k.length));
  return `${title}\n${lines.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n')}\n`;
}
