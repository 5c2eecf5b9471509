/**
 * Open-loop arrival processes. Times are absolute seconds (float) from the start of the run; the
 * generator converts each to integer microseconds, so rounding never accumulates.
 */
import { exponential, gamma, type Rng } from '../core/rng.js';
import type { ArrivalSpec } from './spec.js';

/**
 * Returns a function yielding successive absolute arrival times in seconds.
 * - poisson: exponential gaps of mean 1/rate; the first arrival is at the first gap.
 * - gamma: gamma gaps, shape k = 1/cv², scale 1/(rate·k) (mean 1/rate, CV = cv); first at the first gap.
 * - constant: arrival n at exactly n/rate (first at 0), computed by multiplication, not summation.
 */
export function createArrivalProcess(spec: ArrivalSpec, rng: Rng): () => number {
  const { rate } = spec;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`arrival rate must be > 0, got ${rate}`);
  const mean = 1 / rate;
  switch (spec.process) {
    case 'constant': {
      let n = 0;
      return () => n++ / rate;
    }
    case 'poisson': {
      let t = 0;
      return () => (t += exponential(rng, mean));
    }
    case 'gamma': {
      const { cv } = spec;
      if (!(cv > 0) || !Number.isFinite(cv)) throw new RangeError(`gamma arrival cv must be > 0, got ${cv}`);
      const shape = 1 / (cv * cv);
      const scale = mean / shape;
      let t = 0;
      return () => (t += gamma(rng, shape, scale));
    }
  }
}
