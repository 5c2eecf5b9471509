/**
 * Seeded random streams, one per subsystem, so adding a draw in one subsystem never shifts
 * another's sequence. Never use Math.random inside a simulation.
 */
import seedrandom from 'seedrandom';

export type Rng = () => number;

/** A uniform [0, 1) stream named `stream` derived from the scenario seed. */
export function createRng(seed: number, stream: string): Rng {
  return seedrandom.alea(`${seed}/${stream}`);
}

/** Exponential variate with the given mean. */
export function exponential(rng: Rng, mean: number): number {
  return -Math.log(1 - rng()) * mean;
}

/** Standard normal variate (Box–Muller, one of the pair). */
export function standardNormal(rng: Rng): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Gamma(shape k, scale θ) variate, Marsaglia–Tsang; for k < 1 uses the k+1 boost.
 */
export function gamma(rng: Rng, shape: number, scale: number): number {
  if (shape < 1) {
    const u = 1 - rng();
    return gamma(rng, shape + 1, scale) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
  }
}

/**
 * A sampler returning `items[i]` with probability `weights[i] / Σ weights` (one draw per call).
 * Throws when the weights do not sum to a positive number.
 */
export function weightedPicker<T>(items: readonly T[], weights: readonly number[], rng: Rng): () => T {
  const total = weights.reduce((s, w) => s + w, 0);
  if (!(total > 0)) throw new RangeError(`weights must sum to > 0, got ${total}`);
  if (items.length === 1) return () => items[0]!;
  return () => items[weightedIndex(rng, weights, total)]!;
}

/** Index drawn from non-negative weights (not necessarily normalised). */
export function weightedIndex(rng: Rng, weights: readonly number[], total?: number): number {
  let sum = total ?? 0;
  if (total === undefined) for (const w of weights) sum += w;
  let r = rng() * sum;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r < 0) return i;
  }
  return weights.length - 1;
}
