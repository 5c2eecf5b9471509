/**
 * The scheduler's side of the decode cohort (decodeCohort.ts): who is a member (cohortSet.ts),
 * the running sequences that are not (in running order), and pass 1 for a step in which every
 * running request gets its whole chunk and every allocation fits (`mergePass`), which costs only
 * the step's non-members and member events instead of one visit per running sequence.
 */
import type { Batch } from '../batch.js';
import type { KvCache } from '../kvCache.js';
import { blocksShort, chunkTokens, type Sequence } from '../sequence.js';
import { CohortSet } from './cohortSet.js';
import { SeqList } from '../seqList.js';
import { eventKind, EventKind, fullBlocksAfter, join, mayJoin, nextEventStep, settle, takenThrough } from './decodeCohort.js';
import type { ItlCounts } from '../../metrics/types.js';
import { fillRegisters, registerFull } from '../prefixBlocks.js';

export class CohortPass {
  readonly members: CohortSet;
  /** Running sequences that are not members, in running order. */
  readonly explicit = new SeqList();
  /** Scratch: members at their event step, each with what it needs (EventKind) once classified. */
  private readonly events = new SeqList();
  /**
   * Members of the last `mergePass` whose block fills in its step and must register without a slot,
   * in running order, with their membership tokens: the scheduler's `complete` registers them
   * among the slots' registrations in running order, then empties these.
   */
  readonly fills = new SeqList();
  /** Scratch: sequences of a completing step's slots that keep decoding (`keepDecoding`). */
  readonly decoding = new SeqList();
  /** What each of `events` needs (EventKind), by index. */
  private readonly kinds: EventKind[] = [];

  constructor(
    private readonly kv: KvCache,
    private readonly bs: number,
  ) {
    this.members = new CohortSet(bs);
  }

  /**
   * Pass 1 at completed-step count `steps`: if every running request's whole chunk fits `budget`
   * and every allocation it needs fits the free blocks (so step by step nothing would be cut short
   * or preempted), give slots to the non-members and to the members at an event step that needs
   * one (a fill that registers, the last token), in running order, allocate the blocks of members
   * whose event is only that and take the allocation class's in bulk (decodeCohort.ts), count the
   * other members without slots, and return the budget left; else −1 (nothing changed but the
   * counters of members at a slot event, written back, and class members at their last token out
   * of the class). `running` (the scheduler's running list, in order) is read only to dissolve the
   * class when a free block has a hash.
   */
  mergePass(batch: Batch, budget: number, threshold: number, steps: number, lastEmitUs: number, running: () => readonly Sequence[]): number {
    const bs = this.bs;
    const ev = this.events;
    const members = this.members;
    // The class takes its allocations in bulk only while they are interchangeable (decodeCohort.ts).
    if (members.classCount > 0 && this.kv.hashedFree) this.dissolveClass(running(), steps, lastEmitUs);
    ev.clear();
    this.fills.clear();
    members.popEvents(steps, ev);
    const kinds = this.kinds;
    // Every member computes one token; members whose event is an allocation or a fill keep no slot.
    let demand = members.count;
    let need = 0;
    let slotted = 0;
    let slottedBase = 0;
    for (let e = 0; e < ev.length; e++) {
      const seq = ev.at(e);
      const kind = eventKind(seq, steps, bs);
      kinds[e] = kind;
      if (kind === EventKind.Allocation) need++;
      if (kind !== EventKind.Slot) continue;
      // Its last token: out of the class, with the blocks of its allocations before this step.
      if (seq.cohortClassFrom >= 0) this.leaveClass(seq, steps - 1);
      settle(seq, steps, lastEmitUs);
      slotted++;
      slottedBase += seq.cohortCtxBase;
      const b = blocksShort(seq, 1, bs);
      if (b > 0) need += b;
    }
    const allocs = members.classCount > 0 ? members.allocationsAt(steps) : 0;
    need += allocs;
    const ex = this.explicit;
    for (let a = 0; a < ex.length; a++) {
      const seq = ex.at(a);
      const n = chunkTokens(seq, threshold);
      if (n <= 0) continue;
      demand += n;
      const b = blocksShort(seq, n, bs);
      if (b > 0) need += b;
    }
    if (demand > budget || need > this.kv.freeBlocks) return -1;
    if (allocs > 0) this.kv.takeUnhashed(allocs);
    let a = 0;
    let e = 0;
    while (a < ex.length || e < ev.length) {
      if (e < ev.length && (a >= ex.length || ev.at(e).runRank < ex.at(a).runRank)) {
        const seq = ev.at(e);
        const kind = kinds[e++]!;
        if (kind !== EventKind.Slot) {
          // Its next block, in running order, or its full block to register at the step's end; it
          // keeps running without a slot. A class member only waits on for its last token.
          if (kind === EventKind.Wake) seq.cohortEventStep = seq.cohortLastStep;
          else if (kind === EventKind.Allocation) {
            seq.blocks.push(this.kv.allocate());
            if (!seq.cohortFills && seq.cohortLastStep > steps + bs && !this.kv.hashedFree) {
              members.enterClass(seq, steps + bs);
              seq.cohortEventStep = seq.cohortLastStep;
            } else seq.cohortEventStep = nextEventStep(seq, steps, bs);
          } else {
            this.fills.push(seq, seq.cohortToken);
            seq.cohortEventStep = nextEventStep(seq, steps, bs);
          }
          members.queue(seq, steps);
          continue;
        }
        this.allocate(seq, 1);
        batch.add(seq, 1);
        continue;
      }
      const seq = ex.at(a++);
      const n = chunkTokens(seq, threshold);
      if (n <= 0) continue;
      this.allocate(seq, n);
      batch.add(seq, n);
    }
    const quiet = members.count - slotted;
    if (quiet > 0) {
      batch.implicitSeqs = quiet;
      batch.implicitContext = members.sumBase - slottedBase + quiet * steps;
      // Members with a slot have the same context in it: the range may include them.
      batch.implicitContextMin = members.minBase + steps;
      batch.implicitContextMax = members.maxBase + steps;
    }
    return budget - demand;
  }

