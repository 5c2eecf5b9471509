/**
 * Requests under a route's timeouts and retries, and what a failed replica does to them (issue 11;
 * gateway.md §1.6–1.7, §3.4, §6.2). Each request of a resilient run has a Flight from arrival to its
 * end: its current try's sequence, the tries sent, whether a retry holds a budget slot. Timeouts
 * abort the engine's work (blocks freed at that instant); a try that fails before response headers
 * is retried when the rule's policy covers it and the budget allows — along the picker's endpoint
 * list (its fallbacks, else the same pod), or through the picker with `repick` — else the client
 * gets the status; a stream that broke after tokens is `failed`, never retried.
 */
import type { RouteRule } from '../scenario/types.js';
import type { RequestRecord } from '../metrics/types.js';
import type { SimRequest } from '../workload/request.js';
import type { Replica } from '../engine/replica.js';
import type { Cluster, ClusterDecision } from '../pools/cluster.js';
import type { PdRuns } from '../pd/runs.js';
import type { ResilienceCounts } from '../metrics/resilienceCounts.js';
import { Sequence } from '../engine/sequence.js';
import { EventKind } from '../core/eventKinds.js';
import { createRng, type Rng } from '../core/rng.js';
import { bump, newResilienceCounts } from '../metrics/resilienceCounts.js';
import { backoffUs } from './backoff.js';
import { retryBudgetLimit } from './retryBudget.js';

export const NO_FALLBACKS: readonly number[] = Object.freeze([]);

/** One try of a request (the payload of its per-try timeout and retry events); n −1: a picker retry. */
export interface Attempt {
  readonly req: SimRequest;
  readonly rec: RequestRecord;
  readonly n: number;
}

/** Per-request resilience state. */
export interface Flight {
  readonly req: SimRequest;
  readonly rec: RequestRecord;
  readonly rule: RouteRule | null;
  /** The request as served on the current try, its sequence there (null before dispatch / between tries). */
  served: SimRequest;
  seq: Sequence | null;
  /** Tries dispatched so far. */
  tries: number;
  /** Retries of the picker's own 429/503 answers (only with retry_picker_errors). */
  pickerRetries: number;
  /** The picker's fallback endpoints of the last pick (retries walk them, then stay on the last pod). */
  fallbacks: readonly number[];
  /** A retry is waiting for its backoff or running (counts against the retry budget). */
  retrying: boolean;
  ended: boolean;
}

/** What the run loop lends the flights. */
export interface FlightHost {
  readonly gateway: Cluster;
  readonly replicas: readonly Replica[];
  readonly pd: PdRuns;
  /** Per replica: α0 (API server) delay and KV block size. */
  readonly alpha0Of: readonly number[];
  readonly blockSizeOf: readonly number[];
  now(): number;
  /** Requests in the run not yet ended (the retry budget's active + pending). */
  outstanding(): number;
  push(t: number, kind: EventKind, payload: SimRequest | Sequence | Attempt): void;
  kick(r: Replica): void;
  /** The request ended without its answer: the loop's count and a closed-loop source hear of it. */
  ended(req: SimRequest): void;
  /** Act on a picker decision (a retry that asks the picker again). */
  decided(req: SimRequest, rec: RequestRecord, d: ClusterDecision): void;
}

export class Flights {
  readonly counts: ResilienceCounts = newResilienceCounts();
  private readonly byId = new Map<number, Flight>();
  private readonly rng: Rng;
  private activeRetries = 0;

  constructor(
    private readonly h: FlightHost,
    private readonly routes: readonly RouteRule[],
    seed: number,
  ) {
    this.rng = createRng(seed, 'retries');
  }

  get(id: number): Flight | undefined {
    return this.byId.get(id);
  }

  /** A request arrived and was routed (`d`): its flight, its route timeout, a fallback counted. */
  begin(req: SimRequest, rec: RequestRecord, d: ClusterDecision): void {
    const rule = d.route >= 0 ? this.routes[d.route]! : null;
    if (d.fallback) {
      rec.fallback = true;
      bump(this.counts.fallbacks, rule?.name ?? '(no route)');
    }
    this.byId.set(req.id, { req, rec, rule, served: req, seq: null, tries: 0, pickerRetries: 0, fallbacks: NO_FALLBACKS, retrying: false, ended: false });
    const t = rule?.timeouts?.request_ms ?? 0;
    if (t > 0) this.h.push(this.h.now() + Math.round(t * 1000), EventKind.RequestTimeout, req);
  }

