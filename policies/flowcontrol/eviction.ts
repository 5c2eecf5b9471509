/**
 * Flow-control eviction (llm-d-router v0.10.0, `flowControl.enableEviction`; `llm-d-router.md` §4.8):
 * the built-in `sheddable-eviction-filter` (victims: in-flight requests with priority < 0) and
 * `priority-then-time-eviction-order-policy` (lowest priority first, then most recently dispatched),
 * the victim count and the trigger's grace timing. Pure functions plus a small gate; the director
 * must revoke (abort) the chosen in-flight requests — routesim's director does not do that yet, so
 * these are not wired into a run (see the report of issue 13).
 *
 * Trigger: dispatch is head-of-line blocked at a band whose ceiling the saturation s reached, all
 * earlier revocations are confirmed (their stream ended) and a grace has passed since the last
 * confirmation (10 ms with concurrency-detector, else refresh 50 ms + staleness 2 s + 250 ms =
 * 2.3 s); unconfirmed revocations count as confirmed after 10 s. Then
 * n = max(1, ⌈(s − ceiling − pending)/(s/inFlight)⌉), at most 2 and at most the evictable count,
 * victims strictly below the blocked band's priority.
 */

/** One dispatched, not yet finished request. */
export interface InFlightRequest {
  readonly id: string;
  readonly priority: number;
  readonly dispatchUs: number;
}

/** `sheddable-eviction-filter`: sheddable (priority < 0) and strictly below the blocked band. */
export function sheddableVictims(inFlight: readonly InFlightRequest[], blockedPriority: number): InFlightRequest[] {
  return inFlight.filter((r) => r.priority < 0 && r.priority < blockedPriority);
}

/** `priority-then-time-eviction-order-policy`: lowest priority first, then most recently dispatched. */
export function evictionOrder(a: InFlightRequest, b: InFlightRequest): number {
  return a.priority - b.priority || b.dispatchUs - a.dispatchUs;
}

/**
 * How many to revoke: n = max(1, ⌈(s − ceiling − pending)/(s/inFlight)⌉), capped at 2 and at
 * `evictable` (0 when nothing is evictable or nothing is in flight). `pending` = saturation share
 * of revocations issued but not yet confirmed.
 */
export function evictionCount(s: number, ceiling: number, pending: number, inFlight: number, evictable: number): number {
  if (evictable <= 0 || inFlight <= 0 || s <= 0) return 0;
  const n = Math.max(1, Math.ceil((s - ceiling - pending) / (s / inFlight)));
  return Math.min(n, 2, evictable);
}

export const EVICTION_GRACE_CONCURRENCY_US = 10_000;
export const EVICTION_GRACE_DEFAULT_US = 2_300_000;
export const EVICTION_CONFIRM_TIMEOUT_US = 10_000_000;

/** Tracks issued revocations and says when the next may fire. */
export class EvictionGate {
  private readonly pending = new Map<string, number>(); // id → issue time
  private lastConfirmUs = -Infinity;
  constructor(readonly graceUs: number) {}

  issued(id: string, nowUs: number): void {
    this.pending.set(id, nowUs);
  }

  /** The revoked request's stream ended. */
  confirmed(id: string, nowUs: number): void {
    if (this.pending.delete(id)) this.lastConfirmUs = nowUs;
  }

  /** Revocations issued and not yet confirmed (timed-out ones dropped). */
  pendingCount(nowUs: number): number {
    for (const [id, t] of this.pending) if (nowUs - t >= EVICTION_CONFIRM_TIMEOUT_US) this.confirmed(id, t + EVICTION_CONFIRM_TIMEOUT_US);
    return this.pending.size;
  }

  canFire(nowUs: number): boolean {
    return this.pendingCount(nowUs) === 0 && nowUs - this.lastConfirmUs >= this.graceUs;
  }
}

/** The victims to revoke now (empty when the count is 0), in eviction order. */
export function chooseVictims(
  inFlight: readonly InFlightRequest[],
  blockedPriority: number,
  s: number,
  ceiling: number,
  pendingShare: number,
): InFlightRequest[] {
  const cands = sheddableVictims(inFlight, blockedPriority).sort(evictionOrder);
  return cands.slice(0, evictionCount(s, ceiling, pendingShare, inFlight.length, cands.length));
}
