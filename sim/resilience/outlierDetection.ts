/**
 * Envoy outlier detection, consecutive-5xx part (gateway.md §3.2 in ../shared/reference/gateway.md;
 * Envoy `outlier_detection.proto`), for the endpoints of one pool:
 *
 * - each endpoint counts consecutive 5xx answers; a success resets the count; the response that
 *   reaches `consecutive_5xx` (default 5) ejects the endpoint at once, and the count restarts
 *   whether or not the ejection was allowed;
 * - `max_ejection_percent` (10 %) caps ejected endpoints: an ejection is allowed when
 *   100 · (ejected + 1) ≤ percent · endpoints, or when none is ejected (≥ 1 host always ejectable);
 * - the ejection lasts `base_ejection_time` (30 s) × the times the endpoint was ejected, at most
 *   `max_ejection_time` (300 s); the multiplier stops growing once base × multiplier reaches the max;
 * - an endpoint returns only at an `interval` sweep (10 s, at the multiples of the interval from
 *   time 0): at the first sweep at or after the end of its ejection, as Envoy's interval timer does.
 *   Example: 5xx at 1…5 s ⇒ ejected at 5 s for 30 s ⇒ due at 35 s ⇒ back at the 40 s sweep.
 *
 * Responses of an endpoint while it is ejected are not counted. Success-rate and
 * failure-percentage detection (enforcing 0 % or needing volume) are not modelled.
 *
 * Wiring caveat (§3.2): with the ORIGINAL_DST / header wiring Envoy's cluster simply returns the
 * host the EPP chose, so ejection cannot steer InferencePool traffic away from a failing pod; it
 * applies to the FailOpen fallback pick and to re-picks on retry. Which picks honour
 * {@link OutlierDetector.isEjected} is the caller's decision.
 *
 * Endpoints are small integers (replica indices). Per-call cost: O(1), sweep O(ejected).
 */

export interface OutlierDetectionParams {
  readonly consecutive5xx: number;
  readonly intervalUs: number;
  readonly baseEjectionTimeUs: number;
  readonly maxEjectionTimeUs: number;
  /** 0–100. */
  readonly maxEjectionPercent: number;
}

export const DEFAULT_OUTLIER_DETECTION: OutlierDetectionParams = {
  consecutive5xx: 5,
  intervalUs: 10_000_000,
  baseEjectionTimeUs: 30_000_000,
  maxEjectionTimeUs: 300_000_000,
  maxEjectionPercent: 10,
};

interface EndpointState {
  consecutive: number;
  /** Ejection multiplier (Envoy's eject_time_backoff): times ejected, capped as described above. */
  multiplier: number;
  timesEjected: number;
  /** µs when the current ejection ends; null = not ejected. */
  ejectedUntilUs: number | null;
}

export class OutlierDetector {
  private readonly states = new Map<number, EndpointState>();
  private readonly ejected = new Set<number>();
  /** Ejections refused by max_ejection_percent. */
  capped = 0;
  /** Ejections made. */
  ejections = 0;

  /** `endpoints`: the pool's current endpoint count (the max-ejection-percent denominator). */
  constructor(
    private endpoints: number,
    readonly params: OutlierDetectionParams = DEFAULT_OUTLIER_DETECTION,
  ) {
    const p = params;
    if (!Number.isInteger(p.consecutive5xx) || p.consecutive5xx < 1) throw new RangeError(`consecutive5xx must be a whole number ≥ 1, got ${p.consecutive5xx}`);
    if (!(p.intervalUs > 0) || !(p.baseEjectionTimeUs > 0)) throw new RangeError('intervalUs and baseEjectionTimeUs must be > 0');
    if (!(p.maxEjectionTimeUs >= p.baseEjectionTimeUs)) throw new RangeError('maxEjectionTimeUs must be ≥ baseEjectionTimeUs');
    if (!(p.maxEjectionPercent >= 0 && p.maxEjectionPercent <= 100)) throw new RangeError('maxEjectionPercent must be in 0–100');
    this.setEndpointCount(endpoints);
  }

  /** The pool scaled; ejected endpoints that left should get {@link forget}. */
  setEndpointCount(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`endpoint count must be a whole number ≥ 0, got ${n}`);
    this.endpoints = n;
  }

  /** Drop an endpoint that left the pool (its ejection and history go with it). */
  forget(endpoint: number): void {
    this.states.delete(endpoint);
    this.ejected.delete(endpoint);
  }

  private state(endpoint: number): EndpointState {
    let s = this.states.get(endpoint);
    if (s === undefined) {
      s = { consecutive: 0, multiplier: 0, timesEjected: 0, ejectedUntilUs: null };
      this.states.set(endpoint, s);
    }
    return s;
  }

  /** Record an answer of `endpoint` at `nowUs`; true = this answer ejected it. */
  onResponse(endpoint: number, nowUs: number, is5xx: boolean): boolean {
    const s = this.state(endpoint);
    if (s.ejectedUntilUs !== null) return false;
    if (!is5xx) {
      s.consecutive = 0;
      return false;
    }
    if (++s.consecutive < this.params.consecutive5xx) return false;
    s.consecutive = 0;
    const active = this.ejected.size;
    if (active > 0 && 100 * (active + 1) > this.params.maxEjectionPercent * this.endpoints) {
      this.capped++;
      return false;
    }
    const { baseEjectionTimeUs: base, maxEjectionTimeUs: max } = this.params;
    if (s.multiplier * base < max) s.multiplier++;
    s.timesEjected++;
    s.ejectedUntilUs = nowUs + Math.min(base * s.multiplier, max);
    this.ejected.add(endpoint);
    this.ejections++;
    return true;
  }

  /** The interval sweep at `nowUs`: return endpoints whose ejection is over; their ids, ascending. */
  sweep(nowUs: number): number[] {
    const back: number[] = [];
    for (const e of this.ejected) {
      const s = this.states.get(e)!;
      if (nowUs >= s.ejectedUntilUs!) back.push(e);
    }
    back.sort((a, b) => a - b);
    for (const e of back) {
      const s = this.states.get(e)!;
      s.ejectedUntilUs = null;
      s.consecutive = 0;
      this.ejected.delete(e);
    }
    return back;
  }

  /** The first sweep time strictly after `nowUs` (sweeps run at k · interval, k ≥ 1). */
  nextSweepUs(nowUs: number): number {
    const i = this.params.intervalUs;
    return (Math.floor(nowUs / i) + 1) * i;
  }

  isEjected(endpoint: number): boolean {
    return this.ejected.has(endpoint);
  }

  /** When `endpoint`'s ejection ends (it returns at the next sweep at or after), or null. */
  ejectedUntilUs(endpoint: number): number | null {
    return this.states.get(endpoint)?.ejectedUntilUs ?? null;
  }

  timesEjected(endpoint: number): number {
    return this.states.get(endpoint)?.timesEjected ?? 0;
  }

  get ejectedCount(): number {
    return this.ejected.size;
  }
}
