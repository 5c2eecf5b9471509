/**
 * vLLM V1 scheduling of one replica (engine.md §1): builds each step's batch under the token budget
 * and max_num_seqs, with chunked prefill, running requests first, prefix-cache lookup at admission,
 * stop at the first allocation failure, recompute preemption to the front of the queue, FCFS or
 * priority order, and max_loras skip-not-block admission. Then applies a finished step: tokens
 * computed, full blocks cached, tokens emitted, finished requests freed.
 *
 * P/D legs (gateway.md §4.3, vLLM NixlConnector): a finished prefill leg's blocks are held, not
 * freed, until `releaseHeld`; a remote-KV decode leg is admitted with blocks for its whole prompt
 * (local prefix hits reused) into `pulling` (WAITING_FOR_REMOTE_KVS) without joining the batch, and
 * joins `running` at `kvArrived` with all but the last prompt token computed.
 *
 * Failures (gateway.md §6.2): `abort` cancels one request wherever it is and frees its blocks at
 * once (vLLM abort_requests); `reset` empties everything for a crashed process.
 */
import type { EngineConfig, Overheads } from '../scenario/types.js';
import type { ItlCounts } from '../metrics/types.js';
import type { KvCache } from './kvCache.js';
import { blocksShort, chunkTokens, NO_HITS, type Sequence } from './sequence.js';
import type { Batch } from './batch.js';
import { WaitingQueue, comesBefore } from './waitingQueue.js';
import { CohortPass } from './cohort/cohortPass.js';
import { classAllocates } from './cohort/decodeCohort.js';
import { PrefixLookup, registerFull, registerPending } from './prefixBlocks.js';
import { RunningSet } from './runningSet.js';

export class Scheduler {
  readonly waiting: WaitingQueue;
  /** Running sequences in order (runningSet.ts). */
  private readonly runningSet = new RunningSet();
  /** Decode legs admitted with blocks, waiting for their pulled KV (vLLM WAITING_FOR_REMOTE_KVS). */
  readonly pulling: Sequence[] = [];
  /** Pulls admitted since the last `takePulls`. */
  private pulls: Sequence[] = [];
  /** Blocks held by finished prefill legs until `releaseHeld` (counted as used). */
  heldBlocks = 0;
  /** Those legs, in the order they finished (a Set: releaseHeld and abort remove in O(1)). */
  readonly held = new Set<Sequence>();
  /** Prompt tokens looked up in / served from the prefix cache at admission. */
  prefixQueryTokens = 0;
  prefixHitTokens = 0;
  preemptions = 0;
  /** Adapter → number of running / waiting requests using it (for vllm:lora_requests_info). */
  readonly runningAdapters = new Map<string, number>();
  readonly waitingAdapters = new Map<string, number>();

  private readonly bs: number;
  /** A waiting request's cached leading blocks (prefixBlocks.ts). */
  private readonly prefix: PrefixLookup;
  private readonly priority: boolean;
  /**
   * Client-visible delay of a streamed token (α2) and of response completion (α2 + α1), whole µs;
   * the completion overhead (α1) is their difference, so E2E keeps the rounding of α2 + α1.
   */
  private readonly tokenDelayUs: number;
  private readonly completionDelayUs: number;
  /**
   * When not null, `complete` appends each sequence that streamed its first token (prefill legs
   * excepted: their one token goes to the sidecar, not the client). The simulation sets it only when
   * the gateway wants first-token notifications, and empties it after each step.
   */
  firstTokens: Sequence[] | null = null;
  /**
   * Let sequences in quiet decode stretches ride the decode cohort (decodeCohort.ts): the same
   * results without per-step work for them. Off unless the owner sets it (the simulation does,
   * unless something reads running sequences' counters between steps).
   */
  decodeCohort = false;
  /** Steps completed (`complete` calls): the cohort's clock. */
  private steps = 0;
  /** Emit time of the last completed step (every cohort member's last token). */
  private lastEmitUs = 0;
  /** Cohort members and pass 1 over them (cohortPass.ts). */
  private readonly cohort: CohortPass;
  /** The batch of the last `schedule`, and whether its step is executing (until `complete` or `reset`). */
  private current: Batch | null = null;
  private inStep = false;
  /** scheduler_reserve_full_isl (calibration.md §6.5). */
  private readonly reserveFull: boolean;
  /** ⌊watermark · num_blocks⌋: kept free when admitting from waiting while something runs. */
  private readonly watermarkBlocks: number;

