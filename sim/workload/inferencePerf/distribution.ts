/**
 * inference-perf's `Distribution` (formats.md §1.2): parsing with its defaults (min 10, max 1024,
 * mean 512, std_dev 200, applied even when omitted) and its two samplers. Both round, then clamp
 * to [min, max] (mass piles on the bounds; no resampling); `fixed` is int(mean), unclamped.
 * - A (shared_prefix, conversation_replay): normal, moment-matched lognormal, uniform integers
 *   on [min, max] (U[min, max + 1) floored), skew_normal (mean + sd·z, Azzalini), poisson.
 * - B (random, synthetic): normal (mean must lie in [min, max]), lognormal matched to
 *   (mean − min, sd) then + min, uniform on [min, max); skew_normal and poisson are errors.
 */
import { standardNormal, type Rng } from '../../core/rng.js';
import { RANGES } from '../../scenario/bounds.js';
import { lognormalParams } from '../distributions.js';
import type { Fields, Obj } from './fields.js';

export const DIST_TYPES = ['normal', 'skew_normal', 'lognormal', 'uniform', 'poisson', 'fixed'] as const;
export type DistType = (typeof DIST_TYPES)[number];

export interface IpDist {
  readonly type: DistType;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly std_dev: number;
  readonly skew: number;
  readonly total_count: number | null;
}

export type Sampler = 'A' | 'B';

const KEYS = ['type', 'min', 'max', 'mean', 'std_dev', 'variance', 'skew', 'total_count'];
const STD_FIX = 'write std_dev (inference-perf has no key std: its current version rejects it and v0.6.1 silently ran std_dev 200)';

/** A `fixed` distribution of `n` (an int length given where a Distribution may be). */
export function fixedDist(n: number): IpDist {
  return { type: 'fixed', min: 10, max: 1024, mean: n, std_dev: 0, skew: 0, total_count: null };
}

/** Parses a Distribution mapping at `path`; sampler B rejects the types it does not have. */
export function parseDist(f: Fields, v: unknown, path: string, sampler: Sampler): IpDist {
  const o: Obj = f.mapping(v, path, KEYS, {}, { std: STD_FIX });
  const type = (o.type ?? 'normal') as DistType;
  if (!DIST_TYPES.includes(type)) throw f.fail(`${path}.type`, `unknown distribution type ${JSON.stringify(o.type)}`, `use one of ${DIST_TYPES.join(', ')}`);
  if (sampler === 'B' && (type === 'skew_normal' || type === 'poisson')) throw f.fail(`${path}.type`, `${type} is not available for random/synthetic data (inference-perf rejects it)`, 'use normal, lognormal, uniform or fixed');
  const min = f.ranged(o, 'min', path, RANGES.tokensOrZero, 10);
  const max = f.ranged(o, 'max', path, RANGES.tokensOrZero, 1024);
  const mean = f.ranged(o, 'mean', path, { ...RANGES.tokensOrZero, int: false }, 512);
  let sd = f.ranged(o, 'std_dev', path, RANGES.tokenStd, 200);
  if (o.variance !== undefined) {
    if (sd !== 0) throw f.fail(`${path}.variance`, 'variance is only accepted together with std_dev: 0', 'give std_dev: 0 beside variance, or drop variance');
    sd = Math.sqrt(f.num(o, 'variance', path, { min: 0 }));
  }
  if (min > max) throw f.fail(`${path}.max`, `max ${max} is below min ${min}`, 'make max ≥ min');
  if (sampler === 'B' && type === 'normal' && (mean < min || mean > max)) throw f.fail(`${path}.mean`, `mean ${mean} is outside [min, max] = [${min}, ${max}]`, 'give a mean between min and max');
  if (type === 'lognormal' && !(sampler === 'A' ? mean > 0 : mean > min)) throw f.fail(`${path}.mean`, `a lognormal needs mean > ${sampler === 'A' ? 0 : 'min'}`, 'raise the mean');
  if (type === 'poisson' && !(mean >= 0)) throw f.fail(`${path}.mean`, 'a poisson needs mean ≥ 0', 'give mean ≥ 0');
  const total = o.total_count === undefined ? null : f.num(o, 'total_count', path, { min: 1, int: true });
  return { type, min, max, mean, std_dev: sd, skew: f.num(o, 'skew', path, { dflt: 0 }), total_count: total };
}

/** Poisson(mean) by Knuth's product method on pieces of mean ≤ 30 (sums of Poissons are Poisson). */
export function poisson(rng: Rng, mean: number): number {
  let k = 0;
  let left = mean;
  while (left > 0) {
    const m = Math.min(30, left);
    left -= m;
    const limit = Math.exp(-m);
    let p = rng();
    while (p > limit) {
      k++;
      p *= rng();
    }
  }
  return k;
}

/** Azzalini skew-normal variate with shape `alpha` (location 0, scale 1). */
function skewNormal(rng: Rng, alpha: number): number {
  const delta = alpha / Math.sqrt(1 + alpha * alpha);
  const u0 = standardNormal(rng);
  const u1 = standardNormal(rng);
  return delta * Math.abs(u0) + Math.sqrt(1 - delta * delta) * u1;
}

function clampRound(x: number, d: IpDist): number {
  return Math.min(d.max, Math.max(d.min, Math.round(x)));
}

/** One draw with sampler `s` (an integer; may be < 1 only for `fixed`). */
export function sample(d: IpDist, s: Sampler, rng: Rng): number {
  switch (d.type) {
    case 'fixed':
      return Math.trunc(d.mean);
    case 'normal':
      return clampRound(d.mean + d.std_dev * standardNormal(rng), d);
    case 'lognormal': {
      const base = s === 'A' ? 0 : d.min;
      const { mu, sigma } = lognormalParams(d.mean - base, d.std_dev);
      return clampRound(base + Math.exp(mu + sigma * standardNormal(rng)), d);
    }
    case 'uniform':
      // A: integers uniform on [min, max] (numpy randint(min, max + 1)); B: round(U[min, max)).
      return s === 'A' ? Math.min(d.max, d.min + Math.floor(rng() * (d.max - d.min + 1))) : clampRound(d.min + rng() * (d.max - d.min), d);
    case 'skew_normal':
      return clampRound(d.mean + d.std_dev * skewNormal(rng, d.skew), d);
    case 'poisson':
      return clampRound(poisson(rng, d.mean), d);
  }
}
