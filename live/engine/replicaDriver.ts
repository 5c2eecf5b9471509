/**
 * Runs one simulated replica (sim/engine/replica.ts, the same engine `routesim run` steps) in real
 * time. The driver is a tiny discrete-event loop of its own with two kinds of events: enqueues
 * (a request received at wall time w reaches the engine at simulated time sim(w) + α0, as in the
 * simulation) and the end of the executing step. `advance()` processes, in time order, every event
 * whose simulated time has passed on the shared clock, exactly as the simulation would (all events
 * at one instant first, then the next step begins at that instant if there is work); then one
 * timer is armed for the next event. A late timer therefore never changes the engine's timeline:
 * it only delays the wake-up, and the catch-up applies the steps at their own simulated times.
 *
 * After each step the requests that emitted tokens are told how many and when the client sees them
 * (emit time + α2, the scheduler's own rule); a finished request also gets its response-complete
 * time (+ α1). A client that goes away is aborted in the engine (vLLM abort: its KV freed at once).
 */
import type { Replica } from '../../sim/engine/replica.js';
import { Sequence } from '../../sim/engine/sequence.js';
import type { SimRequest } from '../../sim/workload/request.js';
import type { ItlCounts } from '../../sim/metrics/types.js';
import { newRequestRecord } from '../../sim/metrics/records.js';
import type { SimClock } from './simClock.js';

/** Where a request's output goes (the HTTP response). */
export interface TokenSink {
  /** `count` more output tokens become visible to the client at simulated time `atUs`. */
  tokens(count: number, atUs: number): void;
  /** The last token was emitted; the response completes at simulated time `endUs`. */
  finished(endUs: number): void;
}

/** Hooks for the replica's /metrics. */
export interface DriverObserver {
  /** A token of `seq` becomes visible at `atUs`; `prevUs` is the previous one's time (-1 for the first). */
  tokenVisible?(seq: Sequence, atUs: number, prevUs: number, count: number): void;
  /** `seq` finished; its record holds every time. */
  requestFinished?(seq: Sequence): void;
  /** A step ended at `nowUs` (after its tokens were handed out). */
  stepEnded?(nowUs: number): void;
}

export interface DriverTiming {
  /** Per-request API-server overhead before the engine sees the request (α0), whole µs. */
  readonly alpha0Us: number;
  /** Delay of a streamed token after its step's output (α2), whole µs (the scheduler rounds it the same way). */
  readonly alpha2Us: number;
}

interface LiveEntry {
  readonly sink: TokenSink;
  emitted: number;
  lastVisibleUs: number;
}

interface PendingEnqueue {
  readonly seq: Sequence;
  readonly atUs: number;
}

export class ReplicaDriver {
  private readonly pending: PendingEnqueue[] = [];
  private readonly live = new Map<Sequence, LiveEntry>();
  private stepEndUs = -1;
  /** Simulated time of the last event applied. */
  private timeUs = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly itl: ItlCounts = new Map();
  private nextId = 0;

  constructor(
    readonly replica: Replica,
    private readonly clock: SimClock,
    private readonly timing: DriverTiming,
    private readonly blockSize: number,
    private readonly observer: DriverObserver = {},
  ) {}

  /** Requests received and not yet finished or cancelled. */
  get inFlight(): number {
    return this.live.size;
  }

  /** A fresh request id on this replica. */
  newId(): number {
    return this.nextId++;
  }

  /**
   * Why this request can never run on this replica ('' if it can): the engine's own arrival check
   * (prompt + output beyond max_model_len or the whole KV cache, LoRA not enabled, rank too large).
   */
  rejectionReason(req: SimRequest): string {
    return this.replica.rejectionReason(new Sequence(req, newRequestRecord(req), this.blockSize));
  }

  /** Accept a request received now (its arrivalUs is ignored: the clock decides). Check rejectionReason first. */
  submit(req: SimRequest, sink: TokenSink): Sequence {
    if (this.closed) throw new Error('the replica driver is closed');
    this.advance();
    const now = Math.max(this.clock.nowUs(), this.timeUs);
    const timed: SimRequest = { ...req, arrivalUs: now };
    const seq = new Sequence(timed, newRequestRecord(timed), this.blockSize);
    this.pending.push({ seq, atUs: now + this.timing.alpha0Us });
    this.live.set(seq, { sink, emitted: 0, lastVisibleUs: -1 });
    this.advance();
    return seq;
  }

  /** The client went away: abort `seq` wherever it is (pending, waiting or running). */
  cancel(seq: Sequence): void {
    if (!this.live.delete(seq)) return;
    const p = this.pending.findIndex((e) => e.seq === seq);
    if (p >= 0) {
      this.pending.splice(p, 1);
      return;
    }
    this.replica.abort(seq, this.timeUs);
  }

  /** Stop: no more timers; requests still in flight get no more tokens. */
  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.live.clear();
    this.pending.length = 0;
  }

  /** Apply every event whose simulated time has come, then arm the timer for the next one. */
  advance(): void {
    if (this.closed) return;
    const now = this.clock.nowUs();
    for (;;) {
      const t = this.nextEventUs();
      if (t > now) break;
      this.timeUs = t;
      if (this.stepEndUs === t) this.endStep(t);
      else this.enqueue(this.pending.shift()!.seq, t);
      // Every event of this instant first, then the next step (the simulation's Schedule event).
      if (this.nextEventUs() !== t) this.startStep(t);
    }
    this.arm();
  }

  private nextEventUs(): number {
    const enq = this.pending.length > 0 ? this.pending[0]!.atUs : Infinity;
    const end = this.stepEndUs >= 0 ? this.stepEndUs : Infinity;
    return enq < end ? enq : end;
  }

  private enqueue(seq: Sequence, t: number): void {
    this.replica.enqueue(seq, t);
    this.replica.stats.requests++;
    this.replica.stats.inputTokens += seq.req.inputTokens;
  }

  private startStep(t: number): void {
    if (this.replica.busy || !this.replica.hasWork) return;
    const end = this.replica.beginStep(t);
    if (end >= 0) this.stepEndUs = end;
  }

  private endStep(t: number): void {
    this.stepEndUs = -1;
    const done = this.replica.endStep(t, this.itl);
    this.itl.clear();
    for (const seq of this.replica.scheduler.running) this.emit(seq);
    for (const seq of done) this.emit(seq);
    this.observer.stepEnded?.(t);
  }

  /** Hand out the tokens `seq` emitted in the step that just ended (and its completion). */
  private emit(seq: Sequence): void {
    const e = this.live.get(seq);
    if (e === undefined) return;
    const n = seq.outputDone - e.emitted;
    if (n <= 0) return;
    const at = seq.lastTokenUs + this.timing.alpha2Us;
    this.observer.tokenVisible?.(seq, at, e.lastVisibleUs, n);
    e.emitted = seq.outputDone;
    e.lastVisibleUs = at;
    e.sink.tokens(n, at);
    if (seq.outputDone === seq.req.outputTokens) {
      this.live.delete(seq);
      this.observer.requestFinished?.(seq);
      e.sink.finished(seq.rec.endUs);
    }
  }

  private arm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const t = this.nextEventUs();
    if (t === Infinity) return;
    const delay = Math.max(0, Math.ceil(this.clock.delayMs(t)));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.advance();
    }, delay);
  }
}
