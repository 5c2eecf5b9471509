/**
 * The decode cohort (issue 15): running sequences in a quiet stretch of decoding advance without
 * per-step work, with results identical to stepping each one.
 *
 * A running sequence that has emitted a token and computed everything but it (numComputed =
 * knownTokens − 1) computes exactly one token per step and emits it: numComputed, outputDone and
 * lastTokenUs all move in lockstep with the replica's steps. Until the next step in which something
 * happens to it, all of that is a function of the scheduler's completed-step count: it needs a new
 * KV block (an allocation, which takes a block off the free queue in batch order), a block fills (a
 * prefix-cache registration), or its last token comes (finish). Such a step is its *event step*,
 * computed when it joins.
 *
 * So a cohort member keeps its counters as of the step it joined (`cohortComputed`, `cohortDone`)
 * and the step count then (`cohortFrom`). Each step, the scheduler's pass 1 counts it (one token of
 * budget, one decoding sequence of context `cohortCtxBase + steps`) without adding it to the batch;
 * `complete` credits every such member one token and one ITL gap of `emitUs − lastEmitUs` (the same
 * gap each would have: every member emitted in the replica's previous step). At its event step, or
 * whenever anything else must look at it (abort, crash, a step that cannot run every member:
 * budget exhausted or an allocation failed), it is *settled*: its counters are written back and it
 * leaves the cohort, to be stepped explicitly as before; it rejoins after its next explicit step.
 *
 * Who may join (`mayJoin`): aggregated or decode legs (never a prefill leg), no LoRA adapter (a
 * batch's adapter list is built from its sequences). A registration can only come at a step where a
 * block fills, and not even then without prefix caching, or for a sequence whose blocks from its
 * first request-unique one on wait for `registerPending` (uniqueKeys.ts: it has registered up to
 * that block and no block of its request is cached here under a unique key). That stays so while it
 * runs: only another sequence of the same request could cache one, and a request runs once per
 * replica at a time. `test/decodeCohort.test.ts` checks whole runs against step-by-step ones.
 */
import type { Sequence } from './sequence.js';

/** Whether `seq`, just stepped explicitly and not finished, is in a quiet decode stretch it may ride in the cohort. */
export function mayJoin(seq: Sequence): boolean {
  return !seq.prefillLeg && seq.req.adapter === null && seq.outputDone > 0 && seq.numComputed === seq.knownTokens - 1 && seq.outputDone < seq.req.outputTokens;
}

/**
 * Put `seq` in the cohort after step `steps` (the scheduler's completed-step count, this step
 * included); false when its very next step is an event step (it stays explicit). `fills`: whether a
 * block filling registers anything (the scheduler's `fillRegisters`).
 */
export function join(seq: Sequence, steps: number, bs: number, fills: boolean): boolean {
  const nc = seq.numComputed;
  // Steps m (0-based, after joining) in which it computes token nc + m: allocation when
  // nc + m + 1 > blocks·bs; a block fills when (nc + m + 1) % bs = 0; the last token when
  // outputDone + m + 1 = outputTokens.
  const alloc = seq.blocks.length * bs - nc;
  const fill = fills ? (bs - ((nc + 1) % bs)) % bs : Infinity;
  const last = seq.req.outputTokens - seq.outputDone - 1;
  const ev = Math.min(alloc, fill, last);
  if (ev <= 0) return false;
  seq.cohortFrom = steps;
  seq.cohortComputed = nc;
  seq.cohortDone = seq.outputDone;
  seq.cohortEventStep = steps + ev;
  // Context of the step after completed-step count s: nc + (s − steps) + 1.
  seq.cohortCtxBase = nc + 1 - steps;
  return true;
}

/** Write back a member's counters as of `steps` completed steps (its last token at `lastEmitUs`) and take it out. */
export function settle(seq: Sequence, steps: number, lastEmitUs: number): void {
  const m = steps - seq.cohortFrom;
  seq.numComputed = seq.cohortComputed + m;
  seq.outputDone = seq.cohortDone + m;
  if (m > 0) seq.lastTokenUs = lastEmitUs;
  seq.cohortFrom = -1;
}
