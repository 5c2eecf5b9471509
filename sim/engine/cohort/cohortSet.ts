/**
 * The members of one scheduler's decode cohort (decodeCohort.ts), kept so that a step costs
 * nothing per quiet member: how many there are, the sum, least and greatest of their context bases
 * (a member's context in the step after completed-step count s is base + s, and the base does not
 * change while it keeps decoding, event steps included), and their event steps in a ring of
 * RING = ringSize(block size) buckets, so a step finds the members it must give a slot and sorts
 * those few by running rank. An event step is never further than the block size away (the next
 * allocation), unless the last token comes first or the member is in the allocation class (its one
 * event is its last token). A step further than RING − 1 away waits in a second ring of FAR buckets
 * of RING steps each (one per window of RING steps), moved to the first when its window starts; a
 * member queued beyond that (FAR·RING steps) is queued for the last step it reaches instead: a slot
 * it did not need is harmless (it is stepped exactly as a member), a class member is queued again.
 *
 * Bucket entries are not removed when a member leaves early (abort, a step by step pass): each
 * carries the token of the membership it was queued for and is dropped when that has ended.
 */
import type { Sequence } from '../sequence.js';
import { SeqList } from '../seqList.js';

/** Windows of RING steps the second ring holds (issue 15: a 256-token output waits in one or two). */
const FAR = 64;

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
  /** log2 RING: the window of step s is s >> shift. */
  private readonly shift: number;
  /** Members queued for a step in a later window, per window modulo FAR, with their tokens. */
  private readonly far: SeqList[];
  /** Windows up to this one were moved to `buckets`. */
  private drained = -1;
  private tokens = 0;
  /** Members of the allocation class (decodeCohort.ts), by the step of their allocations modulo the block size. */
  private readonly phases: Int32Array;
  /** Members of the allocation class. */
  classCount = 0;

  constructor(private readonly bs: number) {
    const ring = ringSize(bs);
    this.mask = ring - 1;
    this.shift = Math.log2(ring);
    this.buckets = Array.from({ length: ring }, () => new SeqList());
    this.far = Array.from({ length: FAR }, () => new SeqList());
    this.phases = new Int32Array(bs);
  }

  /** Allocations the class makes in the step at completed-step count `steps`. */
  allocationsAt(steps: number): number {
    return this.phases[steps % this.bs]!;
  }

  /** Member `seq` enters the allocation class, its next allocation at completed-step count `from`. */
  enterClass(seq: Sequence, from: number): void {
    seq.cohortClassFrom = from;
    this.phases[from % this.bs]!++;
    this.classCount++;
  }

  /** Member `seq` leaves the allocation class (handed its blocks already). */
  leaveClass(seq: Sequence): void {
    this.phases[seq.cohortClassFrom % this.bs]!--;
    this.classCount--;
    seq.cohortClassFrom = -1;
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

  /** Member `seq` gets a new membership token: the entries queued for it so far are dropped when popped. */
  renew(seq: Sequence): void {
    seq.cohortToken = ++this.tokens;
  }

  /** A member was given a slot and keeps decoding: queue its next event step (after `steps`). */
  queue(seq: Sequence, steps: number): void {
    this.advance(steps);
    let e = seq.cohortEventStep;
    if (e - steps > this.mask) {
      // The last step the second ring holds: the end of the window FAR − 1 after the current one.
      const last = ((this.drained + FAR) << this.shift) - 1;
      if (e > last) e = seq.cohortEventStep = last;
      if (e - steps > this.mask) {
        // Its window starts after `steps` (steps never go back): it has not been moved yet.
        if (e >> this.shift <= this.drained) throw new Error(`decode cohort: step ${e} queued after its window moved`);
        this.far[(e >> this.shift) % FAR]!.push(seq, seq.cohortToken);
        return;
      }
    }
    this.buckets[e & this.mask]!.push(seq, seq.cohortToken);
  }

  /**
   * Moves the members queued in the second ring for the windows up to that of completed-step count
   * `steps` into the first (their steps are then at most RING − 1 ahead); entries whose membership
   * ended or whose event step moved are dropped.
   */
  private advance(steps: number): void {
    const w = steps >> this.shift;
    while (this.drained < w) {
      const window = ++this.drained;
      const bucket = this.far[window % FAR]!;
      const n = bucket.length;
      if (n === 0) continue;
      for (let i = 0; i < n; i++) {
        const seq = bucket.at(i);
        const e = seq.cohortEventStep;
        if (seq.cohortToken !== bucket.tag(i) || e >> this.shift !== window) continue;
        // A member at its event step was popped then, or stepped explicitly (leaving the cohort).
        if (e < steps) throw new Error(`decode cohort: request ${seq.req.id} missed its event step ${e}`);
        this.buckets[e & this.mask]!.push(seq, seq.cohortToken);
      }
      bucket.clear();
    }
  }

  /** `seq` stops being a member (out of the allocation class already). */
  remove(seq: Sequence): void {
    if (seq.cohortClassFrom >= 0) throw new Error(`decode cohort: request ${seq.req.id} left in the allocation class`);
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
    this.advance(steps);
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

  /** Forget every member (their fields are the caller's to reset; none in the allocation class). */
  clear(): void {
    if (this.classCount > 0) throw new Error('decode cohort: cleared with members in the allocation class');
    this.count = 0;
    this.sumBase = 0;
    for (const b of this.buckets) b.clear();
    for (const b of this.far) b.clear();
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
