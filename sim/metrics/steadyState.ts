/**
 * Did the run settle? A run whose offered load exceeds what the fleet serves has a queue that
 * grows without bound; its latencies then depend on how long the run was, not on the policy alone.
 *
 * What is measured is the **waiting backlog** W(t): requests that arrived and have not yet been
 * served their first token (nor ended without one: rejected, dropped). Requests already streaming
 * are left out on purpose: by Little's law their number is about rate × decode time, which rises
 * with the rate (a ladder) and for the first E2E of a run (a start-up ramp) without any queue
 * growing, and counting them flagged healthy runs at 40–85 % load.
 *
 * The test (README "Results: every field", `steady_state`): sample W at 41 equally spaced times
 * over the arrival span (first to last arrival), fit a least-squares line through the second half
 * of the samples (the first half may hold the start-up transient), and call the run diverging when
 * both
 *   - the slope exceeds 1 % of the arrival rate over that half (first tokens lag arrivals by more
 *     than 1 %: a stationary queue's slope is ~0), and
 *   - the growth the line predicts over the half exceeds 3 × the residual standard deviation and
 *     10 requests (it is a trend, not noise).
 * It diverged at the last sample before the backlog's peak at which the backlog was at most a
 * tenth of that peak (from then on it stayed above).
 *
 * A burst whose arrivals outpace the fleet and then drain after arrivals stop is flagged too: its
 * figures describe a transient that depends on the burst's size. Runs with fewer than
 * MIN_ARRIVALS arrivals are not tested (reached: true, the detail says so).
 */
import { round4 } from './latency.js';
import type { RequestRecord } from './types.js';

export interface SteadyState {
  readonly reached: boolean;
  /** Simulated time (s) the backlog started to grow without bound; null when it did not. */
  readonly diverged_at_s: number | null;
  readonly detail: string;
}

/** Windows the arrival span is cut into (samples = WINDOWS + 1). */
export const WINDOWS = 40;
/** Fewer arrivals than this are not tested. */
export const MIN_ARRIVALS = 20;
/** Slope threshold relative to the arrival rate. */
export const REL_SLOPE = 0.01;
/** Growth must exceed NOISE_SIGMAS residual standard deviations and MIN_GROWTH requests. */
export const NOISE_SIGMAS = 3;
export const MIN_GROWTH = 10;

export interface BacklogSeries {
  /** Sample times, µs. */
  readonly timesUs: readonly number[];
  /** Requests waiting at each time: arrival ≤ t, and first token (or end, without one) > t or never. */
  readonly backlog: readonly number[];
  /** Arrivals at or before each time. */
  readonly arrived: readonly number[];
}


/** When a request stopped waiting: its first token, else its end (rejected, dropped), else never. */
export function servedUs(r: RequestRecord): number {
  if (r.firstTokenUs >= 0) return r.firstTokenUs;
  return r.endUs >= 0 ? r.endUs : Infinity;
}

/**
 * Waiting backlog at `windows + 1` equally spaced times from `fromUs` to `toUs` (inclusive).
 * O(n log n) for sorting, no per-token work.
 */
export function backlogSeries(records: readonly RequestRecord[], fromUs: number, toUs: number, windows = WINDOWS): BacklogSeries {
  const arrivals = new Float64Array(records.length);
  const served = new Float64Array(records.length);
  records.forEach((r, i) => {
    arrivals[i] = r.arrivalUs;
    served[i] = servedUs(r);
  });
  return backlogOfTimes(arrivals, served, fromUs, toUs, windows);
}

/** The backlog series of arrival and served times (any order; sorted in place; Infinity = never served). */
export function backlogOfTimes(arrivals: Float64Array, served: Float64Array, fromUs: number, toUs: number, windows = WINDOWS): BacklogSeries {
  return backlogOfSorted(arrivals.sort(), 0, served.sort(), 0, fromUs, toUs, windows);
}

/**
 * backlogOfTimes over times already sorted ascending, time k being origin + times[k] (int32 offsets
 * of a streamed run's compact columns; origin 0 for the times themselves). The sums are exact:
 * integers below 2^53.
 */
