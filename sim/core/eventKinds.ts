/**
 * Kinds of the run loop's events (sim/simulation.ts). Events at equal times run in this order: a
 * step's end (frees KV, emits tokens), a response reaching the client, a request entering a
 * replica's queue, a scrape, an arrival, a replica forming its next batch, engine KV events
 * reaching the router, the flow-control sweep, then issue 10–11's events.
 */
export const enum EventKind {
  StepEnd = 0,
  /**
   * A request's first token reaches the client (payload: its Sequence): the response headers came
   * back. Queued only when the gateway wants it (v0.10 ResponseHeaderProcessor plugins); ordered
   * before ResponseDone so a one-token response sees its headers before its end of stream.
   */
  FirstToken = 1,
  ResponseDone = 2,
  Enqueue = 3,
  Scrape = 4,
  Arrival = 5,
  Schedule = 6,
  KvDeliver = 7,
  FlowSweep = 8,
  /** A P/D prefill leg's 1-token response reaches the decode pod's sidecar. */
  PrefillReturn = 9,
  /** KV transfers of a pool's links may have finished (payload: pool index). */
  KvTransfer = 10,
  /** Issue 11: a churn event (replica failure, recovery) takes effect. */
  Churn = 11,
  /** The picker's datastore drops a failed pod (payload: replica index). */
  Detect = 12,
  /** A starting replica becomes Ready (payload: replica index). */
  Ready = 13,
  /** A request's route timeout expires (payload: the request). */
  RequestTimeout = 14,
  /** A try's per-try timeout expires (payload: Attempt). */
  TryTimeout = 15,
  /** A retry's backoff is over (payload: Attempt). */
  RetryFire = 16,
  /** A pool's autoscaler syncs (payload: pool index). */
  HpaTick = 17,
  /** A P/D prefill leg's KV lease expires (payload: its Stranded; gateway.md §4.3, §4.7). */
  LeaseExpiry = 18,
}
