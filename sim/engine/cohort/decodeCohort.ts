/**
 * The decode cohort (issue 15): running sequences in a quiet stretch of decoding advance without
 * per-step work, with results identical to stepping each one.
 *
 * A running sequence that has emitted a token and computed everything but it (numComputed =
 * knownTokens − 1) computes exactly one token per step and emits it: numComputed, outputDone and
 * lastTokenUs all move in lockstep with the replica's steps. Until the next step in which something
 * happens to it, all of that is a function of the scheduler's completed-step count: it needs a new
 * KV block (an allocation, which takes a block off the free queue in running order), a block fills
 * and registers in the prefix cache, or its last token comes (finish). Such a step is its *event
 * step*, computed when it joins.
 *
 * So a member keeps its counters as of the step it joined (`cohortComputed`, `cohortDone`) and the
 * step count then (`cohortFrom`), and the scheduler keeps the members' count, context sums and
 * event steps (cohortSet.ts). A step in which every running request gets its whole chunk and every
 * allocation fits (so step by step nothing would be cut short or preempted) costs only its events
 * (scheduler `mergePass`): members whose event is only an allocation get their block in running
 * order and stay without a slot; members with a fill that registers or their last token are
 * settled (counters written back) and take a slot, explicitly stepped, and stay members; the rest
 * count as one token of budget and one decoding sequence each. `complete` credits every member one
 * token and one ITL gap of `emitUs − lastEmitUs` (the same gap each would have: every member
 * emitted in the replica's previous step). Any other step goes request by request: members before
 * their event step are still counted without a slot, and everyone else — at their event step, cut
 * off by the budget, behind a failed allocation — leaves the cohort (settled), to rejoin after its
 * next explicit step. Aborts and crashes settle first.
 *
 * The allocation class: a member whose fills register nothing (cohortFills false) and whose next
 * event is an allocation then allocates every block-size steps until its last token, and while no
 * free block has a hash every allocation takes an interchangeable block (kvCache.ts). So at such an
 * allocation, when no free block has a hash, it enters the class (cohortSet.ts `enterClass`): the
 * cohort counts its allocations per step by their step modulo the block size and takes them from the
 * KV cache in bulk (`takeUnhashed`), and the member is queued only for its last token (or, further
 * than the ring reaches, a wake-up that queues it again: `Wake`). It is handed the blocks themselves
 * when it leaves the class (at its last token, when it leaves the cohort, or when a free block gets a
 * hash: every class member then leaves the class), `takenThrough` of them. A step then costs nothing
 * per quiet member, allocations included (issue 15: ≈ 16 of a request's 17 cohort events).
 *
 * Who may join (`mayJoin`): aggregated or decode legs (never a prefill leg), no LoRA adapter (a
 * batch's adapter list is built from its sequences). A registration can only come at a step where a
 * block fills, and not even then without prefix caching, or for a sequence whose blocks from its
 * first request-unique one on wait for `registerPending` (uniqueKeys.ts: it has registered up to
 * that block and no block of its request is cached here under a unique key). That stays so while it
 * runs: only another sequence of the same request could cache one, and a request runs once per
 * replica at a time. `test/decodeCohort.test.ts` checks whole runs against step-by-step ones.
 */
import type { Sequence } from '../sequence.js';

/** Whether `seq`, just stepped explicitly and not finished, is in a quiet decode stretch it may ride in the cohort. */
export function mayJoin(seq: Sequence): boolean {
  return !seq.prefillLeg && seq.req.adapter === null && seq.outputDone > 0 && seq.numComputed === seq.knownTokens - 1 && seq.outputDone < seq.req.outputTokens;
}

/**
 * Put `seq` in the cohort after step `steps` (the scheduler's completed-step count, this step
 * included); false when its very next step is an event step (it stays explicit). `fills`: whether a
 * block filling registers anything (the scheduler's `fillRegisters`).
 */
