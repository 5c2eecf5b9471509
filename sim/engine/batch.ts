/** One step's batch: which sequences run and how many tokens each computes. Reused across steps. */
import type { Sequence } from './sequence.js';
import type { BatchShape } from './stepTime/batchShape.js';
import { emptyBatchShape } from './stepTime/batchShape.js';

/** Placeholder for a cleared slot (keeps the arrays' element kind). */
const NO_SEQ = null as unknown as Sequence;

export class Batch {
  /**
   * Sequences 0 … size − 1 and their tokens. The arrays are overwritten in place, never emptied:
   * refilling emptied arrays every step reallocated their backing stores (most of a run's garbage).
   */
  private readonly seqArr: Sequence[] = [];
  private readonly tokenArr: number[] = [];
  private n = 0;
  /** Distinct LoRA adapters in the batch, in the order their first sequence joined. */
  readonly adapters: string[] = [];
  readonly shape: BatchShape = emptyBatchShape();
  /**
   * Decode-cohort members running in this step without a slot (decodeCohort.ts): how many (less
   * those aborted since), and their context sum, shortest and longest, set by the scheduler before
   * `finalise`.
   */
  implicitSeqs = 0;
  implicitContext = 0;
  implicitContextMin = Infinity;
  implicitContextMax = 0;

  /** Sequences with a slot (seq(j), tokens(j)); cohort members are counted by `implicitSeqs`. */
  get size(): number {
    return this.n;
  }

  /** Every sequence in the step: slots plus cohort members. */
  get total(): number {
    return this.n + this.implicitSeqs;
  }

  /** Sequence `j` (0 ≤ j < size). */
  seq(j: number): Sequence {
    return this.seqArr[j]!;
  }

  /** Tokens sequence `j` computes in this step. */
  tokens(j: number): number {
    return this.tokenArr[j]!;
  }

  clear(): void {
    // Drop references to sequences of the last step (they may have finished) without shrinking.
    for (let j = 0; j < this.n; j++) this.seqArr[j] = NO_SEQ;
    this.n = 0;
    this.implicitSeqs = 0;
    this.implicitContext = 0;
    this.implicitContextMin = Infinity;
    this.implicitContextMax = 0;
    if (this.adapters.length > 0) this.adapters.length = 0;
  }

  add(seq: Sequence, tokens: number): void {
    const j = this.n++;
    if (j < this.seqArr.length) {
      this.seqArr[j] = seq;
      this.tokenArr[j] = tokens;
    } else {
      this.seqArr.push(seq);
      this.tokenArr.push(tokens);
    }
    this.noteAdapter(seq);
  }

  /** Take `seq` out (a priority preemption of an already scheduled request); returns its tokens. */
  remove(seq: Sequence): number {
    let i = -1;
    for (let j = 0; j < this.n; j++) {
      if (this.seqArr[j] === seq) {
        i = j;
        break;
      }
    }
    if (i < 0) return 0;
    const t = this.tokenArr[i]!;
    for (let j = i + 1; j < this.n; j++) {
      this.seqArr[j - 1] = this.seqArr[j]!;
      this.tokenArr[j - 1] = this.tokenArr[j]!;
    }
    this.n--;
    this.seqArr[this.n] = NO_SEQ;
    if (seq.req.adapter !== null) {
      this.adapters.length = 0;
      for (let j = 0; j < this.n; j++) this.noteAdapter(this.seqArr[j]!);
    }
    return t;
  }

  private noteAdapter(seq: Sequence): void {
    const a = seq.req.adapter;
    if (a !== null && !this.adapters.includes(a)) this.adapters.push(a);
  }

  /** Fill `shape` from the final batch (sequences' numComputed is still pre-step). */
  finalise(): void {
    const s = this.shape;
    s.prefillTokens = 0;
    s.prefillAttnWork = 0;
    s.prefillPromptWork = 0;
    s.prefillKvTokens = 0;
    s.decodeSeqs = 0;
    s.decodeContext = 0;
    let ctxMin = Infinity;
    let ctxMax = 0;
    s.batchSize = this.n;
    for (let i = 0; i < this.n; i++) {
      const seq = this.seqArr[i]!;
      const t = this.tokenArr[i]!;
      const before = seq.numComputed;
      if (seq.outputDone > 0 && t === 1 && before === seq.knownTokens - 1) {
        s.decodeSeqs += 1;
        s.decodeContext += before + 1;
        if (before + 1 < ctxMin) ctxMin = before + 1;
        if (before + 1 > ctxMax) ctxMax = before + 1;
      } else {
        s.prefillTokens += t;
        s.prefillAttnWork += t * (before + (t - 1) / 2);
        s.prefillPromptWork += t * (seq.knownTokens + t / 2);
        s.prefillKvTokens += before + t;
      }
    }
    if (this.implicitSeqs > 0) {
      s.batchSize += this.implicitSeqs;
      s.decodeSeqs += this.implicitSeqs;
      s.decodeContext += this.implicitContext;
      if (this.implicitContextMin < ctxMin) ctxMin = this.implicitContextMin;
      if (this.implicitContextMax > ctxMax) ctxMax = this.implicitContextMax;
    }
    s.decodeContextMin = ctxMax > 0 ? ctxMin : 0;
    s.decodeContextMax = ctxMax;
    s.adapters = this.adapters.length;
  }
}