  constructor(
    private readonly engine: EngineConfig,
    private readonly kv: KvCache,
    overheads: Overheads,
  ) {
    this.bs = engine.block_size;
    this.priority = engine.scheduling === 'priority';
    this.waiting = new WaitingQueue(this.priority);
    this.tokenDelayUs = Math.round(overheads.alpha2_us);
    this.completionDelayUs = Math.round(overheads.alpha2_us + overheads.alpha1_us);
    this.reserveFull = engine.reserve_full_prompt === true;
    this.watermarkBlocks = Math.floor((engine.watermark ?? 0) * kv.numBlocks);
    this.cohort = new CohortPass(kv, this.bs);
    this.prefix = new PrefixLookup(kv);
  }

  get hasWork(): boolean {
    return this.runningSet.count > 0 || this.waiting.length > 0;
  }

  /** Running sequences, in order (vLLM's running list). */
  get running(): Sequence[] {
    return this.runningSet.list;
  }

  /** `running`, as a function to call only when needed (CohortPass.quietGapAt). */
  private readonly runningList = (): Sequence[] => this.running;

  /** How many sequences run. */
  get runningCount(): number {
    return this.runningSet.count;
  }

  add(seq: Sequence): void {
    this.waiting.add(seq);
    count(this.waitingAdapters, seq.req.adapter, 1);
  }

  /**
   * Fill `batch` for a step starting at `now`. Waiting requests held by async scheduling
   * (`joinAfterUs ≥ now`) are not yet arrived for this batch, unless `ignoreHolds` (the batch
   * would otherwise be empty: an idle engine admits at once).
   */
  schedule(now: number, batch: Batch, ignoreHolds = false): void {
    batch.clear();
    let budget = this.engine.max_num_batched_tokens;
    const threshold = this.engine.long_prefill_token_threshold;
    let preempted = false;

    this.current = batch;
    // Pass 1: running requests, in order. With cohort members (decodeCohort.ts), when every running
    // request gets its whole chunk and every allocation succeeds, only non-members and members at
    // their event step take slots (mergePass).
    if (this.cohort.members.count > 0) {
      const left = this.cohort.mergePass(batch, budget, threshold, this.steps, this.lastEmitUs, this.runningList);
      if (left >= 0) {
        this.admitWaiting(now, batch, left, threshold, ignoreHolds);
        batch.finalise();
        this.inStep = batch.total > 0;
        return;
      }
    }
    // Otherwise running requests one by one; members before their event step take one token each
    // without a slot while every allocation so far has succeeded.
    const running = this.running;
    const steps = this.steps;
    let cohort = this.decodeCohort;
    let implicit = 0;
    let ctxSum = 0;
    let ctxMin = Infinity;
    let ctxMax = 0;
    let i = 0;
    while (i < running.length && budget > 0) {
      const seq = running[i]!;
      if (seq.cohortFrom >= 0) {
        // A member of the allocation class allocating now takes its block as a non-member would.
        if (cohort && steps < seq.cohortEventStep && !classAllocates(seq, steps, this.bs)) {
          const ctx = seq.cohortCtxBase + steps;
          implicit++;
          ctxSum += ctx;
          if (ctx < ctxMin) ctxMin = ctx;
          if (ctx > ctxMax) ctxMax = ctx;
          budget--;
          i++;
          continue;
        }
        this.leave(seq);
      }
      let n = chunkTokens(seq, threshold);
      if (n > budget) n = budget;
      if (n <= 0) {
        i++;
        continue;
      }
      let scheduled = true;
      if (cohort && !this.canAllocate(seq, n)) {
        // A preemption: from here on, as step by step. Members counted so far get their slots.
        cohort = false;
        if (implicit > 0) {
          implicit = 0;
          budget = this.slotsBefore(i, batch);
        }
      }
      while (!this.allocate(seq, n)) {
        const v = this.priority ? this.leastUrgentRunning() : this.running.length - 1;
        const victim = this.running[v]!;
        if (victim.cohortFrom >= 0) this.leave(victim);
        this.running.splice(v, 1);
        if (v < i) i--;
        budget += batch.remove(victim);
        this.preempt(victim);
        preempted = true;
        if (victim === seq) {
          scheduled = false;
          break;
        }
      }
      if (!scheduled) break;
      batch.add(seq, n);
      budget -= n;
      i++;
    }
    // Members the budget did not reach sit this step out: settled, they rejoin after their next step.
    for (let k = i; k < running.length; k++) if (running[k]!.cohortFrom >= 0) this.leave(running[k]!);
    batch.implicitSeqs = implicit;
    batch.implicitContext = ctxSum;
    batch.implicitContextMin = ctxMin;
    batch.implicitContextMax = ctxMax;
    if (this.decodeCohort) this.cohort.rebuild(running);

    // Pass 2: waiting requests, skipped when pass 1 preempted anything.
    if (!preempted) this.admitWaiting(now, batch, budget, threshold, ignoreHolds);
    batch.finalise();
    this.inStep = batch.total > 0;
  }

