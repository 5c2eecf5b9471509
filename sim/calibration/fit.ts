/**
 * One least-squares fit of a step-time model that is linear in its coefficients
 * (sim/engine/stepTime/basis.ts) on rows `y_i ≈ fixed_i + x_iᵀβ` (../shared/reference/calibration.md
 * §4.2 step 4 and §4.4): relative weights w = 1/y², columns the rows cannot identify held at their
 * prior (and said so), the rest solved by NNLS with a light ridge toward the prior.
 */
import { solveNnls, unidentifiable } from './nnls.js';

export interface FitRows {
  readonly x: readonly Float64Array[];
  /** µs of each row that no coefficient scales (the model's fixedUs, summed for request rows). */
  readonly fixed: readonly number[];
  readonly y: readonly number[];
}

export interface HeldTerm {
  readonly term: string;
  readonly value: number;
  readonly why: string;
}

export interface FitResult {
  readonly coefficients: Record<string, number>;
  readonly held: readonly HeldTerm[];
  /** x_iᵀβ + fixed_i per row. */
  readonly predicted: number[];
}

export interface FitOptions {
  /** Ridge strength toward the prior (default 1e-4; 0 = none). */
  readonly ridge?: number;
  /** Terms examined first for identifiability (kept when others are collinear with them); default: basis order. */
  readonly priority?: readonly string[];
}

export const DEFAULT_RIDGE = 1e-4;

export function fitLinear(terms: readonly string[], prior: Readonly<Record<string, number>>, rows: FitRows, opts: FitOptions = {}): FitResult {
  const keep = rows.y.map((y, i) => y > 0 && y - rows.fixed[i]! > 0 && Number.isFinite(y));
  const x = rows.x.filter((_, i) => keep[i]);
  const y = rows.y.filter((_, i) => keep[i]);
  const fixed = rows.fixed.filter((_, i) => keep[i]);
  const target = y.map((v, i) => v - fixed[i]!);
  const w = y.map((v) => 1 / (v * v));
  const p = terms.map((t) => prior[t] ?? 0);
  // Identifiability in priority order: permute columns, check, map back.
  const first = (opts.priority ?? []).map((t) => terms.indexOf(t)).filter((j) => j >= 0);
  const order = [...first, ...terms.map((_, j) => j).filter((j) => !first.includes(j))];
  const why = unidentifiable(x.map((r) => Float64Array.from(order, (j) => r[j]!)), w);
  const held: HeldTerm[] = [];
  const heldIdx = new Set<number>();
  for (const [k, reason] of why) {
    const j = order[k]!;
    heldIdx.add(j);
    held.push({ term: terms[j]!, value: p[j]!, why: reason === 'not excited' ? 'not excited by the data (zero in every row)' : `not separable from the fitted terms in this data (closest: ${terms[order[reason]!]}; §4.4)` });
  }
  held.sort((a, b) => terms.indexOf(a.term) - terms.indexOf(b.term));
  const beta = x.length > 0 ? solveNnls({ rows: x, y: target, w, prior: p, ridge: opts.ridge ?? DEFAULT_RIDGE, held: heldIdx }) : p;
  const coefficients = Object.fromEntries(terms.map((t, j) => [t, beta[j]!]));
  const predicted = rows.x.map((xi, i) => xi.reduce((s, v, j) => s + v * beta[j]!, 0) + rows.fixed[i]!);
  return { coefficients, held, predicted };
}
