/**
 * The members of one scheduler's decode cohort (decodeCohort.ts), kept so that a step costs
 * nothing per quiet member: how many there are, the sum, least and greatest of their context bases
 * (a member's context in the step after completed-step count s is base + s, and the base does not
 * change while it keeps decoding, event steps included), and their event steps in a ring of
 * `RING` buckets, so a step finds the members it must give a slot and sorts those few by running
 * rank. An event step is never further than the block size away (the next allocation), unless the
 * last token comes first; a member queued for a step more than RING − 1 away is queued for
 * RING − 1 steps on instead: a slot it did not need is harmless (it is stepped exactly as a member).
 *
 * Bucket entries are not removed when a member leaves early (abort, a step by step pass): each
 * carries the token of the membership it was queued for and is dropped when that has ended.
 */
import type { Sequence } from './sequence.js';

/** Buckets (a power of two, above the largest block size). */
const RING = 512;

export class CohortSet {
  /** Members. */
  count = 0;
  /** Σ of their context bases. */
  sumBase = 0;
  /** Their context bases, ascending (duplicates kept). */
  private readonly bases: number[] = [];
  private readonly bucketSeq: Sequence[][] = Array.from({ length: RING }, () => []);
  private readonly bucketToken: number[][] = Array.from({ length: RING }, () => []);
  private tokens = 0;

  /** Least and greatest context base (valid when count > 0). */
  get minBase(): number {
    return this.bases[0]!;
  }

  get maxBase(): number {
    return this.bases[this.bases.length - 1]!;
  }

  /** `seq` (its cohort fields set by `join`, its event step after `steps`) becomes a member. */
  add(seq: Sequence, steps: number): void {
    this.count++;
    this.sumBase += seq.cohortCtxBase;
    const b = this.bases;
    b.splice(lowerBound(b, seq.cohortCtxBase), 0, seq.cohortCtxBase);
    seq.cohortToken = ++this.tokens;
    this.queue(seq, steps);
  }

  /** A member was given a slot and keeps decoding: queue its next event step (after `steps`). */
  queue(seq: Sequence, steps: number): void {
    if (seq.cohortEventStep - steps >= RING) seq.cohortEventStep = steps + RING - 1;
    const k = seq.cohortEventStep & (RING - 1);
    this.bucketSeq[k]!.push(seq);
    this.bucketToken[k]!.push(seq.cohortToken);
  }

  /** `seq` stops being a member. */
  remove(seq: Sequence): void {
    this.count--;
    this.sumBase -= seq.cohortCtxBase;
    const b = this.bases;
    b.splice(lowerBound(b, seq.cohortCtxBase), 1);
    seq.cohortToken = 0;
  }

  /**
   * Append to `out` the members whose event step is `steps`, in running order (by rank). Every live
   * entry of its bucket is for that step: queued event steps lie within RING − 1 steps ahead.
   */
  popEvents(steps: number, out: Sequence[]): void {
    const k = steps & (RING - 1);
    const seqs = this.bucketSeq[k]!;
    if (seqs.length === 0) return;
    const toks = this.bucketToken[k]!;
    const from = out.length;
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i]!;
      if (seq.cohortToken !== toks[i] || seq.cohortEventStep !== steps) continue;
      // Insertion by rank (entries come mostly in rank order).
      let j = out.length;
      out.push(seq);
      while (j > from && out[j - 1]!.runRank > seq.runRank) {
        out[j] = out[j - 1]!;
        j--;
      }
      out[j] = seq;
    }
    seqs.length = 0;
    toks.length = 0;
  }

  /** Forget every member (their fields are the caller's to reset). */
  clear(): void {
    this.count = 0;
    this.sumBase = 0;
    this.bases.length = 0;
    for (let k = 0; k < RING; k++) {
      this.bucketSeq[k]!.length = 0;
      this.bucketToken[k]!.length = 0;
    }
  }
}

/** First index of a sorted array whose value is ≥ v. */
function lowerBound(a: readonly number[], v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
