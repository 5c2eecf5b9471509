/**
 * Drawing one backendRef of an HTTPRoute rule by weight (gateway.md §1.4 in
 * ../shared/reference/gateway.md): ref i is chosen with probability w_i / Σw, independently per
 * request; a ref of weight 0 is never chosen. A rule whose refs all weigh 0 has no backend: the
 * gateway answers such requests 500 — here the draw returns -1 and the caller produces the 500
 * (resolveRoutes accepts such rules; {@link rulesWithoutBackend} lists them for a load warning).
 */
import type { BackendRef, RouteRule } from '../scenario/types.js';

/** Weights must be finite and ≥ 0 (the schema allows whole numbers 0…1,000,000). */
function checkWeight(w: number, i: number): void {
  if (!(w >= 0 && Number.isFinite(w))) throw new RangeError(`backendRefs[${i}].weight must be finite and ≥ 0, got ${w}`);
}

/**
 * A rule's backendRefs with their cumulative weights precomputed, so one draw is a short scan
 * without allocation. Built once per rule when the route table is built.
 */
export class WeightedBackends {
  /** Σ weights; 0 = no backend can be drawn. */
  readonly total: number;
  /** Indices of the refs with weight > 0, in list order (weight-0 refs are never candidates). */
  private readonly index: Int32Array;
  /** cum[k] = Σ of the weights of index[0..k]. */
  private readonly cum: Float64Array;

  constructor(readonly refs: readonly BackendRef[]) {
    refs.forEach((r, i) => checkWeight(r.weight, i));
    const positive = refs.flatMap((r, i) => (r.weight > 0 ? [i] : []));
    this.index = Int32Array.from(positive);
    this.cum = new Float64Array(positive.length);
    let sum = 0;
    positive.forEach((i, k) => {
      sum += refs[i]!.weight;
      this.cum[k] = sum;
    });
    this.total = sum;
  }

  /**
   * The index of the ref drawn by the uniform variate `u` ∈ [0, 1): the first positive-weight ref
   * k with u·Σw < cum[k]; the last one if rounding makes u·Σw reach Σw. -1 when Σw = 0.
   */
  pick(u: number): number {
    const n = this.index.length;
    if (n === 0) return -1;
    const target = u * this.total;
    const cum = this.cum;
    for (let k = 0; k < n - 1; k++) if (target < cum[k]!) return this.index[k]!;
    return this.index[n - 1]!;
  }
}

/**
 * One draw over `refs` without precomputation (two passes, no allocation): the same index
 * {@link WeightedBackends.pick} returns for the same `u`. -1 when Σw = 0.
 */
export function pickBackend(refs: readonly BackendRef[], u: number): number {
  let total = 0;
  for (let i = 0; i < refs.length; i++) {
    const w = refs[i]!.weight;
    checkWeight(w, i);
    total += w;
  }
  if (total === 0) return -1;
  const target = u * total;
  let sum = 0;
  let last = -1;
  for (let i = 0; i < refs.length; i++) {
    const w = refs[i]!.weight;
    sum += w;
    if (w > 0) {
      if (target < sum) return i;
      last = i;
    }
  }
  return last;
}

/** The rules whose backendRefs all weigh 0: every request they match gets 500 (no backend). */
export function rulesWithoutBackend(rules: readonly RouteRule[]): RouteRule[] {
  return rules.filter((r) => r.backendRefs.every((b) => b.weight === 0));
}
