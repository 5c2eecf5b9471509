/** One step's batch: which sequences run and how many tokens each computes. Reused across steps. */
import type { Sequence } from './sequence.js';
import { SeqList } from './seqList.js';
import type { BatchShape } from './stepTime/batchShape.js';
import { emptyBatchShape } from './stepTime/batchShape.js';

export class Batch {
  /** Sequences 0 … size − 1, each with its tokens, in storage kept from step to step (seqList.ts). */
  private readonly slots = new SeqList();
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
    return this.slots.length;
  }

  /** Every sequence in the step: slots plus cohort members. */
  get total(): number {
    return this.slots.length + this.implicitSeqs;
  }

  /** Sequence `j` (0 ≤ j < size). */
  seq(j: number): Sequence {
    return this.slots.at(j);
  }

  /** Tokens sequence `j` computes in this step. */
  tokens(j: number): number {
    return this.slots.tag(j);
  }

  clear(): void {
    this.slots.clear();
    this.implicitSeqs = 0;
    this.implicitContext = 0;
    this.implicitContextMin = Infinity;
    this.implicitContextMax = 0;
    if (this.adapters.length > 0) this.adapters.length = 0;
  }

  add(seq: Sequence, tokens: number): void {
    this.slots.push(seq, tokens);
    this.noteAdapter(seq);
  }

  /** Take `seq` out (a priority preemption of an already scheduled request); returns its tokens. */
  remove(seq: Sequence): number {
    const t = this.slots.remove(seq);
    if (t === undefined) return 0;
    if (seq.req.adapter !== null) {
      this.adapters.length = 0;
      for (let j = 0; j < this.slots.length; j++) this.noteAdapter(this.slots.at(j));
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
    const slots = this.slots;
    s.batchSize = slots.length;
    for (let i = 0; i < slots.length; i++) {
      const seq = slots.at(i);
      const t = slots.tag(i);
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