  /**
   * Class member `seq` leaves the allocation class, handed the blocks of its allocations up to
   * completed-step count `through` included (those taken in bulk for it).
   */
  private leaveClass(seq: Sequence, through: number): void {
    const k = takenThrough(seq, through, this.bs);
    for (let i = 0; i < k; i++) seq.blocks.push(this.kv.popTaken());
    this.members.leaveClass(seq);
  }

  /**
   * A free block has a hash: allocations are no longer interchangeable, so every class member
   * (in `running`, in order) leaves the class before the step at completed-step count `steps` and
   * is queued again for its next event from its counters, as a member given a slot is.
   */
  private dissolveClass(running: readonly Sequence[], steps: number, lastEmitUs: number): void {
    for (const seq of running) {
      if (seq.cohortClassFrom < 0) continue;
      this.leaveClass(seq, steps - 1);
      settle(seq, steps, lastEmitUs);
      // A new membership token: its entry queued for the last token (or a wake-up) is dropped.
      this.members.renew(seq);
      this.requeue(seq, steps, false);
    }
  }

  /** Blocks for `seq`'s numComputed + n tokens (the scheduler's allocate, checked to fit beforehand). */
  private allocate(seq: Sequence, n: number): void {
    const need = blocksShort(seq, n, this.bs);
    for (let b = 0; b < need; b++) seq.blocks.push(this.kv.allocate());
  }

  /**
   * The ITL gap of this step's members without a slot, when it is not the step's length (counted
   * with the others at the end): added now if `itl` has it, else where the first such member
   * stands in batch order (returned: a slot index, or batch.size for after every slot), as stepping
   * each would have inserted it (Map order is iteration order). −1 when nothing is left to add.
   * `running` is asked for only then: reading the scheduler's running list compacts it, which
   * would otherwise cost a pass over every running request on almost every step (issue 15).
   */
  quietGapAt(running: () => readonly Sequence[], batch: Batch, itl: ItlCounts, gap: number, durUs: number, steps: number): number {
    if (gap === durUs) return -1;
    const have = itl.get(gap);
    if (have === undefined) return this.firstQuietSlot(running(), batch, steps);
    itl.set(gap, have + batch.implicitSeqs);
    return -1;
  }

