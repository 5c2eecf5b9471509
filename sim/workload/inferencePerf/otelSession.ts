/**
 * One OTel session record (otelFile.ts) → the events inference-perf's otel_trace_replay sends
 * (formats.md §1.4): its LLM spans in start order, their dependency DAG, waits, prompt pieces and
 * max_tokens.
 * - Edges: causal (span j's input repeats span i's output message, i ended ≤ j's start: the latest
 *   such i) plus the closest earlier non-overlapping span (the latest end ≤ j's start), then
 *   transitively reduced. Roots fire at session start. (Both searches: otelSearch.ts.)
 * - wait = max(0, start − latest predecessor end), capped at max_wait_ms; sent after the
 *   predecessors' responses + wait (not part of latency).
 * - Input pieces, one per message: `shared` = the longest run of leading messages identical to an
 *   earlier span's leading input messages (copied with that span's token counts, so the prefix is
 *   the same tokens; a copied output message is this span's own producer of it); `output` = an earlier span's output message repeated (content = that
 *   request's generated output, its simulated length; a run of one span's output messages is one
 *   piece); `unique` = the rest, sharing the remaining input_tokens − shared − output by message
 *   character length (largest remainder). A text piece's content id is a hash of the message, so
 *   equal text is equal tokens, also across sessions.
 * - Output: the recorded output_tokens (default_max_tokens when absent). Tool-call spans are sent
 *   with ignore_eos off and max_tokens max(4×, 4096) (override_tool_call_max_tokens); the model
 *   stops at its end of sequence, which routesim takes to be the recorded length.
 */
import { hashString } from '../../core/hash.js';
import type { OtelSpan } from './otelFile.js';
import { EndedSpans, PrefixTrie } from './otelSearch.js';

export type Piece =
  | { readonly kind: 'shared' | 'unique'; readonly content: number; readonly tokens: number }
  | { readonly kind: 'output'; readonly producer: number; readonly tokens: number };

export interface OtelEvent {
  readonly startUs: number;
  readonly endUs: number;
  /** Indices of predecessor events (after transitive reduction), ascending. */
  readonly preds: readonly number[];
  readonly succs: readonly number[];
  readonly waitUs: number;
  readonly pieces: readonly Piece[];
  /** Tokens the simulated request generates. */
  readonly outputTokens: number;
  /** max_tokens inference-perf sends. */
  readonly maxTokens: number;
  readonly toolCall: boolean;
}

export interface OtelOptions {
  readonly maxWaitUs: number;
  readonly defaultMaxTokens: number;
  readonly includeErrors: boolean;
  readonly outputSubstitution: boolean;
  readonly overrideToolCallMaxTokens: boolean;
}

/** `total` split over `weights` in proportion, floors plus largest remainders (ties: earlier). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, w) => a + w, 0);
  if (sum === 0 || total === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, x) => a + x, 0);
  const order = exact.map((x, i) => ({ f: x - Math.floor(x), i })).sort((a, b) => b.f - a.f || a.i - b.i);
  for (let k = 0; left > 0; k++, left--) out[order[k]!.i]!++;
  return out;
}

export function buildSession(all: readonly OtelSpan[], o: OtelOptions): OtelEvent[] {
  const spans = all
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => o.includeErrors || !s.error)
    .sort((a, b) => a.s.startUs - b.s.startUs || a.s.endUs - b.s.endUs || a.i - b.i)
    .map(({ s }) => s);
  const n = spans.length;
  const outTokens = spans.map((s) => s.outputTokens ?? o.defaultMaxTokens);
  const preds: Array<Set<number>> = [];
  const pieces: Piece[][] = [];
  const ended = new EndedSpans(spans);
  const prefixes = new PrefixTrie();
  for (let j = 0; j < n; j++) {
    const sj = spans[j]!;
    ended.admitUpTo(j);
    const p = new Set<number>();
    // Closest earlier non-overlapping span.
    if (ended.close >= 0) p.add(ended.close);
    // Producer of each input message that repeats an earlier output (latest end ≤ start).
    const producer = sj.input.map((m) => ended.producerOf(m.key));
    for (const q of producer) if (q >= 0) p.add(q);
    preds.push(p);
    // Longest shared leading run with an earlier span's input.
    const { src, len } = prefixes.longest(sj.input);
    prefixes.insert(sj.input, j);
    const mine: Piece[] = [];
    const output = (k: number, q: number): Piece => {
      const prev = mine[k - 1];
      const cont = prev !== undefined && prev.kind === 'output' && prev.producer === q;
      return { kind: 'output', producer: q, tokens: cont ? 0 : outTokens[q]! };
    };
    for (let k = 0; k < len; k++) {
      const c = pieces[src]![k]!;
      // A copied output is j's own producer of that message (a predecessor of j; usually the same span).
      mine.push(c.kind === 'output' ? output(k, producer[k]!) : { kind: 'shared', content: c.content, tokens: c.tokens });
    }
    const uniq: number[] = [];
    for (let k = len; k < sj.input.length; k++) {
      const q = o.outputSubstitution ? producer[k]! : -1;
      if (q >= 0) mine.push(output(k, q));
      else {
        uniq.push(k);
        mine.push({ kind: 'unique', content: hashString(sj.input[k]!.key), tokens: 0 });
      }
    }
    const used = mine.reduce((a, x) => a + x.tokens, 0);
    const split = apportion(Math.max(0, sj.inputTokens - used), uniq.map((k) => sj.input[k]!.chars));
    uniq.forEach((k, u) => {
      const x = mine[k] as Piece & { kind: 'unique' };
      mine[k] = { ...x, tokens: split[u]! };
    });
    pieces.push(mine);
  }
  // Transitive reduction: drop p → j when p is an ancestor of another predecessor of j.
  const anc: Array<Set<number>> = [];
  for (let j = 0; j < n; j++) {
    const a = new Set<number>();
    for (const p of preds[j]!) {
      a.add(p);
      for (const x of anc[p]!) a.add(x);
    }
    anc.push(a);
  }
  const reduced = preds.map((ps) => [...ps].filter((p) => ![...ps].some((q) => q !== p && anc[q]!.has(p))).sort((a, b) => a - b));
  const succs: number[][] = spans.map(() => []);
  reduced.forEach((ps, j) => ps.forEach((p) => succs[p]!.push(j)));
  return spans.map((s, j) => {
    const last = reduced[j]!.reduce((a, p) => Math.max(a, spans[p]!.endUs), -Infinity);
    const rec = outTokens[j]!;
    return {
      startUs: s.startUs,
      endUs: s.endUs,
      preds: reduced[j]!,
      succs: succs[j]!,
      waitUs: reduced[j]!.length === 0 ? 0 : Math.min(o.maxWaitUs, Math.max(0, s.startUs - last)),
      pieces: pieces[j]!,
      outputTokens: Math.max(1, rec),
      maxTokens: s.toolCall && o.overrideToolCallMaxTokens ? Math.max(4 * rec, 4096) : rec,
      toolCall: s.toolCall,
    };
  });
}
