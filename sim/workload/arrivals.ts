/**
 * Open-loop arrival processes. Times are absolute seconds (float) from the start of the run; the
 * generator converts each to integer microseconds, so rounding never accumulates.
 *
 * A time-varying rate (stages, spikes, diurnal; spec.RateProfile) uses time rescaling: the process
 * runs at unit rate in "operational time" s and each arrival maps to t = Λ⁻¹(s), Λ(t) = ∫₀ᵗ λ. The
 * gaps keep their shape (CV) while the rate follows λ(t); a constant process puts exactly
 * ∫ λ arrivals in each stage (inference-perf's constant load).
 */
import { exponential, gamma, standardNormal, type Rng } from '../core/rng.js';
import type { ArrivalSpec, RateProfile } from './spec.js';

/** ln Γ(x), x > 0 (Lanczos, g = 7, 9 terms; relative error < 1e-13). */
export function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Coefficient of variation of a Weibull distribution with shape k. */
export function weibullCv(k: number): number {
  const g1 = lnGamma(1 + 1 / k);
  const g2 = lnGamma(1 + 2 / k);
  return Math.sqrt(Math.max(0, Math.exp(g2 - 2 * g1) - 1));
}

/** The Weibull shape k whose CV is `cv` (bisection on ln k; the CV falls as k grows). */
export function weibullShapeForCv(cv: number): number {
  if (!(cv > 0) || !Number.isFinite(cv)) throw new RangeError(`weibull cv must be > 0, got ${cv}`);
  let lo = Math.log(0.02);
  let hi = Math.log(200);
  if (cv >= weibullCv(Math.exp(lo))) return Math.exp(lo);
  if (cv <= weibullCv(Math.exp(hi))) return Math.exp(hi);
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (weibullCv(Math.exp(mid)) > cv) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/** Weibull(shape k, scale λ) variate by inversion. */
export function weibull(rng: Rng, shape: number, scale: number): number {
  return scale * Math.pow(-Math.log(1 - rng()), 1 / shape);
}

/**
 * A sampler of inter-arrival gaps with mean `mean` seconds: exponential (poisson), gamma or Weibull
 * with the given CV, or the constant `mean`.
 */
export function createGapSampler(process: ArrivalSpec['process'], mean: number, cv: number, rng: Rng): () => number {
  switch (process) {
    case 'constant':
      return () => mean;
    case 'poisson':
      return () => exponential(rng, mean);
    case 'gamma': {
      if (!(cv > 0) || !Number.isFinite(cv)) throw new RangeError(`gamma arrival cv must be > 0, got ${cv}`);
      // A tiny CV makes the shape 1/cv² overflow (or the sampler's d·v·scale lose every digit):
      // there gamma is normal to within rounding, mean ± mean·cv.
      if (cv < 1e-6) return () => Math.max(0, mean * (1 + cv * standardNormal(rng)));
      const shape = 1 / (cv * cv);
      const scale = mean / shape;
      return () => gamma(rng, shape, scale);
    }
    case 'weibull': {
      const k = weibullShapeForCv(cv);
      const scale = mean / Math.exp(lnGamma(1 + 1 / k));
      return () => weibull(rng, k, scale);
    }
    case 'source':
      throw new RangeError('arrival process "source": arrival times come from the workload source');
  }
}

/**
 * Returns a function yielding successive absolute arrival times in seconds (Infinity once a rate
 * profile's last stage has ended).
 * - poisson: exponential gaps of mean 1/rate; the first arrival is at the first gap.
 * - gamma / weibull: gaps of mean 1/rate and CV = cv; first at the first gap. (gamma: shape 1/cv²,
 *   scale 1/(rate·shape); weibull: the shape solving CV(k) = cv, scale 1/(rate·Γ(1 + 1/k)).)
 * - constant: arrival n at exactly n/rate (first at 0), computed by multiplication, not summation.
 * With a profile, the same process runs at unit rate in operational time (see the module comment).
 */
export function createArrivalProcess(spec: ArrivalSpec, rng: Rng): () => number {
  const { rate } = spec;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`arrival rate must be > 0, got ${rate}`);
  if (spec.profile) {
    const toTime = createTimeWarp(rate, spec.profile);
    if (spec.process === 'constant') {
      let n = 0;
      return () => toTime(n++);
    }
    const gap = createGapSampler(spec.process, 1, spec.cv, rng);
    let s = 0;
    return () => toTime((s += gap()));
  }
  if (spec.process === 'constant') {
    let n = 0;
    return () => n++ / rate;
  }
  const gap = createGapSampler(spec.process, 1 / rate, spec.cv, rng);
  let t = 0;
  return () => (t += gap());
}