export function join(seq: Sequence, steps: number, bs: number, fills: boolean, member = false): boolean {
  const nc = seq.numComputed;
  // Steps m (0-based, after joining) in which it computes token nc + m: allocation when
  // nc + m + 1 > blocks·bs; a block fills when (nc + m + 1) % bs = 0; the last token when
  // outputDone + m + 1 = outputTokens.
  const alloc = seq.blocks.length * bs - nc;
  const fill = fills ? (bs - ((nc + 1) % bs)) % bs : Infinity;
  const last = seq.req.outputTokens - seq.outputDone - 1;
  const ev = Math.min(alloc, fill, last);
  // A new member must have a quiet step first; a member given a slot may have another event at once.
  if (ev <= 0 && !member) return false;
  seq.cohortFrom = steps;
  seq.cohortFills = fills;
  seq.cohortLastStep = steps + last;
  seq.cohortComputed = nc;
  seq.cohortDone = seq.outputDone;
  seq.cohortEventStep = steps + ev;
  // Context of the step after completed-step count s: nc + (s − steps) + 1.
  seq.cohortCtxBase = nc + 1 - steps;
  return true;
}

/**
 * Write back a member's counters as of `steps` completed steps (its last token at `lastEmitUs`).
 * Idempotent; it stays a member (the scheduler takes it out when it leaves).
 */
export function settle(seq: Sequence, steps: number, lastEmitUs: number): void {
  const m = steps - seq.cohortFrom;
  seq.numComputed = seq.cohortComputed + m;
  seq.outputDone = seq.cohortDone + m;
  if (m > 0) seq.lastTokenUs = lastEmitUs;
}

/**
 * A member at its event step (completed-step count `steps`) whose only event is an allocation,
 * already made: the step count of its next event (allocation, a block fill that registers, its
 * last token), from its counters as they run in this step. Whether a fill registers was decided
 * when it joined or was last given a slot: it can only turn false since (uniqueKeys.ts), and a
 * slot it turns out not to need is harmless.
 */
export function nextEventStep(seq: Sequence, steps: number, bs: number): number {
  const nc = seq.cohortComputed + (steps - seq.cohortFrom);
  // This step computes token nc; m' steps on it computes nc + m'.
  const alloc = seq.blocks.length * bs - nc;
  const r = (bs - ((nc + 1) % bs)) % bs;
  const fill = seq.cohortFills ? (r === 0 ? bs : r) : Infinity;
  return steps + Math.min(alloc, fill, seq.cohortLastStep - steps);
}

/**
 * Allocations of class member `seq` (cohortClassFrom ≥ 0) up to completed-step count `through`
 * included whose blocks it has not been handed: one every `bs` steps from cohortClassFrom.
 */
export function takenThrough(seq: Sequence, through: number, bs: number): number {
  const from = seq.cohortClassFrom;
  return through >= from ? Math.floor((through - from) / bs) + 1 : 0;
}

/** Whether class member `seq` allocates in the step at completed-step count `steps` (false outside the class). */
export function classAllocates(seq: Sequence, steps: number, bs: number): boolean {
  const from = seq.cohortClassFrom;
  return from >= 0 && steps >= from && (steps - from) % bs === 0;
}

/** What a member at its event step needs. */
export const enum EventKind {
  /** A slot in the batch (its last token, or two needs at once): stepped explicitly. */
  Slot = 0,
  /** Only a KV block, allocated in running order; it keeps running without a slot. */
  Allocation = 1,
  /** Only its block that fills in this step, registered at the step's end (in running order). */
  Fill = 2,
  /** A class member queued as far as the ring reaches before its last token: queued again, nothing else. */
  Wake = 3,
}

/** What a member at its event step (completed-step count `steps`) needs. */
export function eventKind(seq: Sequence, steps: number, bs: number): EventKind {
  if (steps === seq.cohortLastStep) return EventKind.Slot;
  if (seq.cohortClassFrom >= 0) return EventKind.Wake;
  const nc = seq.cohortComputed + (steps - seq.cohortFrom);
  const alloc = nc + 1 > seq.blocks.length * bs;
  const fill = seq.cohortFills && (nc + 1) % bs === 0;
  if (alloc === fill) return EventKind.Slot;
  return alloc ? EventKind.Allocation : EventKind.Fill;
}

/** Full blocks of a member after the step at completed-step count `steps` (before it completes). */
export function fullBlocksAfter(seq: Sequence, steps: number, bs: number): number {
  return Math.floor((seq.cohortComputed + (steps - seq.cohortFrom) + 1) / bs);
}