export function backlogOfSorted(arrivals: ArrayLike<number>, arrivalOrigin: number, served: ArrayLike<number>, servedOrigin: number, fromUs: number, toUs: number, windows = WINDOWS): BacklogSeries {
  const timesUs: number[] = [];
  const backlog: number[] = [];
  const arrived: number[] = [];
  let a = 0;
  let e = 0;
  for (const t of sampleTimesUs(fromUs, toUs, windows)) {
    while (a < arrivals.length && arrivalOrigin + arrivals[a]! <= t) a++;
    while (e < served.length && servedOrigin + served[e]! <= t) e++;
    timesUs.push(t);
    arrived.push(a);
    backlog.push(a - e);
  }
  return { timesUs, backlog, arrived };
}

/** The backlog's sample times: `windows` equal steps from `fromUs`, the last exactly `toUs`. */
export function sampleTimesUs(fromUs: number, toUs: number, windows = WINDOWS): number[] {
  const out: number[] = [];
  for (let k = 0; k <= windows; k++) out.push(k === windows ? toUs : fromUs + ((toUs - fromUs) * k) / windows);
  return out;
}

/** Least-squares line through (x, y): slope and residual standard deviation. */
export function linearFit(x: readonly number[], y: readonly number[]): { slope: number; intercept: number; residualStd: number } {
  const n = x.length;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i]!;
    sy += y[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i]! - mx) ** 2;
    sxy += (x[i]! - mx) * (y[i]! - my);
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const intercept = my - slope * mx;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (y[i]! - (intercept + slope * x[i]!)) ** 2;
  return { slope, intercept, residualStd: n > 2 ? Math.sqrt(ss / (n - 2)) : 0 };
}

/** The divergence test on a sampled backlog (times in seconds, arrived = cumulative arrivals). */
export function testBacklog(timesS: readonly number[], backlog: readonly number[], arrived: readonly number[]): SteadyState {
  const n = timesS.length;
  const mid = Math.floor((n - 1) / 2);
  const xs = timesS.slice(mid);
  const ys = backlog.slice(mid);
  const halfS = timesS[n - 1]! - timesS[mid]!;
  const rate = halfS > 0 ? (arrived[n - 1]! - arrived[mid]!) / halfS : 0;
  const fit = linearFit(xs, ys);
  const growth = fit.slope * halfS;
  const threshold = Math.max(NOISE_SIGMAS * fit.residualStd, MIN_GROWTH);
  const numbers = `backlog slope ${round4(fit.slope)} req/s vs arrival rate ${round4(rate)} req/s over the second half of arrivals, growth ${round4(growth)} vs noise threshold ${round4(threshold)}`;
  if (!(rate > 0 && fit.slope > REL_SLOPE * rate && growth > threshold)) {
    return { reached: true, diverged_at_s: null, detail: `steady: ${numbers}` };
  }
  let peak = 0;
  for (let k = 1; k < n; k++) if (backlog[k]! > backlog[peak]!) peak = k;
  let at = 0;
  for (let k = 0; k <= peak; k++) if (backlog[k]! <= backlog[peak]! / 10) at = k;
  return { reached: false, diverged_at_s: round4(timesS[at]!), detail: `diverging: ${numbers}; peak backlog ${backlog[peak]} at ${round4(timesS[peak]!)} s` };
}

/** The steady-state verdict of a run's records (in arrival order or not). */
export function steadyState(records: readonly RequestRecord[]): SteadyState {
  let first = Infinity;
  let last = -Infinity;
  for (const r of records) {
    if (r.arrivalUs < first) first = r.arrivalUs;
    if (r.arrivalUs > last) last = r.arrivalUs;
  }
  return steadyVerdict(records.length, first, last, (from, to) => backlogSeries(records, from, to));
}

/** The verdict for `n` arrivals spanning [first, last] µs, `series` sampling their backlog between two times. */
export function steadyVerdict(n: number, first: number, last: number, series: (fromUs: number, toUs: number) => BacklogSeries): SteadyState {
  if (n < MIN_ARRIVALS) {
    return { reached: true, diverged_at_s: null, detail: `not tested: ${n} arrivals (needs at least ${MIN_ARRIVALS})` };
  }
  if (last === first) {
    return { reached: false, diverged_at_s: round4(first / 1e6), detail: `all ${n} requests arrived at once: the run is a burst draining, not a steady state` };
  }
  const s = series(first, last);
  return testBacklog(
    s.timesUs.map((t) => t / 1e6),
    s.backlog,
    s.arrived,
  );
}