/** Diurnal and spike-free pieces are at most this long, so a diurnal curve is followed closely. */
const DIURNAL_STEP_S = 60;

/**
 * λ(t) as constant pieces [start, end): `meanRate(start, end)` is λ's mean over the piece, exact
 * for stages and spikes and for the diurnal cosine (its integral over the piece).
 */
export function createRateFunction(rate: number, p: RateProfile): { nextBoundary(t: number): number; meanRate(a: number, b: number): number; end: number } {
  const stageEnds: number[] = [];
  let acc = 0;
  for (const s of p.stages) stageEnds.push((acc += s.duration_s));
  const end = p.stages.length > 0 ? acc : Infinity;
  // With stages, `rate` is their time-weighted mean unless changed afterwards (a sweep): then every
  // stage scales by rate / that mean (exactly 1 when unchanged).
  const stageMean = p.stages.length > 0 ? p.stages.reduce((s, x) => s + x.rate * x.duration_s, 0) / acc : rate;
  const k = p.stages.length > 0 && rate !== stageMean ? rate / stageMean : 1;
  const boundaries: number[] = [...stageEnds];
  for (const s of p.spikes) boundaries.push(s.at_s, s.at_s + s.duration_s);
  boundaries.sort((a, b) => a - b);
  const d = p.diurnal;
  const base = (t: number): number => {
    if (p.stages.length === 0) return rate;
    for (let i = 0; i < stageEnds.length; i++) if (t < stageEnds[i]!) return p.stages[i]!.rate * k;
    return 0;
  };
  const spikeAt = (t: number): number => {
    let m = 1;
    for (const s of p.spikes) if (t >= s.at_s && t < s.at_s + s.duration_s) m *= s.multiplier;
    return m;
  };
  return {
    end,
    nextBoundary(t: number): number {
      let nb = d ? (Math.floor(t / DIURNAL_STEP_S + 1e-9) + 1) * DIURNAL_STEP_S : Infinity;
      for (const b of boundaries) {
        if (b > t) {
          nb = Math.min(nb, b);
          break;
        }
      }
      return nb;
    },
    meanRate(a: number, b: number): number {
      let m = base(a) * spikeAt(a);
      if (d && m > 0) {
        const w = (2 * Math.PI) / d.period_s;
        const avgCos = b > a && Number.isFinite(b) ? (Math.sin(w * (b - d.peak_s)) - Math.sin(w * (a - d.peak_s))) / (w * (b - a)) : Math.cos(w * (a - d.peak_s));
        m *= Math.max(0, 1 + d.amplitude * avgCos);
      }
      return m;
    },
  };
}

/** Λ⁻¹: operational time s (non-decreasing across calls) → seconds; Infinity once λ is 0 for good. */
export function createTimeWarp(rate: number, p: RateProfile): (s: number) => number {
  const f = createRateFunction(rate, p);
  let start = 0;
  let end = f.nextBoundary(0);
  let r = f.meanRate(start, end);
  let lamStart = 0;
  return (s: number) => {
    for (;;) {
      if (start >= f.end) return Infinity;
      const lamEnd = lamStart + r * (end - start);
      if (s < lamEnd || (end === Infinity && r > 0)) return r > 0 ? start + (s - lamStart) / r : start;
      if (end === Infinity) return Infinity;
      lamStart = lamEnd;
      start = end;
      end = f.nextBoundary(start);
      r = f.meanRate(start, end);
    }
  };
}
