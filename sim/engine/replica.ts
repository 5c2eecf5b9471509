/**
 * One model-server replica: a vLLM-like engine that runs one step at a time
 * (BLIS's loop: schedule → execute → complete → schedule next). It owns the true engine state;
 * the gateway only ever sees `snapshot()` results, taken at scrape times.
 *
 * P/D disaggregation (gateway.md §4.2–4.3): the caller drives the KV handoff through `takePulls`
 * (decode legs admitted with blocks since the last call, each with `pullTokens`), `kvArrived`
 * (pulled KV present: the decode leg runs from the next step) and `releaseHeld` (a finished
 * prefill leg's blocks freed once the decoder read them). Kick the replica after either of the two.
 *
 * Failures and churn (gateway.md §6.2, §5.5): `abort` cancels one request (client timeout or
 * disconnect) and frees its KV at once; `crash` loses everything the process held and leaves an
 * empty engine, prefix cache included; `setWarmup` slows the steps of a cold engine after Ready.
 * A StepEnd scheduled before a crash is stale. `endStep` ignores it by itself (a no-op unless a
 * step is in flight and `now` is its end; a stale end that coincides with the live step's end applies
 * that step once, the second call being a no-op). Callers should still record `epoch` when they
 * schedule a StepEnd and drop the event when it has changed, so that nothing else (observers, kicks)
 * runs for a void step.
 *
 * CPU and async scheduling (calibration.md §1.2, §1.4, §6.4): a step lasts gpu + cpu (sync) or
 * max(gpu, cpu) (async), cpu = step_time.cpu.schedule_us + per_request_us·R. With async scheduling
 * the next batch is already built while a step runs, so a request enqueued then joins the batch
 * after it (pipeline entry delay δ = residual + next step); an idle engine admits at once. Each
 * step's outputs pass the frontend (sim/engine/frontend.ts) before the client sees them.
 */
