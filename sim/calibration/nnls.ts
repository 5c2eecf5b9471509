/**
 * Weighted non-negative least squares with a ridge toward prior values
 * (../shared/reference/calibration.md §4.2 step 4, §4.4):
 *
 *   min_β  Σ_i w_i (y_i − x_iᵀβ)²  +  λ Σ_j s_j² (β_j − p_j)²     subject to β ≥ 0
 *
 * with s_j the root-mean-square of the weighted column j (so λ is relative: λ = 1e-4 lets the
 * prior move a column's contribution by about 1 % of the data's pull). Columns listed in `held`
 * are not fitted: β_j = p_j and their contribution is subtracted from y. Solved as an ordinary
 * NNLS (Lawson–Hanson active set) on the stacked system [√w·X; √λ·diag(s)] β ≈ [√w·y; √λ·s·p],
 * columns scaled to unit norm, each passive-set least-squares solve by Householder QR.
 */

export interface NnlsProblem {
  /** Rows × columns, row-major (rows.length = y.length). */
  readonly rows: readonly Float64Array[];
  readonly y: readonly number[];
  /** Row weights (default 1). */
  readonly w?: readonly number[];
  /** Prior values (for held columns and the ridge); default 0. */
  readonly prior?: readonly number[];
  /** Ridge strength λ (default 0). */
  readonly ridge?: number;
  /** Columns kept at their prior. */
  readonly held?: ReadonlySet<number>;
}

/** Least squares by Householder QR: min ‖A z − b‖ for a tall, full-column-rank A (m × n, row-major copies). */
export function leastSquares(a: number[][], b: number[]): number[] {
  const m = a.length;
  const n = m > 0 ? a[0]!.length : 0;
  const A = a.map((r) => r.slice());
  const B = b.slice();
  const rdiag: number[] = new Array<number>(n).fill(0);
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm = Math.hypot(norm, A[i]![k]!);
    if (norm === 0) {
      rdiag[k] = 0;
      continue;
    }
    if (A[k]![k]! < 0) norm = -norm;
    for (let i = k; i < m; i++) A[i]![k]! /= norm;
    A[k]![k]! += 1;
    for (let j = k + 1; j < n; j++) {
      let s = 0;
      for (let i = k; i < m; i++) s += A[i]![k]! * A[i]![j]!;
      s = -s / A[k]![k]!;
      for (let i = k; i < m; i++) A[i]![j]! += s * A[i]![k]!;
    }
    let s = 0;
    for (let i = k; i < m; i++) s += A[i]![k]! * B[i]!;
    s = -s / A[k]![k]!;
    for (let i = k; i < m; i++) B[i]! += s * A[i]![k]!;
    rdiag[k] = -norm;
  }
  const z = new Array<number>(n).fill(0);
  for (let k = n - 1; k >= 0; k--) {
    if (rdiag[k] === 0) continue;
    let s = B[k]!;
    for (let j = k + 1; j < n; j++) s -= A[k]![j]! * z[j]!;
    z[k] = s / rdiag[k]!;
  }
  return z;
}

/** Lawson–Hanson NNLS: min ‖A z − b‖, z ≥ 0 (A m × n row-major). */
export function nnlsPlain(a: readonly (readonly number[])[], b: readonly number[], maxIter = 200): number[] {
  const m = a.length;
  const n = m > 0 ? a[0]!.length : 0;
  const z = new Array<number>(n).fill(0);
  const passive = new Array<boolean>(n).fill(false);
  const grad = (): number[] => {
    const r = b.map((bi, i) => bi - a[i]!.reduce((s, aij, j) => s + aij * z[j]!, 0));
    return Array.from({ length: n }, (_, j) => a.reduce((s, row, i) => s + row[j]! * r[i]!, 0));
  };
  const solvePassive = (): number[] => {
    const idx = passive.flatMap((p, j) => (p ? [j] : []));
    const sub = leastSquares(a.map((row) => idx.map((j) => row[j]!)), b.slice());
    const s = new Array<number>(n).fill(0);
    idx.forEach((j, k) => (s[j] = sub[k]!));
    return s;
  };
  let amax = 1e-300;
  for (const row of a) for (const v of row) amax = Math.max(amax, Math.abs(v));
  let bmax = 1e-300;
  for (const v of b) bmax = Math.max(bmax, Math.abs(v));
  const scale = amax * bmax;
  const tol = 1e-12 * scale * Math.max(1, m);
  for (let outer = 0; outer < maxIter; outer++) {
    const g = grad();
    let best = -1;
    for (let j = 0; j < n; j++) if (!passive[j] && g[j]! > tol && (best < 0 || g[j]! > g[best]!)) best = j;
    if (best < 0) break;
    passive[best] = true;
    for (let inner = 0; inner < 3 * n + 3; inner++) {
      const s = solvePassive();
      if (passive.every((p, j) => !p || s[j]! > 0)) {
        for (let j = 0; j < n; j++) z[j] = s[j]!;
        break;
      }
      let alpha = Infinity;
      for (let j = 0; j < n; j++) if (passive[j] && s[j]! <= 0) alpha = Math.min(alpha, z[j]! / (z[j]! - s[j]!));
      for (let j = 0; j < n; j++) {
        z[j] = z[j]! + alpha * (s[j]! - z[j]!);
        if (passive[j] && z[j]! <= 1e-15 * Math.max(1, Math.abs(s[j]!))) {
          passive[j] = false;
          z[j] = 0;
        }
      }
    }
  }
  return z;
}