  /** Requests of `batch` that emit a token when it completes (all their known tokens computed). */
  countEmitting(batch: Batch): number {
    let r = batch.implicitSeqs;
    for (let j = 0; j < batch.size; j++) {
      const seq = batch.seq(j);
      if (seq.numComputed + batch.tokens(j) === seq.knownTokens) r++;
    }
    return r;
  }

  /**
   * Apply a step that ended at `now` and took `durUs`. Returns the sequences that finished
   * (already freed and removed from running). Its tokens reach the client at `emitUs` (≥ now: after
   * the frontend processed the step's outputs) plus α2; token gaps (ITL) are taken between emit times.
   */
  complete(batch: Batch, now: number, durUs: number, itl: ItlCounts, emitUs = now): Sequence[] {
    const finished: Sequence[] = [];
    const bs = this.bs;
    const caching = this.kv.prefixCaching;
    const unique = this.kv.uniqueKeys;
    let sameAsStep = 0;
    let joined = false;
    // Cohort members without a slot (decodeCohort.ts): one token each, all with the same gap.
    const quiet = batch.implicitSeqs;
    const quietGap = emitUs - this.lastEmitUs;
    const quietAt = quiet > 0 ? this.cohort.quietGapAt(this.runningList, batch, itl, quietGap, durUs, this.steps) : -1;
    if (quiet > 0 && quietGap === durUs) sameAsStep += quiet;
    // Members whose block filled without a slot register among the slots, in running order.
    const fills = this.cohort.fills.length;
    let f = 0;
    for (let j = 0; j < batch.size; j++) {
      if (j === quietAt) itl.set(quietGap, (itl.get(quietGap) ?? 0) + quiet);
      const seq = batch.seq(j);
      if (f < fills) f = this.cohort.registerFillsBefore(f, seq.runRank, this.steps);
      const firstPending = seq.outputDone === 0;
      seq.numComputed += batch.tokens(j);
      if (caching) {
        const full = Math.floor(seq.numComputed / bs);
        if (seq.registeredBlocks < full) registerFull(this.kv, seq, full, unique);
      }
      if (firstPending) seq.rec.prefillUs += durUs;
      if (seq.numComputed !== seq.knownTokens) continue;
      seq.outputDone++;
      if (seq.outputDone === 1) {
        seq.rec.firstTokenUs = emitUs + this.tokenDelayUs;
        if (this.firstTokens !== null && !seq.prefillLeg) this.firstTokens.push(seq);
      } else {
        const gap = emitUs - seq.lastTokenUs;
        if (gap === durUs) sameAsStep++;
        else itl.set(gap, (itl.get(gap) ?? 0) + 1);
      }
      seq.lastTokenUs = emitUs;
      if (seq.outputDone === seq.req.outputTokens) finished.push(seq);
      else if (this.decodeCohort) this.cohort.decoding.push(seq);
    }
    // After the loop, so that `complete` stays small enough for V8 to inline its hashing.
    if (this.cohort.decoding.length > 0) joined = this.cohort.keepDecoding(this.steps + 1);
    if (fills > 0) this.cohort.registerFillsBefore(f, Infinity, this.steps);
    if (quietAt === batch.size) itl.set(quietGap, (itl.get(quietGap) ?? 0) + quiet);
    this.steps++;
    this.lastEmitUs = emitUs;
    this.inStep = false;
    if (sameAsStep > 0) itl.set(durUs, (itl.get(durUs) ?? 0) + sameAsStep);
    if (finished.length > 0) this.finish(finished, emitUs);
    if ((joined || finished.length > 0) && this.decodeCohort) this.cohort.prune();
    return finished;
  }

