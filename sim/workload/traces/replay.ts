/**
 * Trace replay: rows → the simulator's request stream, with the replay controls applied in this
 * order on the trace's own clock: window [from_s, to_s), sampling (each row kept with probability
 * `sample`, seeded stream 'trace-sample'), jitter (+U[0, jitter_s), stream 'trace-jitter'), then
 * time scaling (t − from_s) / rate_scale. Looping replays the window again, shifted by its length
 * (to_s − from_s, or the span of the rows read plus one mean gap), with content ids salted per pass
 * so each pass is new traffic with the same sharing structure. Every pass re-reads the file.
 *
 * Memory stays constant in the number of rows: rows stream from the reader, and jitter only holds
 * the rows whose jittered time may still be overtaken (those within jitter_s of the newest row).
 */
import { hashInts } from '../../core/hash.js';
import { createRng } from '../../core/rng.js';
import { createAdapterPicker, createPriorityPicker } from '../pickers.js';
import { ContentTag, outputContentOf, uniqueContentOf } from '../prompts.js';
import type { Segment, SimRequest } from '../request.js';
import { routingOf, withRouting } from '../routing.js';
import type { StreamOptions } from '../generator.js';
import { sourceRateFactor, type TraceSourceSpec, type WorkloadSpec } from '../spec.js';
import { MinHeap } from '../heap.js';
import { traceRows, type RowContext } from './index.js';
import type { TraceRow } from './types.js';

interface Pending {
  readonly t: number;
  readonly seq: number;
  readonly row: TraceRow;
  readonly pass: number;
}

function less(a: Pending, b: Pending): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

/** Called with the message of every malformed row skipped (skip_bad_rows). */
export type SkipHandler = (message: string) => void;

/** Salts a content id for loop pass `pass` (identity on pass 0). */
function salt(content: number, pass: number): number {
  return pass === 0 ? content : hashInts(ContentTag.loopPass, content, pass);
}

/**
 * The replayed request stream of `src`. `spec.adapters` / `spec.priorities` fill rows that name no
 * adapter / priority. Stops at the end of the (last pass of the) window or at the stream limits.
 */
export function* replayTrace(spec: WorkloadSpec, src: TraceSourceSpec, opts: StreamOptions, ctx: RowContext, onSkip?: SkipHandler): Generator<SimRequest> {
  const maxRequests = opts.limits.requests ?? Infinity;
  const maxUs = opts.limits.durationUs ?? Infinity;
  const sampleRng = createRng(opts.seed, 'trace-sample');
  const jitterRng = createRng(opts.seed, 'trace-jitter');
  const pickAdapter = createAdapterPicker(spec.adapters, spec.base_model_weight, opts.defaultAdapterRank, createRng(opts.seed, 'adapters'));
  const rankOf = new Map(spec.adapters.map((a) => [a.name, a.rank ?? opts.defaultAdapterRank]));
  const pickPriority = createPriorityPicker(spec, createRng(opts.seed, 'priorities'));
  const routing = routingOf(spec);
  const fromUs = Math.round(src.from_s * 1e6);
  const toUs = src.to_s === null ? Infinity : Math.round(src.to_s * 1e6);
  const jitterUs = src.jitter_s * 1e6;
  const rateScale = src.rate_scale * sourceRateFactor(spec, src.nominal_rate);
  const heap = new MinHeap<Pending>(less);
  let seq = 0;
  let id = 0;

  const make = (p: Pending): SimRequest | null => {
    const arrivalUs = Math.round(p.t / rateScale);
    if (arrivalUs > maxUs || id >= maxRequests) return null;
    const { row, pass } = p;
    const rid = id++;
    let segments: readonly Segment[] = row.segments;
    if (pass > 0 || row.uniqueTokens > 0) {
      const s: Segment[] = row.segments.map((x) => (pass === 0 ? x : { content: salt(x.content, pass), tokens: x.tokens }));
      if (row.uniqueTokens > 0) s.push({ content: uniqueContentOf(rid), tokens: row.uniqueTokens });
      segments = s;
    }
    const adapter = row.adapter ?? pickAdapter().name;
    const req: SimRequest = {
      id: rid,
      arrivalUs,
      segments,
      inputTokens: row.inputTokens,
      outputTokens: row.outputTokens,
      outputContent: row.outputContent === null ? outputContentOf(rid) : salt(row.outputContent, pass),
      adapter,
      adapterRank: adapter === null ? 0 : (rankOf.get(adapter) ?? opts.defaultAdapterRank),
      priority: row.priority ?? pickPriority(),
      group: row.group,
      session: row.session < 0 || pass === 0 ? row.session : hashInts(row.session, pass) & 0x7fffffff,
      turn: row.turn,
      client: row.client,
    };
    // A row's own model (routesim JSONL `model`) wins over the workload's.
    return row.model === undefined ? withRouting(req, routing) : { ...req, ...routing, model: row.model };
  };

  let offsetUs = 0;
  for (let pass = 0; src.loop === 0 || pass < src.loop; pass++) {
    let rowsRead = 0;
    let firstBase = 0;
    let lastBase = 0;
    for (const row of traceRows(src.path, src.format, { skipBadRows: src.skip_bad_rows, ...(onSkip && pass === 0 ? { onSkip } : {}) }, ctx)) {
      if (row.timeUs < fromUs) continue;
      if (row.timeUs >= toUs) break;
      const base = row.timeUs - fromUs;
      if (rowsRead === 0) firstBase = base;
      lastBase = base;
      rowsRead++;
      if (src.sample < 1 && sampleRng() >= src.sample) continue;
      const t = offsetUs + base + (jitterUs > 0 ? jitterRng() * jitterUs : 0);
      // Every later row has base time ≥ this one's, so pending rows up to it are final.
      while (heap.size > 0 && heap.peek()!.t <= offsetUs + base) {
        const r = make(heap.pop()!);
        if (r === null) return;
        yield r;
      }
      heap.push({ t, seq: seq++, row, pass });
      if (jitterUs === 0) {
        const r = make(heap.pop()!);
        if (r === null) return;
        yield r;
      }
    }
    if (rowsRead === 0) break;
    const meanGap = rowsRead > 1 ? (lastBase - firstBase) / (rowsRead - 1) : 1e6;
    offsetUs += toUs === Infinity ? lastBase + meanGap : toUs - fromUs;
    if (offsetUs / rateScale > maxUs) break;
  }
  while (heap.size > 0) {
    const r = make(heap.pop()!);
    if (r === null) return;
    yield r;
  }
}