  /** Dispatch one try of `f`'s request to replica `i` (after a pick, or to the pod Envoy already has). */
  sendTry(f: Flight, i: number, seq: Sequence, served: SimRequest, fallbacks?: readonly number[]): void {
    const now = this.h.now();
    f.served = served;
    if (fallbacks !== undefined) f.fallbacks = fallbacks;
    f.tries++;
    f.rec.attempts = f.tries;
    f.seq = seq;
    const t = this.tryTimeoutUs(f.rule);
    if (t > 0) this.h.push(now + t, EventKind.TryTimeout, { req: f.req, rec: f.rec, n: f.tries });
    this.h.push(now + this.h.alpha0Of[i]!, EventKind.Enqueue, seq);
  }

  /** The request ended (completed, refused, dropped): no more timeouts or retries for it. */
  end(f: Flight): void {
    f.ended = true;
    if (f.retrying) {
      f.retrying = false;
      this.activeRetries--;
    }
    this.byId.delete(f.req.id);
  }

  /**
   * The picker answered 429/503 itself. Production never retries these (ext_proc local replies,
   * gateway.md §1.7); with `retry_picker_errors` the route retries them through the picker.
   */
  pickerRetry(f: Flight, status: number): boolean {
    const policy = f.rule?.retry;
    if (!policy || !policy.retry_picker_errors || !policy.codes.includes(status) || f.pickerRetries >= policy.attempts) return false;
    if (!this.holdRetry(f)) return false;
    f.pickerRetries++;
    this.scheduleRetry(f, f.pickerRetries, -1);
    return true;
  }

  /**
   * A try failed before response headers (connect failure / reset: 503; per-try timeout: 504).
   * Retried when the route's policy covers it and the budget allows; otherwise the client gets the status.
   */
  tryFailed(f: Flight, status: number, reason: string, detail: string): void {
    const { gateway } = this.h;
    const now = this.h.now();
    this.abortTry(f);
    if (f.rec.replica >= 0 && gateway.tryResult(f.rec.replica, now, true)) bump(this.counts.ejections, gateway.pools[gateway.poolOf(f.rec.replica)]!.name);
    const policy = f.rule?.retry ?? null;
    const covered = policy !== null && f.tries <= policy.attempts && (reason === 'upstream-reset' ? policy.on_reset || policy.codes.includes(status) : policy.codes.includes(status));
    if (!covered || !this.holdRetry(f)) {
      this.fail(f, 'dropped', status, reason, detail);
      return;
    }
    if (policy.repick && f.rec.replica >= 0) {
      gateway.complete(f.req, f.rec.replica, now);
      f.rec.replica = -1;
    }
    this.scheduleRetry(f, f.tries, f.tries);
  }

  /** What a crashed replica held (`lost`, from FleetControl.fail): each request's try fails or its stream breaks. */
  lost(seqs: readonly Sequence[], replicaName: string): void {
    const { pd } = this.h;
    for (const seq of seqs) {
      const leg = pd.legOf(seq);
      const f = this.byId.get(leg?.req.id ?? seq.req.id);
      if (f === undefined || f.ended) continue;
      if (f.seq !== seq && leg === null && pd.decodeOf(f.seq) !== seq) continue;
      if (this.streaming(f.rec)) {
        this.abortTry(f);
        this.fail(f, 'failed', 0, 'replica-failed', `replica ${replicaName} failed while streaming`);
      } else {
        this.tryFailed(f, 503, 'upstream-reset', `replica ${replicaName} failed before response headers`);
      }
    }
  }

  /** The route's request timeout of `req` expired. */
  onRequestTimeout(req: SimRequest): void {
    const f = this.byId.get(req.id);
    if (f === undefined || f.ended) return;
    const t = f.rule?.timeouts?.request_ms ?? 0;
    this.abortTry(f);
    if (this.streaming(f.rec)) this.fail(f, 'failed', 0, 'timeout', `route timeout ${t} ms expired mid-stream`);
    else this.fail(f, 'dropped', 504, 'timeout', `route timeout ${t} ms expired before response headers`);
  }

