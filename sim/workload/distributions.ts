/**
 * Token-length distributions (inference-perf `synthetic` / BLIS length specs, workloads.md §1–2).
 * Every sample is an integer ≥ 1.
 */
import { standardNormal, weightedIndex, type Rng } from '../core/rng.js';
import type { DurationDist, LengthDist } from './spec.js';

/** Clamp `x` to [lo, hi], round to an integer, and never return less than 1. */
function clipRound(x: number, lo: number, hi: number): number {
  const v = Math.round(Math.min(hi, Math.max(lo, x)));
  return v < 1 ? 1 : v;
}

/** Lognormal (mu, sigma) of the underlying normal, from the mean and std of the lengths themselves. */
export function lognormalParams(mean: number, std: number): { mu: number; sigma: number } {
  const sigma2 = Math.log(1 + (std * std) / (mean * mean));
  return { mu: Math.log(mean) - sigma2 / 2, sigma: Math.sqrt(sigma2) };
}

/** Draw one length (integer ≥ 1) from `dist`. */
export function sampleLength(dist: LengthDist, rng: Rng): number {
  switch (dist.kind) {
    case 'constant':
      return Math.max(1, Math.round(dist.value));
    case 'uniform': {
      const lo = Math.ceil(dist.min);
      const hi = Math.floor(dist.max);
      return Math.max(1, lo + Math.floor(rng() * (hi - lo + 1)));
    }
    case 'normal':
      return clipRound(dist.mean + dist.std * standardNormal(rng), dist.min, dist.max);
    case 'lognormal': {
      const { mu, sigma } = lognormalParams(dist.mean, dist.std);
      return clipRound(Math.exp(mu + sigma * standardNormal(rng)), dist.min, dist.max);
    }
    case 'empirical':
      return Math.max(1, Math.round(dist.values[weightedIndex(rng, dist.weights)]!));
  }
}

/**
 * Mean of `dist`: exact for constant, uniform (over its integers) and empirical; for normal and
 * lognormal the unclipped, unrounded `mean` parameter.
 */
export function meanOfLength(dist: LengthDist): number {
  switch (dist.kind) {
    case 'constant':
      return dist.value;
    case 'uniform':
      return (Math.ceil(dist.min) + Math.floor(dist.max)) / 2;
    case 'normal':
    case 'lognormal':
      return dist.mean;
    case 'empirical': {
      let sw = 0;
      let s = 0;
      dist.values.forEach((v, i) => {
        const w = dist.weights[i] ?? 0;
        sw += w;
        s += w * v;
      });
      return s / sw;
    }
  }
}

/** Draw one duration in seconds (≥ 0) from `dist` (think times). */
export function sampleDuration(dist: DurationDist, rng: Rng): number {
  switch (dist.kind) {
    case 'constant':
      return dist.value;
    case 'exponential':
      return -Math.log(1 - rng()) * dist.mean;
    case 'uniform':
      return dist.min + rng() * (dist.max - dist.min);
    case 'lognormal': {
      const { mu, sigma } = lognormalParams(dist.mean, dist.std);
      return Math.exp(mu + sigma * standardNormal(rng));
    }
  }
}

/** Mean of a duration distribution, seconds. */
export function meanOfDuration(dist: DurationDist): number {
  switch (dist.kind) {
    case 'constant':
      return dist.value;
    case 'exponential':
    case 'lognormal':
      return dist.mean;
    case 'uniform':
      return (dist.min + dist.max) / 2;
  }
}