  /** A member leaves the cohort: its counters written back, stepped explicitly from now on. */
  private leave(seq: Sequence): void {
    this.cohort.leave(seq, this.steps, this.lastEmitUs, this.allocatedThrough);
  }

  /** The last step whose allocations were made: the executing one, else the last completed one. */
  private get allocatedThrough(): number {
    return this.inStep ? this.steps : this.steps - 1;
  }

  /** `seq` joins the running set, last. */
  private pushRunning(seq: Sequence): void {
    this.runningSet.push(seq);
    if (this.decodeCohort) this.cohort.explicit.push(seq);
  }

  private admitWaiting(now: number, batch: Batch, budget: number, threshold: number, ignoreHolds: boolean): void {
    const maxLoras = this.engine.max_loras;
    const skipped: Sequence[] = [];
    let examined = 0;
    // Pulling decode legs will join `running`: they count against max_num_seqs (0 without P/D).
    while (examined < this.waiting.length && budget > 0 && this.runningCount + this.pulling.length < this.engine.max_num_seqs) {
      const seq = this.waiting.at(examined);
      if (seq.joinAfterUs >= now && !ignoreHolds) {
        // Not yet arrived for this batch (async scheduling). FCFS: everyone behind came later too.
        if (!this.priority) break;
        skipped.push(seq);
        examined++;
        continue;
      }
      const adapter = seq.req.adapter;
      if (adapter !== null && !batch.adapters.includes(adapter) && batch.adapters.length >= maxLoras) {
        skipped.push(seq);
        examined++;
        continue;
      }
      const known = seq.knownTokens;
      const hits = this.prefix.lookup(seq, known);
      const cached = hits.length * this.bs;
      if (seq.remoteKv) {
        if (!this.admitPull(seq, now, hits, known, cached)) {
          this.prefix.remember(seq);
          break;
        }
        examined++;
        continue;
      }
      let n = known - cached;
      if (threshold > 0 && n > threshold) n = threshold;
      if (n > budget) n = budget;
      const newBlocks = Math.ceil((cached + n) / this.bs) - hits.length;
      let touchedFree = 0;
      for (const b of hits) if (this.kv.isFree(b)) touchedFree++;
      // calibration.md §6.5: with reserve_full_prompt the whole current sequence (prompt + generated
      // tokens of a preempted request; ≤ max_model_len, longer ones are rejected at arrival) must fit
      // now, but only this chunk's blocks are taken. Watermark: only while something runs.
      const needNow = this.reserveFull ? Math.ceil(known / this.bs) - hits.length : newBlocks;
      const keep = this.runningCount > 0 ? this.watermarkBlocks : 0;
      if (needNow + touchedFree + keep > this.kv.freeBlocks) {
        this.prefix.remember(seq);
        break;
      }
      for (const b of hits) this.kv.touch(b);
      seq.blocks = hits.slice();
      seq.prefixHits = NO_HITS;
      for (let b = 0; b < newBlocks; b++) seq.blocks.push(this.kv.allocate());
      seq.numComputed = cached;
      seq.registeredBlocks = hits.length;
      this.prefixQueryTokens += known;
      this.prefixHitTokens += cached;
      if (seq.rec.scheduledUs < 0) {
        seq.rec.scheduledUs = now;
        seq.rec.cachedTokens = cached;
      }
      this.pushRunning(seq);
      count(this.waitingAdapters, adapter, -1);
      count(this.runningAdapters, adapter, 1);
      batch.add(seq, n);
      budget -= n;
      examined++;
    }
    this.waiting.consumeFront(examined, skipped);
  }

