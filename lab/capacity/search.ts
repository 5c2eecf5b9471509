/**
 * The capacity searches, pure over a `probe` callback (no simulation here, so they are testable
 * on synthetic verdicts). Several searches (one per policy × fleet option) run side by side: each
 * round, every unfinished search names its next points, all of them are probed in ONE call (one
 * executor call → the cells run in parallel), and each search takes its verdicts back.
 *
 * Halving, doubling and midpoints of such rates are exact binary fractions: no rounding needed.
 *
 * - rate (`--max-rate`, Vidur's bisection, gateway.md §7.1): start at the scenario's rate (or
 *   --rate-low / --rate-high); passing → double until a failure (≤ 12 steps), failing → halve until
 *   a pass (≤ 12); then bisect until (hi − lo)/hi ≤ tolerance or `maxProbes` probes. The answer is
 *   the highest passing rate; the bracket [highest pass, lowest fail].
 * - ladder (`--rates`): every rate in one round (all cells known up front: shards need it); the
 *   answer is the highest passing rate below the first failing one; a higher rate passing again
 *   is reported as non-monotone.
 * - replicas (`--min-replicas`): 1, 2, 4, 8 … until a pass, then integer bisection down to a
 *   bracket of width 1; the answer is the smallest passing count, the bracket [largest failing
 *   count, smallest passing count].
 */
import type { Probe } from './types.js';

export const DEFAULT_TOLERANCE = 0.025;
export const MAX_PROBES = 20;
export const MAX_EXPAND_STEPS = 12;
/** Largest replica count the replica search tries (1, 2, 4, … 512, then 1000: the scenario bound). */
export const MAX_REPLICAS = 1000;

export type SearchSpec =
  | { readonly kind: 'rate'; readonly start: number; readonly low?: number; readonly high?: number; readonly tolerance: number; readonly maxProbes?: number }
  | { readonly kind: 'ladder'; readonly rates: readonly number[] }
  /** `step`: counts are multiples of it (a replica group with data_parallel DP steps in DP ranks). */
  | { readonly kind: 'replicas'; readonly maxReplicas?: number; readonly step?: number }
  | { readonly kind: 'single'; readonly rate: number };

export interface SearchResult {
  /** rate / ladder / single: the highest passing rate (null: none); replicas: the smallest passing count. */
  readonly answer: number | null;
  readonly bracket: readonly [number | null, number | null];
  readonly converged: boolean;
  /** Probes in the order they were made. */
  readonly probes: readonly Probe[];
  /** Ladder: a rate above the first failing one passed again. */
  readonly nonMonotone?: boolean;
}

/** One point a search wants probed: its index in the list of searches and the rate or replica count. */
export interface ProbeRequest {
  readonly search: number;
  readonly point: number;
}

/** Probes the requested points; verdicts in request order. */
export type ProbeFn = (requests: readonly ProbeRequest[]) => Promise<readonly Probe[]>;

interface Track {
  next(): number[];
  feed(points: readonly number[], verdicts: readonly boolean[]): void;
  result(probes: readonly Probe[]): SearchResult;
}

class RateTrack implements Track {
  private lo: number | null = null;
  private hi: number | null = null;
  private probed = 0;
  private expand = 0;
  private first: number[];
  constructor(private readonly spec: Extract<SearchSpec, { kind: 'rate' }>) {
    const pts = [spec.low, spec.high].filter((x): x is number => x !== undefined);
    this.first = pts.length > 0 ? [...new Set(pts)].sort((a, b) => a - b) : [spec.start];
  }
  private get max(): number {
    return this.spec.maxProbes ?? MAX_PROBES;
  }
  converged(): boolean {
    return this.lo !== null && this.hi !== null && (this.hi - this.lo) / this.hi <= this.spec.tolerance;
  }
  next(): number[] {
    if (this.probed === 0) return this.first;
    if (this.probed >= this.max || this.converged()) return [];
    if (this.lo !== null && this.hi !== null) return [(this.lo + this.hi) / 2];
    if (this.expand >= MAX_EXPAND_STEPS) return [];
    this.expand++;
    return this.hi === null ? [this.lo! * 2] : [this.hi / 2];
  }
  feed(points: readonly number[], verdicts: readonly boolean[]): void {
    points.forEach((p, i) => {
      this.probed++;
      if (verdicts[i]) this.lo = this.lo === null ? p : Math.max(this.lo, p);
      else this.hi = this.hi === null ? p : Math.min(this.hi, p);
    });
    // A pass above a failure (noise near the limit): keep the bracket consistent, lowest failure wins.
    if (this.lo !== null && this.hi !== null && this.lo >= this.hi) this.lo = null;
  }
  result(probes: readonly Probe[]): SearchResult {
    const lo = this.lo ?? (this.hi !== null ? highestPassBelow(probes, this.hi) : null);
    return { answer: lo, bracket: [lo, this.hi], converged: this.converged(), probes };
  }
}

