/** One step's batch: which sequences run and how many tokens each computes. Reused across steps. */
import type { Sequence } from './sequence.js';
import type { BatchShape } from './stepTime/batchShape.js';
import { emptyBatchShape } from './stepTime/batchShape.js';

export class Batch {
  readonly seqs: Sequence[] = [];
  readonly tokens: number[] = [];
  /** Distinct LoRA adapters in the batch, in the order their first sequence joined. */
  readonly adapters: string[] = [];
  readonly shape: BatchShape = emptyBatchShape();

  get size(): number {
    return this.seqs.length;
  }

  clear(): void {
    this.seqs.length = 0;
    this.tokens.length = 0;
    this.adapters.length = 0;
  }

  add(seq: Sequence, tokens: number): void {
    this.seqs.push(seq);
    this.tokens.push(tokens);
    this.noteAdapter(seq);
  }

  /** Take `seq` out (a priority preemption of an already scheduled request); returns its tokens. */
  remove(seq: Sequence): number {
    const i = this.seqs.indexOf(seq);
    if (i < 0) return 0;
    const t = this.tokens[i]!;
    this.seqs.splice(i, 1);
    this.tokens.splice(i, 1);
    if (seq.req.adapter !== null) {
      this.adapters.length = 0;
      for (const other of this.seqs) this.noteAdapter(other);
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
    s.batchSize = this.seqs.length;
    for (let i = 0; i < this.seqs.length; i++) {
      const seq = this.seqs[i]!;
      const t = this.tokens[i]!;
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
    s.decodeContextMin = ctxMax > 0 ? ctxMin : 0;
    s.decodeContextMax = ctxMax;
    s.adapters = this.adapters.length;
  }
}