  /**
   * A remote-KV decode leg: blocks for the whole prompt (local hits reused, counted as computed),
   * no batch slot, no token budget; it waits in `pulling` for `pullTokens` (whole blocks, §4.4).
   * False when the free blocks cannot cover it (admission stops, as for any request).
   */
  private admitPull(seq: Sequence, now: number, hits: readonly number[], known: number, cached: number): boolean {
    const newBlocks = Math.ceil(known / this.bs) - hits.length;
    let touchedFree = 0;
    for (const b of hits) if (this.kv.isFree(b)) touchedFree++;
    if (newBlocks + touchedFree > this.kv.freeBlocks) return false;
    for (const b of hits) this.kv.touch(b);
    seq.blocks = hits.slice();
    seq.prefixHits = NO_HITS;
    for (let b = 0; b < newBlocks; b++) seq.blocks.push(this.kv.allocate());
    seq.numComputed = cached;
    seq.registeredBlocks = hits.length;
    // (ceil(prompt/bs) − hits)·bs = ceil((prompt − hits·bs)/bs)·bs: the uncached rest, rounded up to whole blocks.
    seq.pullTokens = newBlocks * this.bs;
    this.prefixQueryTokens += known;
    this.prefixHitTokens += cached;
    if (seq.rec.scheduledUs < 0) {
      seq.rec.scheduledUs = now;
      seq.rec.cachedTokens = cached;
    }
    // Still counted as waiting (vllm:num_requests_waiting includes WAITING_FOR_REMOTE_KVS): adapter counts stay.
    this.pulling.push(seq);
    this.pulls.push(seq);
    return true;
  }

  /** Decode legs admitted for a pull since the last call. */
  takePulls(): Sequence[] {
    if (this.pulls.length === 0) return NO_PULLS;
    const out = this.pulls;
    this.pulls = [];
    return out;
  }

  /**
   * The pulled KV of `seq` is present: it joins `running` with every prompt token but the last
   * computed (vLLM recomputes it for the logits, `_update_waiting_for_remote_kv`), and its full
   * blocks among those tokens are cached (as vLLM's `cache_blocks(request, num_computed_tokens)`;
   * a last full prompt block is cached after the next step, as for any request).
   */
  kvArrived(seq: Sequence): void {
    const i = this.pulling.indexOf(seq);
    if (i < 0) throw new Error(`request ${seq.req.id} is not waiting for remote KV`);
    this.pulling.splice(i, 1);
    seq.remoteKv = false;
    seq.numComputed = seq.req.inputTokens - 1;
    if (this.kv.prefixCaching) {
      const full = Math.floor(seq.numComputed / this.bs);
      if (seq.registeredBlocks < full) registerFull(this.kv, seq, full, this.kv.uniqueKeys);
    }
    this.pushRunning(seq);
    count(this.waitingAdapters, seq.req.adapter, -1);
    count(this.runningAdapters, seq.req.adapter, 1);
  }

  /** Free the blocks a finished prefill leg holds (to the free queue; cached ones stay hittable). */
  releaseHeld(seq: Sequence): void {
    if (!seq.holdsKv) {
      throw new Error(`request ${seq.req.id} holds no finished prefill-leg blocks`);
    }
    this.heldBlocks -= seq.blocks.length;
    this.held.delete(seq);
    this.kv.release(seq.blocks, seq.registeredBlocks);
    seq.blocks = [];
  }

  /**
   * Cancel `seq` (client gone): take it out of waiting, running, pulling or the held prefill legs
   * and release exactly its blocks (full cached ones stay hittable in the free queue). The caller
   * takes it out of an executing step's batch first. False when this scheduler does not hold it.
   * Its emitted output (`outputDone`) is kept for the caller; its computed state is dropped.
   */
  abort(seq: Sequence): boolean {
    const adapter = seq.req.adapter;
    if (seq.cohortFrom >= 0) {
      // A member counted without a slot in the executing step: the step has one fewer.
      if (this.inStep && seq.cohortEventStep > this.steps) this.current!.implicitSeqs--;
      this.leave(seq);
    }
    if (this.held.has(seq)) {
      this.releaseHeld(seq);
      return true;
    }
    let i: number;
    if (this.runningSet.remove(seq)) {
      this.cohort.removeExplicit(seq);
      count(this.runningAdapters, adapter, -1);
    } else if ((i = this.pulling.indexOf(seq)) >= 0) {
      this.pulling.splice(i, 1);
      const p = this.pulls.indexOf(seq);
      if (p >= 0) this.pulls.splice(p, 1);
      count(this.waitingAdapters, adapter, -1);
    } else if (this.waiting.remove(seq)) {
      count(this.waitingAdapters, adapter, -1);
    } else {
      return false;
    }
    registerPending(this.kv, seq);
    this.kv.release(seq.blocks, seq.registeredBlocks);
    seq.resetForRecompute();
    return true;
  }

