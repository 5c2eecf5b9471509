/**
 * A scheduler's running sequences in order (vLLM's running list), with the rank each got on
 * joining (Sequence.runRank: its place relative to the others). Finished sequences stay in the list
 * as holes until a quarter of it is holes or someone reads it in order (`list`), so a step that
 * finishes a few requests does not shift the whole list each time (issue 15).
 */
import type { Sequence } from './sequence.js';

export class RunningSet {
  private readonly seqs: Sequence[] = [];
  private holes = 0;
  /** Ranks handed to sequences joining. */
  private rank = 0;

  /** The running sequences, in order (finished ones dropped first). */
  get list(): Sequence[] {
    if (this.holes > 0) this.compact();
    return this.seqs;
  }

  /** How many sequences run. */
  get count(): number {
    return this.seqs.length - this.holes;
  }

  /** `seq` joins, last, with the next rank. */
  push(seq: Sequence): void {
    seq.runRank = ++this.rank;
    this.seqs.push(seq);
  }

  /** `n` of them finished (their outputs are done): they leave as holes. */
  finished(n: number): void {
    this.holes += n;
    if (this.holes * 4 > this.seqs.length) this.compact();
  }

  /** Takes out `seq` if it runs (not finished); false when it does not. */
  remove(seq: Sequence): boolean {
    const i = seq.outputDone < seq.req.outputTokens ? this.seqs.indexOf(seq) : -1;
    if (i < 0) return false;
    this.seqs.splice(i, 1);
    return true;
  }

  /** None runs any more (ranks keep counting). */
  clear(): void {
    this.seqs.length = 0;
    this.holes = 0;
  }

  /** Drops finished sequences (order kept). */
  private compact(): void {
    const seqs = this.seqs;
    let w = 0;
    for (const s of seqs) if (s.outputDone < s.req.outputTokens) seqs[w++] = s;
    seqs.length = w;
    this.holes = 0;
  }
}
