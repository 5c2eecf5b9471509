/**
 * The members of one scheduler's decode cohort (decodeCohort.ts), kept so that a step costs
 * nothing per quiet member: how many there are, the sum, least and greatest of their context bases
 * (a member's context in the step after completed-step count s is base + s, and the base does not
 * change while it keeps decoding, event steps included), and their event steps in a ring of
 * RING = ringSize(block size) buckets, so a step finds the members it must give a slot and sorts
 * those few by running rank. An event step is never further than the block size away (the next
 * allocation), unless the last token comes first; a member queued for a step more than RING − 1
 * away is queued for RING − 1 steps on instead: a slot it did not need is harmless (it is stepped
 * exactly as a member).
 *
 * Bucket entries are not removed when a member leaves early (abort, a step by step pass): each
 * carries the token of the membership it was queued for and is dropped when that has ended.
 */
import type { Sequence } from '../sequence.js';
import { SeqList } from '../seqList.js';

/**
 * Buckets for block size `bs`: a power of two above it (every event step within RING − 1 steps), at
 * least 32. Each bucket keeps the storage of its busiest step, so a fixed 512 held ≈ 300 KB a
 * replica for nothing: 20 MB of a 64-replica run's live heap (issue 15).
 */
export function ringSize(bs: number): number {
  let r = 32;
  while (r <= bs) r *= 2;
  return r;
}

export class CohortSet {
  /** Members. */
  count = 0;
  /** Σ of their context bases. */
  sumBase = 0;
  /** Their context bases, ascending (duplicates kept), in bases[0 … count − 1]. */
  private bases = new Float64Array(64);
  /** Members queued per event step modulo RING, each with its membership token. */
  private readonly buckets: SeqList[];
  /** RING − 1 (ringSize). */
  private readonly mask: number;
  private tokens = 0;

  constructor(bs: number) {
    const ring = ringSize(bs);
    this.mask = ring - 1;
    this.buckets = Array.from({ length: ring }, () => new SeqList());
  }

  /** Least and greatest context base (valid when count > 0). */
  get minBase(): number {
    return this.bases[0]!;
  }

  get maxBase(): number {
    return this.bases[this.count - 1]!;
  }

  /** `seq` (its cohort fields set by `join`, its event step after `steps`) becomes a member. */
  add(seq: Sequence, steps: number): void {
    const v = seq.cohortCtxBase;
    if (this.count === this.bases.length) {
      const grown = new Float64Array(this.bases.length * 2);
      grown.set(this.bases);
      this.bases = grown;
    }
    const b = this.bases;
    const at = lowerBound(b, this.count, v);
    b.copyWithin(at + 1, at, this.count);
    b[at] = v;
    this.count++;
    this.sumBase += v;
    seq.cohortToken = ++this.tokens;
    this.queue(seq, steps);
  }

  /** A member was given a slot and keeps decoding: queue its next event step (after `steps`). */
  queue(seq: Sequence, steps: number): void {
    if (seq.cohortEventStep - steps > this.mask) seq.cohortEventStep = steps + this.mask;
    this.buckets[seq.cohortEventStep & this.mask]!.push(seq, seq.cohortToken);
  }

  /** `seq` stops being a member. */
  remove(seq: Sequence): void {
    const v = seq.cohortCtxBase;
    const b = this.bases;
    const at = lowerBound(b, this.count, v);
    b.copyWithin(at, at + 1, this.count);
    this.count--;
    this.sumBase -= v;
    seq.cohortToken = 0;
  }

  /**
   * Append to `out` the members whose event step is `steps`, in running order (by rank). Every live
   * entry of its bucket is for that step: queued event steps lie within RING − 1 steps ahead.
   */
  popEvents(steps: number, out: SeqList): void {
    const bucket = this.buckets[steps & this.mask]!;
    const n = bucket.length;
    if (n === 0) return;
    const from = out.length;
    for (let i = 0; i < n; i++) {
      const seq = bucket.at(i);
      if (seq.cohortToken !== bucket.tag(i) || seq.cohortEventStep !== steps) continue;
      out.push(seq);
      // Insertion by rank (entries come mostly in rank order).
      let j = out.length - 1;
      while (j > from && out.at(j - 1).runRank > seq.runRank) j--;
      if (j < out.length - 1) out.moveLastTo(j);
    }
    bucket.clear();
  }

  /** Forget every member (their fields are the caller's to reset). */
  clear(): void {
    this.count = 0;
    this.sumBase = 0;
    for (const b of this.buckets) b.clear();
  }
}

/** First index of the sorted a[0 … n − 1] whose value is ≥ v. */
function lowerBound(a: Float64Array, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