  /** Try `a.n`'s per-try timeout expired. */
  onTryTimeout(a: Attempt): void {
    const f = this.byId.get(a.req.id);
    if (f === undefined || f.ended || f.tries !== a.n || f.seq === null) return;
    bump(this.counts.perTryTimeouts, this.ruleName(f));
    if (this.streaming(f.rec)) {
      this.abortTry(f);
      this.fail(f, 'failed', 0, 'per-try-timeout', 'the per-try timeout expired mid-stream');
    } else {
      this.tryFailed(f, 504, 'per-try-timeout', `try ${a.n} timed out before response headers`);
    }
  }

  /** A retry's backoff is over: ask the picker again, or send to the next pod of Envoy's list. */
  onRetryFire(a: Attempt): void {
    const f = this.byId.get(a.req.id);
    if (f === undefined || f.ended) return;
    const rec = f.rec;
    rec.scheduledUs = -1;
    rec.cachedTokens = 0;
    rec.prefillUs = 0;
    if (f.rule?.retry?.repick || a.n < 0 || rec.replica < 0) {
      this.h.decided(f.req, rec, this.h.gateway.arriveAt(Math.max(rec.pool, 0), f.req, this.h.now(), rec.route));
      return;
    }
    // Envoy retries along the picker's endpoint list (the primary, then its fallbacks, best first;
    // one endpoint by default: the same pod), aggregated (no second prefill leg).
    const next = f.fallbacks[f.tries - 1];
    if (next !== undefined) rec.replica = next;
    const i = rec.replica;
    this.sendTry(f, i, new Sequence(f.served, rec, this.h.blockSizeOf[i]!), f.served);
  }

  /** Stop whatever the request's current try is doing (the engine frees its blocks at once). */
  abortTry(f: Flight): void {
    const seq = f.seq;
    if (seq === null) return;
    f.seq = null;
    const { pd, replicas, gateway } = this.h;
    const now = this.h.now();
    const r = pd.legOf(seq)?.prefill ?? seq.rec.replica;
    const isLeg = pd.legOf(seq) !== null;
    replicas[r]!.abort(seq, now);
    pd.cancel(seq, now);
    if (isLeg) gateway.prefillReturned(r);
    this.h.kick(replicas[r]!);
    if (f.rec.replica >= 0 && f.rec.replica !== r) this.h.kick(replicas[f.rec.replica]!);
  }

  /** The request ends without its answer (after any retries): an HTTP error, or a broken stream. */
  private fail(f: Flight, outcome: 'dropped' | 'failed', status: number, reason: string, detail: string): void {
    const rec = f.rec;
    const now = this.h.now();
    rec.outcome = outcome;
    rec.status = status;
    rec.reason = reason;
    rec.detail = detail;
    rec.endUs = now;
    if (rec.replica >= 0) this.h.gateway.complete(f.req, rec.replica, now);
    this.end(f);
    this.h.ended(f.req);
  }

  /** A retry needs a slot of the retry budget (held until the request ends); false, counted, when none is left. */
  private holdRetry(f: Flight): boolean {
    const policy = f.rule!.retry!;
    if (!f.retrying && this.activeRetries >= retryBudgetLimit(this.h.outstanding(), { percent: policy.budget.percent, minConcurrency: policy.budget.min_concurrency })) {
      bump(this.counts.retriesOverBudget, this.ruleName(f));
      return false;
    }
    bump(this.counts.retries, this.ruleName(f));
    if (!f.retrying) {
      f.retrying = true;
      this.activeRetries++;
    }
    return true;
  }

  /** Retry number `k` fires after Envoy's backoff; `n` is the try it follows (−1: a picker retry). */
  private scheduleRetry(f: Flight, k: number, n: number): void {
    const b = f.rule!.retry!.backoff;
    const delay = backoffUs(k, this.rng(), b.base_us, b.max_us);
    this.h.push(this.h.now() + Math.round(delay), EventKind.RetryFire, { req: f.req, rec: f.rec, n });
  }

  private ruleName(f: Flight): string {
    return f.rule?.name ?? '(no route)';
  }

  private tryTimeoutUs(rule: RouteRule | null): number {
    return rule?.retry?.per_try_timeout_us ?? Math.round((rule?.timeouts?.backend_request_ms ?? 0) * 1000);
  }

  /** The client has seen tokens (response headers went out): a failure now breaks the stream. */
  private streaming(rec: RequestRecord): boolean {
    const now = this.h.now();
    return rec.firstTokenUs >= 0 && rec.firstTokenUs <= now;
  }
}