  /**
   * A crashed process: every sequence held, in the order running, pulling, waiting (queue order),
   * held prefill legs (finish order), each with its blocks dropped; the scheduler and the KV cache
   * (prefix cache included) are left empty. Cumulative counters (prefix queries/hits, preemptions)
   * keep counting across the crash: they feed the run's replica statistics.
   */
  reset(): Sequence[] {
    this.settleAll();
    const out: Sequence[] = [...this.running, ...this.pulling, ...this.waiting, ...this.held];
    for (const seq of out) seq.resetForRecompute();
    this.runningSet.clear();
    this.cohort.explicit.clear();
    this.cohort.fills.clear();
    this.inStep = false;
    this.pulling.length = 0;
    this.pulls = [];
    this.waiting.clear();
    this.held.clear();
    this.heldBlocks = 0;
    this.runningAdapters.clear();
    this.waitingAdapters.clear();
    this.kv.reset();
    return out;
  }

  /** Every decode-cohort member leaves (decodeCohort.ts): their counters become current. */
  settleAll(): void {
    if (this.cohort.members.count > 0) this.cohort.leaveAll(this.running, this.steps, this.lastEmitUs, this.allocatedThrough);
  }

  /**
   * Pass 1 turned step by step at running index `end`: settle the members before it and give every
   * sequence before it its slot, in order, as pass 1 would have; returns the budget left.
   */
  private slotsBefore(end: number, batch: Batch): number {
    batch.clear();
    let budget = this.engine.max_num_batched_tokens;
    const threshold = this.engine.long_prefill_token_threshold;
    for (let k = 0; k < end; k++) {
      const seq = this.running[k]!;
      if (seq.cohortFrom >= 0) this.leave(seq);
      let n = chunkTokens(seq, threshold);
      if (n > budget) n = budget;
      if (n <= 0) continue;
      batch.add(seq, n);
      budget -= n;
    }
    return budget;
  }

  /** Whether `allocate(seq, n)` would succeed. */
  private canAllocate(seq: Sequence, n: number): boolean {
    return blocksShort(seq, n, this.bs) <= this.kv.freeBlocks;
  }

  /** Ensure blocks for numComputed + n tokens; false when the cache cannot provide them. */
  private allocate(seq: Sequence, n: number): boolean {
    const need = blocksShort(seq, n, this.bs);
    if (need <= 0) return true;
    if (need > this.kv.freeBlocks) return false;
    for (let b = 0; b < need; b++) seq.blocks.push(this.kv.allocate());
    return true;
  }

  private preempt(seq: Sequence): void {
    registerPending(this.kv, seq);
    this.kv.release(seq.blocks, seq.registeredBlocks);
    seq.resetForRecompute();
    seq.rec.preemptions++;
    this.preemptions++;
    count(this.runningAdapters, seq.req.adapter, -1);
    count(this.waitingAdapters, seq.req.adapter, 1);
    this.waiting.addPreempted(seq);
  }

  private leastUrgentRunning(): number {
    let v = 0;
    for (let k = 1; k < this.running.length; k++) if (comesBefore(this.running[v]!, this.running[k]!)) v = k;
    return v;
  }

  private finish(done: Sequence[], now: number): void {
    for (const seq of done) {
      if (seq.prefillLeg) {
        // Held for the decoder's pull (vLLM delays freeing under kv_lease) until releaseHeld.
        registerPending(this.kv, seq);
        this.heldBlocks += seq.blocks.length;
        this.held.add(seq);
      } else {
        this.kv.release(seq.blocks, seq.registeredBlocks);
        seq.blocks = [];
      }
      seq.rec.lastTokenUs = now + this.tokenDelayUs;
      seq.rec.endUs = now + this.completionDelayUs;
      seq.rec.outcome = 'completed';
      seq.rec.reason = '';
      count(this.runningAdapters, seq.req.adapter, -1);
      if (seq.cohortFrom >= 0) this.cohort.finished(seq);
    }
    this.runningSet.finished(done.length);
  }
}

const NO_PULLS: Sequence[] = Object.freeze([]) as unknown as Sequence[];

function count(m: Map<string, number>, key: string | null, delta: number): void {
  if (key === null) return;
  const v = (m.get(key) ?? 0) + delta;
  if (v === 0) m.delete(key);
  else m.set(key, v);
}
