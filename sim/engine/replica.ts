/**
 * One model-server replica: a vLLM-like engine that runs one step at a time
 * (BLIS's loop: schedule → execute → complete → schedule next). It owns the true engine state;
 * the gateway only ever sees `snapshot()` results, taken at scrape times.
 *
 * P/D disaggregation (gateway.md §4.2–4.3): the caller drives the KV handoff through `takePulls`
 * (decode legs admitted with blocks since the last call, each with `pullTokens`), `kvArrived`
 * (pulled KV present: the decode leg runs from the next step) and `releaseHeld` (a finished
 * prefill leg's blocks freed once the decoder read them). Kick the replica after either of the two.
 */
import type { EngineConfig, LoraLoadConfig, Overheads } from '../scenario/types.js';
import type { ItlCounts, ReplicaStats } from '../metrics/types.js';
import type { EndpointMetrics } from '../../policies/types.js';
import type { StepTimeModel } from './stepTime/index.js';
import { stepDurationUs } from './stepTime/index.js';
import { KvCache } from './kvCache.js';
import { LoraSlots } from './lora.js';
import { Scheduler } from './scheduler.js';
import { Batch } from './batch.js';
import type { Sequence } from './sequence.js';
import { takeSnapshot } from './snapshot.js';
import { newReplicaStats, type ReplicaPlace } from '../metrics/records.js';

export interface ReplicaSetup {
  readonly name: string;
  readonly engine: EngineConfig;
  readonly numGpuBlocks: number;
  readonly maxModelLen: number;
  readonly stepTime: StepTimeModel;
  /** Multi-adapter step overhead per adapter (BLIS k). */
  readonly loraK: number;
  readonly loraLoad: LoraLoadConfig;
  /** Bytes of an adapter of a given rank (for load time). */
  readonly adapterBytes: (rank: number) => number;
  readonly overheads: Overheads;
}

export class Replica {
  readonly name: string;
  readonly kv: KvCache;
  readonly scheduler: Scheduler;
  readonly stats: ReplicaStats;
  /** A step is executing. */
  busy = false;
  /** A schedule event is pending for this replica. */
  scheduleQueued = false;
  private readonly batch = new Batch();
  private readonly lora: LoraSlots | null;
  private readonly adapterRank = new Map<string, number>();
  private stepStartUs = 0;
  private stepDurUs = 0;

  constructor(private readonly setup: ReplicaSetup, place?: ReplicaPlace) {
    this.name = setup.name;
    const e = setup.engine;
    this.kv = new KvCache(setup.numGpuBlocks, e.block_size, e.enable_prefix_caching);
    this.scheduler = new Scheduler(e, this.kv, setup.overheads);
    this.lora =
      e.max_loras > 0
        ? new LoraSlots(e.max_loras, e.max_cpu_loras, setup.loraLoad, (a) => setup.adapterBytes(this.adapterRank.get(a) ?? e.max_lora_rank))
        : null;
    this.stats = newReplicaStats(setup.name, setup.numGpuBlocks, place);
  }

  /** Something to schedule: running or waiting sequences (not decode legs still waiting for their KV). */
  get hasWork(): boolean {
    return this.scheduler.hasWork;
  }

  /** KV blocks held by finished prefill legs awaiting `releaseHeld`. */
  get heldBlocks(): number {
    return this.scheduler.heldBlocks;
  }

  /** Decode legs admitted with blocks, still waiting for their pulled KV. */
  get pullingCount(): number {
    return this.scheduler.pulling.length;
  }

  /**
   * Decode legs (`remoteKv`) admitted since the last call, each with `pullTokens` set (whole blocks
   * of the prompt not hit locally) and rec.scheduledUs / cachedTokens as for any admission. Admission
   * happens in `beginStep`, also when it returns -1.
   */
  takePulls(): Sequence[] {
    return this.scheduler.takePulls();
  }

  /** The pulled KV of decode leg `seq` is present at `now`; it computes its last prompt token in the next step. */
  kvArrived(seq: Sequence, now: number): void {
    this.scheduler.kvArrived(seq);
    seq.rec.kvReadyUs = now;
  }

  /** Free the blocks a finished prefill leg has held for the decoder's pull (they stay hittable as cached). */
  releaseHeld(seq: Sequence): void {
    this.scheduler.releaseHeld(seq);
  }

  /**
   * Why this request can never run here ('' if it can): vLLM rejects these at arrival rather than
   * leaving them to hang (engine.md §1).
   */
  rejectionReason(seq: Sequence): string {
    const r = seq.req;
    const e = this.setup.engine;
    const total = r.inputTokens + r.outputTokens;
    if (total > this.setup.maxModelLen) return 'exceeds_max_model_len';
    if (Math.ceil(total / e.block_size) > this.kv.numBlocks) return 'exceeds_kv_capacity';
    if (r.adapter !== null) {
      if (e.max_loras === 0) return 'lora_not_enabled';
      if (r.adapterRank > e.max_lora_rank) return 'lora_rank_too_large';
    }
    return '';
  }

  /** Accept a request into the waiting queue (after `rejectionReason` said ''). */
  enqueue(seq: Sequence, now: number): void {
    seq.rec.enqueueUs = now;
    if (seq.req.adapter !== null) this.adapterRank.set(seq.req.adapter, seq.req.adapterRank);
    this.scheduler.add(seq);
  }

  /** Build and start a step at `now`; returns its end time, or -1 when there is nothing to run. */
  beginStep(now: number): number {
    const batch = this.batch;
    this.scheduler.schedule(now, batch);
    // A step whose pass 1 preempted everything is empty; vLLM's next step admits from waiting.
    if (batch.size === 0 && this.scheduler.hasWork) this.scheduler.schedule(now, batch);
    if (batch.size === 0) return -1;
    const loadUs = this.lora !== null && batch.adapters.length > 0 ? this.lora.prepare(batch.adapters) : 0;
    const dur = stepDurationUs(this.setup.stepTime, batch.shape, this.setup.loraK) + Math.round(loadUs);
    this.busy = true;
    this.stepStartUs = now;
    this.stepDurUs = dur;
    return now + dur;
  }

  /** Apply the running step, which ends at `now`. Returns the requests that finished. */
  endStep(now: number, itl: ItlCounts): Sequence[] {
    const done = this.scheduler.complete(this.batch, now, this.stepDurUs, itl);
    this.busy = false;
    const s = this.stats;
    s.steps++;
    s.busyUs += now - this.stepStartUs;
    for (const seq of done) {
      s.completed++;
      s.outputTokens += seq.req.outputTokens;
    }
    return done;
  }

  /** Fold the scheduler's and LoRA counters into `stats` (end of run). */
  finaliseStats(): ReplicaStats {
    const s = this.stats;
    s.prefixQueryTokens = this.scheduler.prefixQueryTokens;
    s.prefixHitTokens = this.scheduler.prefixHitTokens;
    s.preemptions = this.scheduler.preemptions;
    s.loraLoads = this.lora?.loads ?? 0;
    return s;
  }

  /** The metrics a scrape at `now` would read (vLLM's Prometheus gauges, engine.md §2). */
  snapshot(now: number): EndpointMetrics {
    return takeSnapshot(this.scheduler, this.kv, this.setup.engine.max_loras, now);
  }
}