function highestPassBelow(probes: readonly Probe[], hi: number): number | null {
  let best: number | null = null;
  for (const p of probes) if (p.pass && p.rate < hi && (best === null || p.rate > best)) best = p.rate;
  return best;
}

class LadderTrack implements Track {
  private done = false;
  constructor(private readonly rates: readonly number[]) {}
  next(): number[] {
    if (this.done) return [];
    this.done = true;
    return [...this.rates];
  }
  feed(): void {}
  result(probes: readonly Probe[]): SearchResult {
    const sorted = [...probes].sort((a, b) => a.rate - b.rate);
    const firstFail = sorted.find((p) => !p.pass);
    const below = firstFail === undefined ? sorted : sorted.filter((p) => p.rate < firstFail.rate);
    const passing = below.filter((p) => p.pass);
    const answer = passing.length > 0 ? passing[passing.length - 1]!.rate : null;
    const nonMonotone = firstFail !== undefined && sorted.some((p) => p.pass && p.rate > firstFail.rate);
    return { answer, bracket: [answer, firstFail?.rate ?? null], converged: firstFail !== undefined && answer !== null, probes, ...(nonMonotone ? { nonMonotone } : {}) };
  }
}

class ReplicaTrack implements Track {
  /** Bounds in units of `step` replicas. */
  private fail: number | null = null;
  private pass: number | null = null;
  private probed = 0;
  private readonly capUnits: number;
  constructor(cap: number, private readonly step: number) {
    this.capUnits = Math.max(1, Math.floor(cap / step));
  }
  next(): number[] {
    return this.nextUnits().map((u) => u * this.step);
  }
  private nextUnits(): number[] {
    if (this.probed === 0) return [1];
    if (this.pass === null) {
      const last = this.fail ?? 0;
      return last < this.capUnits ? [Math.min(last * 2, this.capUnits)] : [];
    }
    const lo = this.fail ?? 0;
    if (this.pass - lo <= 1) return [];
    return [Math.floor((lo + this.pass) / 2)];
  }
  feed(points: readonly number[], verdicts: readonly boolean[]): void {
    points.forEach((count, i) => {
      const p = count / this.step;
      this.probed++;
      if (verdicts[i]) this.pass = this.pass === null ? p : Math.min(this.pass, p);
      else this.fail = this.fail === null ? p : Math.max(this.fail, p);
    });
  }
  result(probes: readonly Probe[]): SearchResult {
    const converged = this.pass !== null && this.pass - (this.fail ?? 0) <= 1;
    const count = (u: number | null): number | null => (u === null ? null : u * this.step);
    return { answer: count(this.pass), bracket: [count(this.fail), count(this.pass)], converged, probes };
  }
}

class SingleTrack extends LadderTrack {
  constructor(rate: number) {
    super([rate]);
  }
  override result(probes: readonly Probe[]): SearchResult {
    const p = probes[0]!;
    return { answer: p.pass ? p.rate : null, bracket: p.pass ? [p.rate, null] : [null, p.rate], converged: true, probes };
  }
}

function trackOf(spec: SearchSpec): Track {
  switch (spec.kind) {
    case 'rate':
      return new RateTrack(spec);
    case 'ladder':
      return new LadderTrack(spec.rates);
    case 'replicas':
      return new ReplicaTrack(spec.maxReplicas ?? MAX_REPLICAS, spec.step ?? 1);
    case 'single':
      return new SingleTrack(spec.rate);
  }
}

/** Runs every search to its end, probing all searches' points of a round together; results in spec order. */
export async function runSearches(specs: readonly SearchSpec[], probe: ProbeFn): Promise<SearchResult[]> {
  const tracks = specs.map(trackOf);
  const probes: Probe[][] = specs.map(() => []);
  for (;;) {
    const requests: ProbeRequest[] = [];
    const pointsOf: number[][] = tracks.map((t, s) => {
      const pts = t.next();
      for (const point of pts) requests.push({ search: s, point });
      return pts;
    });
    if (requests.length === 0) break;
    const verdicts = await probe(requests);
    if (verdicts.length !== requests.length) throw new Error(`probe returned ${verdicts.length} verdicts for ${requests.length} requests`);
    let k = 0;
    tracks.forEach((t, s) => {
      const got = verdicts.slice(k, k + pointsOf[s]!.length);
      k += pointsOf[s]!.length;
      probes[s]!.push(...got);
      t.feed(pointsOf[s]!, got.map((p) => p.pass));
    });
  }
  return tracks.map((t, s) => t.result(probes[s]!));
}