import type { EngineConfig, LoraLoadConfig, Overheads, StepCpuCosts } from '../scenario/types.js';
import type { ItlCounts, ReplicaStats } from '../metrics/types.js';
import type { EndpointMetrics } from '../../policies/types.js';
import type { StepTimeModel } from './stepTime/index.js';
import { stepDurationUs } from './stepTime/index.js';
import type { BatchShape } from './stepTime/batchShape.js';
import { KvCache } from './kvCache.js';
import { LoraSlots } from './lora.js';
import { Scheduler } from './scheduler.js';
import { Batch } from './batch.js';
import type { Sequence } from './sequence.js';
import { takeSnapshot } from './snapshot.js';
import { Frontend } from './frontend.js';
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
  /** Engine-core CPU per step and frontend egress (step_time.cpu); absent = all 0. */
  readonly cpu?: StepCpuCosts;
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
  /** Steps starting before this time are slowed by `warmFactor` (0 = no warm-up). */
  private warmUntilUs = 0;
  private warmFactor = 1;
  /** Incremented by every `crash`: a StepEnd scheduled under an older epoch is void. */
  epoch = 0;
  private readonly async: boolean;
  private readonly cpuStepUs: number;
  private readonly cpuPerRequestUs: number;
  private readonly frontend: Frontend;

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
    this.async = e.async_scheduling === true;
    this.cpuStepUs = setup.cpu?.schedule_us ?? 0;
    this.cpuPerRequestUs = setup.cpu?.per_request_us ?? 0;
    this.frontend = new Frontend(setup.cpu?.egress_us_per_step ?? 0, setup.cpu?.egress_us_per_request ?? 0);
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

  /** Sequences this replica holds: waiting, running, pulling their KV, or finished prefill legs holding blocks. */
  get inFlight(): number {
    const s = this.scheduler;
    return s.waiting.length + s.runningCount + s.pulling.length + s.held.size;
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
    // Async: the batch scheduled at the running step's end was built while it ran (calibration.md §6.4).
    seq.joinAfterUs = this.async && this.busy ? this.stepStartUs + this.stepDurUs : -1;
    if (seq.req.adapter !== null) this.adapterRank.set(seq.req.adapter, seq.req.adapterRank);
    this.scheduler.add(seq);
  }

  /** Shape of the step begun by the last `beginStep` (for observers, e.g. `routesim calibrate`; valid until the next one). */
  get stepShape(): Readonly<BatchShape> {
    return this.batch.shape;
  }

  /** Build and start a step at `now`; returns its end time, or -1 when there is nothing to run. */
  beginStep(now: number): number {
    const batch = this.batch;
    this.scheduler.schedule(now, batch);
    // A step whose pass 1 preempted everything is empty; vLLM's next step admits from waiting.
    // Likewise an async engine with nothing else to run admits requests held for the next batch.
    if (batch.total === 0 && this.scheduler.hasWork) this.scheduler.schedule(now, batch, true);
    if (batch.total === 0) return -1;
    const loadUs = this.lora !== null && batch.adapters.length > 0 ? this.lora.prepare(batch.adapters) : 0;
    let dur = stepDurationUs(this.setup.stepTime, batch.shape, this.setup.loraK) + Math.round(loadUs);
    if (now < this.warmUntilUs) dur = Math.round(dur * this.warmFactor);
    if (this.cpuStepUs > 0 || this.cpuPerRequestUs > 0) {
      const cpu = Math.round(this.cpuStepUs + this.cpuPerRequestUs * batch.total);
      dur = this.async ? Math.max(dur, cpu) : dur + cpu;
    }
    this.busy = true;
    this.stepStartUs = now;
    this.stepDurUs = dur;
    return now + dur;
  }

  /**
   * Apply the running step, which ends at `now`. Returns the requests that finished. A no-op
   * (nothing finished) when no step is in flight or `now` is not the end `beginStep` returned: the
   * call is for a step voided by `crash`.
   */
  endStep(now: number, itl: ItlCounts): Sequence[] {
    if (!this.busy || now !== this.stepStartUs + this.stepDurUs) return NONE_DONE;
    const emitUs = this.frontend.enabled ? this.frontend.process(now, this.scheduler.countEmitting(this.batch)) : now;
    const done = this.scheduler.complete(this.batch, now, this.stepDurUs, itl, emitUs);
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

  /**
   * Cancel `seq` at `now` (client timeout or disconnect; vLLM aborts it and frees its KV): it leaves
   * the waiting queue, running set, pulling set or held prefill legs, and exactly its blocks are
   * released now (full cached blocks stay hittable, as any release). If it is in the executing
   * step, that step completes without it: no token, not finished, no ITL sample (the step keeps
   * the duration it was started with). False when this replica does not hold `seq` (finished and
   * released, never enqueued, or on another replica). Its record is left to the caller (outcome,
   * endUs); `outputDone` still tells how many tokens it streamed. O(queue length).
   */
  abort(seq: Sequence, nowUs: number): boolean {
    void nowUs; // the release is instantaneous; kept for symmetry with crash and for callers' logs
    if (!this.scheduler.abort(seq)) return false;
    if (this.busy) this.batch.remove(seq);
    return true;
  }

  /**
   * The process dies at `nowUs`: returns every sequence it held (running, pulling, waiting in
   * queue order, held prefill legs), each with its blocks dropped and `outputDone` kept; leaves an
   * empty engine (no KV in use, prefix cache empty, no adapter resident, no step in flight) and
   * increments `epoch`. The executing step, if any, is void: its time up to `nowUs` counts as busy,
   * but not as a step. Warm-up settings are kept (call `setWarmup` when the restarted engine is Ready).
   */
  crash(nowUs: number): Sequence[] {
    if (this.busy) {
      this.stats.busyUs += nowUs - this.stepStartUs;
      this.busy = false;
    }
    this.batch.clear();
    this.frontend.reset();
    this.epoch++;
    this.lora?.reset();
    return this.scheduler.reset();
  }

  /**
   * Cold engine after Ready (gateway.md §5.5): steps that start before `untilUs` take `factor` ×
   * their duration, rounded to whole µs. `setWarmup(0, 1)` (the default) turns it off.
   */
  setWarmup(untilUs: number, factor: number): void {
    if (!(factor > 0) || !Number.isFinite(factor)) throw new Error(`warm-up factor must be a positive number, got ${factor}`);
    this.warmUntilUs = factor === 1 ? 0 : untilUs;
    this.warmFactor = factor;
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

const NONE_DONE: Sequence[] = Object.freeze([]) as unknown as Sequence[];
