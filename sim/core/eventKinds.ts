/**
 * Kinds of the run loop's events (sim/simulation.ts). Events at equal times run in this order: a
 * step's end (frees KV, emits tokens), a response reaching the client, a request entering a
 * replica's queue, a scrape, an arrival, a replica forming its next batch, engine KV events
 * reaching the router, the flow-control sweep, then issue 10–11's events.
 */
export const enum EventKind {
  StepEnd = 0,
  ResponseDone = 1,
  Enqueue = 2,
  Scrape = 3,
  Arrival = 4,
  Schedule = 5,
  KvDeliver = 6,
  FlowSweep = 7,
  /** A P/D prefill leg's 1-token response reaches the decode pod's sidecar. */
  PrefillReturn = 8,
  /** KV transfers of a pool's links may have finished (payload: pool index). */
  KvTransfer = 9,
  /** Issue 11: a churn event (replica failure, recovery) takes effect. */
  Churn = 10,
  /** The picker's datastore drops a failed pod (payload: replica index). */
  Detect = 11,
  /** A starting replica becomes Ready (payload: replica index). */
  Ready = 12,
  /** A request's route timeout expires (payload: the request). */
  RequestTimeout = 13,
  /** A try's per-try timeout expires (payload: Attempt). */
  TryTimeout = 14,
  /** A retry's backoff is over (payload: Attempt). */
  RetryFire = 15,
  /** A pool's autoscaler syncs (payload: pool index). */
  HpaTick = 16,
}