/** The weighted, ridged, partly held NNLS of the file comment. Returns β (length = columns). */
export function solveNnls(p: NnlsProblem): number[] {
  const n = p.rows[0]?.length ?? p.prior?.length ?? 0;
  const prior = p.prior ?? new Array<number>(n).fill(0);
  const held = p.held ?? new Set<number>();
  const lambda = p.ridge ?? 0;
  const free = Array.from({ length: n }, (_, j) => j).filter((j) => !held.has(j));
  const m = p.rows.length;
  // Weighted rows with held columns moved to the right-hand side.
  const A: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < m; i++) {
    const sw = Math.sqrt(p.w?.[i] ?? 1);
    const row = p.rows[i]!;
    let yi = p.y[i]!;
    for (const j of held) yi -= row[j]! * prior[j]!;
    A.push(free.map((j) => sw * row[j]!));
    b.push(sw * yi);
  }
  // Column RMS (ridge scale) and unit-norm scaling.
  const rms = free.map((_, k) => Math.sqrt(A.reduce((s, r) => s + r[k]! * r[k]!, 0) / Math.max(1, m)));
  if (lambda > 0) {
    free.forEach((j, k) => {
      const s = Math.sqrt(lambda) * rms[k]!;
      if (s === 0) return;
      A.push(free.map((_, kk) => (kk === k ? s : 0)));
      b.push(s * prior[j]!);
    });
  }
  const norms = free.map((_, k) => Math.sqrt(A.reduce((s, r) => s + r[k]! * r[k]!, 0)));
  const As = A.map((r) => r.map((v, k) => (norms[k]! > 0 ? v / norms[k]! : 0)));
  const z = nnlsPlain(As, b);
  const beta = prior.slice();
  free.forEach((j, k) => (beta[j] = norms[k]! > 0 ? z[k]! / norms[k]! : prior[j]!));
  return beta;
}

/** Euclidean norm without spreading (rows can number in the tens of thousands). */
function norm(v: readonly number[]): number {
  let m = 0;
  for (const x of v) m = Math.max(m, Math.abs(x));
  if (m === 0) return 0;
  let s = 0;
  for (const x of v) s += (x / m) * (x / m);
  return m * Math.sqrt(s);
}

/**
 * Which columns the rows cannot identify (§4.4): all-zero columns ('not excited'), and columns
 * in the span of earlier ones (Gram–Schmidt in column order on the weighted, unit-norm columns,
 * relative tolerance `tol`) — e.g. T_weight, L and the step constant are all constants within one
 * model and GPU, so only the first of them is kept.
 */
export function unidentifiable(rows: readonly Float64Array[], w: readonly number[], tol = 1e-7): Map<number, 'not excited' | number> {
  const n = rows[0]?.length ?? 0;
  const out = new Map<number, 'not excited' | number>();
  const basis: { j: number; v: number[]; unit: number[] }[] = [];
  for (let j = 0; j < n; j++) {
    const raw = rows.map((r, i) => Math.sqrt(w[i] ?? 1) * r[j]!);
    const norm0 = norm(raw);
    if (!(norm0 > 0)) {
      out.set(j, 'not excited');
      continue;
    }
    const unit = raw.map((x) => x / norm0);
    let v = unit;
    for (const q of basis) {
      const dot = v.reduce((s, x, i) => s + x * q.v[i]!, 0);
      v = v.map((x, i) => x - dot * q.v[i]!);
    }
    const rest = norm(v);
    if (rest < tol) {
      // Name the kept column most aligned with this one (cosine of the original columns).
      let closest = -1;
      let best = -1;
      for (const q of basis) {
        const cos = Math.abs(unit.reduce((s, x, i) => s + x * q.unit[i]!, 0));
        if (cos > best) [best, closest] = [cos, q.j];
      }
      out.set(j, closest);
      continue;
    }
    basis.push({ j, v: v.map((x) => x / rest), unit });
  }
  return out;
}
