/**
 * Dense N-D lookup grids for profile-table step models (../shared/reference/calibration.md §3.4):
 * each axis is bracketed by its two nearest samples and blended linearly in the value (not in log
 * space); below the smallest sample the value is clamped, above the largest it is extrapolated
 * linearly from the top two samples (never clamped). Before lookups the samples are made monotone
 * non-decreasing along every axis (a running maximum, i.e. negative slopes clipped to 0), so a
 * noisy row cannot make a larger batch cheaper.
 */

/** A grid: sorted axes and row-major values (last axis fastest). */
export interface Grid {
  readonly axes: readonly Float64Array[];
  readonly values: Float64Array;
  /** Stride of each axis in `values`. */
  readonly strides: readonly number[];
  /** Per axis: the top-two-sample slope over the other axes (set by makeMonotone). */
  readonly slopes?: readonly Grid[];
}

export function makeGrid(axes: readonly Float64Array[], values: Float64Array): Grid {
  const strides = new Array<number>(axes.length);
  let s = 1;
  for (let k = axes.length - 1; k >= 0; k--) {
    strides[k] = s;
    s *= axes[k]!.length;
  }
  if (s !== values.length) throw new Error(`grid: ${values.length} values for ${s} points`);
  return { axes, values, strides };
}

/**
 * The lower sample index `i` and weight `w` of `x` on `xs`: value = (1−w)·v[i] + w·v[i+1].
 * Below xs[0]: i = 0, w = 0 (clamp). Above the top: i = n−2, w > 1 (linear extrapolation).
 * A one-sample axis: i = 0, w = 0.
 */
export function bracket(xs: Float64Array, x: number): { i: number; w: number } {
  const n = xs.length;
  if (n === 1 || x <= xs[0]!) return { i: 0, w: 0 };
  let lo = 0;
  let hi = n - 1;
  if (x >= xs[hi]!) lo = n - 2;
  else {
    // Invariant xs[lo] <= x < xs[hi].
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (xs[mid]! <= x) lo = mid;
      else hi = mid;
    }
  }
  return { i: lo, w: (x - xs[lo]!) / (xs[lo + 1]! - xs[lo]!) };
}

/**
 * Value of `g` at `x` (one coordinate per axis): multilinear inside the sampled box (coordinates
 * clamped to it, so below the smallest sample the value is clamped), plus, for each axis whose
 * coordinate lies above its largest sample, (x − top)·slope of the top two samples. That slope is
 * itself looked up (inside the box) in a grid made non-decreasing in the other axes, so the sum is
 * non-decreasing in every coordinate also outside the box (a plain multilinear extrapolation has
 * cross terms that can make it decrease). Along a single axis this is exactly "extrapolate
 * linearly from the top two samples" (§3.4) wherever the top slope is not raised by that clip.
 */
export function lookup(g: Grid, x: readonly number[]): number {
  let sum = inside(g, x);
  const slopes = g.slopes;
  if (slopes === undefined) return sum;
  for (let k = 0; k < g.axes.length; k++) {
    const xs = g.axes[k]!;
    const n = xs.length;
    const top = xs[n - 1]!;
    if (n < 2 || !(x[k]! > top)) continue;
    sum += ((x[k]! - top) / (top - xs[n - 2]!)) * inside(slopes[k]!, x);
  }
  return sum;
}

/** Multilinear interpolation with every coordinate clamped to its axis's range. */
function inside(g: Grid, x: readonly number[]): number {
  const d = g.axes.length;
  let base = 0;
  const ws = new Array<number>(d);
  const steps = new Array<number>(d);
  for (let k = 0; k < d; k++) {
    const xs = g.axes[k]!;
    let { i, w } = bracket(xs, x[k]!);
    if (w > 1) w = 1;
    base += i * g.strides[k]!;
    ws[k] = w;
    steps[k] = xs.length > 1 ? g.strides[k]! : 0;
  }
  let sum = 0;
  for (let c = 0; c < 1 << d; c++) {
    let weight = 1;
    let idx = base;
    for (let k = 0; k < d; k++) {
      if (c & (1 << k)) {
        weight *= ws[k]!;
        idx += steps[k]!;
      } else weight *= 1 - ws[k]!;
      if (weight === 0) break;
    }
    if (weight !== 0) sum += weight * g.values[idx]!;
  }
  return sum;
}

/**
 * Makes `g.values` non-decreasing along every axis (running maximum along each axis in turn) and
 * builds the per-axis top-slope grids used above the sampled range (also made non-decreasing).
 */
export function makeMonotone(g: Grid): void {
  runningMax(g);
  const slopes: Grid[] = [];
  for (let k = 0; k < g.axes.length; k++) {
    const n = g.axes[k]!.length;
    const axes = g.axes.map((a, j) => (j === k ? Float64Array.of(a[a.length - 1]!) : a));
    const out = makeGrid(axes, new Float64Array(g.values.length / n));
    if (n >= 2) {
      const st = g.strides[k]!;
      let o = 0;
      for (let p = 0; p < g.values.length; p++) {
        if (Math.floor(p / st) % n !== n - 1) continue;
        out.values[o++] = g.values[p]! - g.values[p - st]!;
      }
      runningMax(out);
    }
    slopes.push(out);
  }
  (g as { slopes?: readonly Grid[] }).slopes = slopes;
}

function runningMax(g: Grid): void {
  const { axes, values, strides } = g;
  for (let k = 0; k < axes.length; k++) {
    const n = axes[k]!.length;
    const st = strides[k]!;
    for (let p = 0; p < values.length; p++) {
      // p is the start of a line along axis k when its coordinate on axis k is 0.
      if (Math.floor(p / st) % n !== 0) continue;
      for (let j = 1; j < n; j++) {
        const a = values[p + (j - 1) * st]!;
        if (values[p + j * st]! < a) values[p + j * st] = a;
      }
    }
  }
}

/** A 1-D curve y(x) on sorted samples. */
export function curve(xs: readonly number[], ys: readonly number[]): Grid {
  const g = makeGrid([Float64Array.from(xs)], Float64Array.from(ys));
  makeMonotone(g);
  return g;
}

/** y at x on a 1-D curve (clamp below, extrapolate linearly from the top two samples above). */
export function curveAt(g: Grid, x: number): number {
  const xs = g.axes[0]!;
  const { i, w } = bracket(xs, x);
  if (w === 0 || xs.length === 1) return g.values[i]!;
  return g.values[i]! + w * (g.values[i + 1]! - g.values[i]!);
}
