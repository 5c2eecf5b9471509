/**
 * Per-stage ITL histograms of a run whose arrival profile has stages: each token gap is counted in
 * the stage its request arrived in ([from_s, to_s), as the stage summaries and the stage files of
 * --inference-perf-report / --benchmark-report split requests), as inference-perf pools the token
 * gaps of a stage file's requests (formats.md §3). No per-token objects: one ItlCounts (gap µs →
 * tokens) per stage, like the whole run's.
 *
 * The engine adds a step's gaps to one map for the whole batch, so the attribution is taken from
 * the sequences themselves: before a step ends, `before` notes each running sequence's emitted
 * count and last token time; `after` counts, for each sequence that emitted a non-first token in
 * the step (count went from k ≥ 1 to k + 1), the gap new − old last token time — exactly the gap
 * the engine added to the whole-run map. Requests arriving outside every stage (none, as stages
 * tile the profile up to its pauses) are not counted.
 */
import { stageIndexOf, type StageSpan } from './breakdown.js';
import type { ItlCounts } from './types.js';

/** What the attribution reads of an engine sequence. */
export interface TokenSource {
  readonly outputDone: number;
  readonly lastTokenUs: number;
  readonly rec: { readonly arrivalUs: number };
}

export class StageItl {
  readonly counts: ItlCounts[];
  private readonly seqs: TokenSource[] = [];
  private readonly done: number[] = [];
  private readonly last: number[] = [];

  constructor(private readonly spans: readonly StageSpan[]) {
    this.counts = spans.map(() => new Map());
  }

  /** The stage a request arriving at `arrivalUs` belongs to, -1 for none (same test as stageSummaries). */
  stageOf(arrivalUs: number): number {
    return stageIndexOf(this.spans, arrivalUs);
  }

  /** Before a step ends: the running sequences' emitted counts and last token times. */
  before(running: readonly TokenSource[]): void {
    const n = running.length;
    this.seqs.length = n;
    this.done.length = n;
    this.last.length = n;
    for (let i = 0; i < n; i++) {
      this.seqs[i] = running[i]!;
      this.done[i] = running[i]!.outputDone;
      this.last[i] = running[i]!.lastTokenUs;
    }
  }

  /** After the step ended: the gaps of the tokens it emitted, each into its request's stage. */
  after(): void {
    const seqs = this.seqs;
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i]!;
      const k = this.done[i]!;
      if (k < 1 || seq.outputDone !== k + 1) continue;
      const st = this.stageOf(seq.rec.arrivalUs);
      if (st < 0) continue;
      const gap = seq.lastTokenUs - this.last[i]!;
      const m = this.counts[st]!;
      m.set(gap, (m.get(gap) ?? 0) + 1);
    }
    this.seqs.length = 0;
  }
}