  /**
   * The sequences of this step's slots that keep decoding (`decoding`), after completed-step count
   * `steps`: members are queued again, others may join. True if any joined.
   */
  keepDecoding(steps: number): boolean {
    const list = this.decoding;
    let joined = false;
    for (let i = 0; i < list.length; i++) {
      const seq = list.at(i);
      if (seq.cohortFrom >= 0) this.requeue(seq, steps, fillRegisters(this.kv, seq));
      else if (mayJoin(seq) && this.tryJoin(seq, steps, fillRegisters(this.kv, seq))) joined = true;
    }
    list.clear();
    return joined;
  }

  /**
   * Register the blocks that filled in the step at completed-step count `steps` of the fill members
   * from the `f`-th on whose running rank is below `rank` (those that left since, aborted, are
   * skipped); returns the index of the first one left.
   */
  registerFillsBefore(f: number, rank: number, steps: number): number {
    const fills = this.fills;
    const kv = this.kv;
    while (f < fills.length && fills.at(f).runRank < rank) {
      const seq = fills.at(f);
      if (seq.cohortToken === fills.tag(f++) && kv.prefixCaching) {
        const full = fullBlocksAfter(seq, steps, this.bs);
        if (seq.registeredBlocks < full) registerFull(kv, seq, full, kv.uniqueKeys);
      }
    }
    if (f === fills.length) fills.clear();
    return f;
  }

  /** `seq`, just stepped with a slot, becomes a member after completed-step count `steps` if its next step is quiet. */
  tryJoin(seq: Sequence, steps: number, fills: boolean): boolean {
    if (!join(seq, steps, this.bs, fills)) return false;
    this.members.add(seq, steps);
    return true;
  }

  /**
   * A member given a slot at its event step keeps decoding: its next event step from its counters
   * after completed-step count `steps` (its context base is unchanged: one more token, one more step).
   */
  requeue(seq: Sequence, steps: number, fills: boolean): void {
    const base = seq.cohortCtxBase;
    join(seq, steps, this.bs, fills, true);
    if (seq.cohortCtxBase !== base) throw new Error(`decode cohort: context base of request ${seq.req.id} moved`);
    this.members.queue(seq, steps);
  }

  /**
   * A member leaves: its counters written back (as of `steps` completed steps), its blocks handed
   * out through completed-step count `through` (steps − 1, or steps while that step executes: its
   * allocations were made), stepped explicitly from now on.
   */
  leave(seq: Sequence, steps: number, lastEmitUs: number, through: number): void {
    if (seq.cohortClassFrom >= 0) this.leaveClass(seq, through);
    settle(seq, steps, lastEmitUs);
    this.finished(seq);
  }

  /** A member finished (with a slot: its counters are current), or left after settling. */
  finished(seq: Sequence): void {
    this.members.remove(seq);
    seq.cohortFrom = -1;
  }

  /** Every member leaves (as `leave`); `running` (in order) are then all non-members. */
  leaveAll(running: readonly Sequence[], steps: number, lastEmitUs: number, through: number): void {
    for (const seq of running) if (seq.cohortFrom >= 0) this.leave(seq, steps, lastEmitUs, through);
    this.members.clear();
    this.rebuild(running);
  }

  /** The non-members are those of `running` (in order) that are not members. */
  rebuild(running: readonly Sequence[]): void {
    const ex = this.explicit;
    ex.clear();
    for (const seq of running) if (seq.cohortFrom < 0) ex.push(seq);
  }

  /** Drop from the non-members those that joined or finished (order kept). */
  prune(): void {
    this.explicit.filter(stillExplicit);
  }

  /** `seq` left the running set (abort). */
  removeExplicit(seq: Sequence): void {
    this.explicit.remove(seq);
  }

  /**
   * How many of `batch`'s slots come before its first member without a slot in running order
   * (slots are in running order: pass 1 takes running sequences in order, pass 2 appends to both),
   * at completed-step count `steps`. O(running).
   */
  private firstQuietSlot(running: readonly Sequence[], batch: Batch, steps: number): number {
    let j = 0;
    for (const seq of running) {
      if (seq.cohortFrom >= 0 && seq.cohortEventStep > steps) return j;
      if (j < batch.size && batch.seq(j) === seq) j++;
    }
    return j;
  }
}

function stillExplicit(seq: Sequence): boolean {
  return seq.cohortFrom < 0 && seq.outputDone < seq.req.outputTokens;
}
