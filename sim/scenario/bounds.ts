/**
 * Finite, sensible ranges for every number the user gives (scenario fields, trace rows, flags),
 * and the one mechanism that checks them: {@link outOfRange} says what is wrong with a value,
 * {@link bounded} is the zod builder the scenario schema uses, {@link flagNumber} parses a flag.
 * The message always states the range and the unit (`must be between 1e-6 and 1e6 req/s, got
 * 1e-300`), so the user knows what to write instead.
 *
 * The limits keep a run finite and in memory (an absurd rate, duration or token count used to hang
 * the simulator or crash V8) while staying well clear of real use: Mooncake prompts reach 85k+
 * tokens, fleets serve thousands of req/s, traces span days. README "Ranges" lists them.
 */
import { z } from 'zod';
import { inputError } from '../core/errors.js';

/** An inclusive range of a number, with its unit for messages. */
export interface Range {
  readonly min: number;
  readonly max: number;
  /** Unit in messages ('' for a plain count or factor). */
  readonly unit: string;
  /** Whole numbers only. */
  readonly int?: boolean;
  /** The minimum itself is not allowed (min < v ≤ max). */
  readonly minExclusive?: boolean;
}

const r = (min: number, max: number, unit: string, more: Partial<Range> = {}): Range => ({ min, max, unit, ...more });

/** Most requests one run may generate (requests, rate × duration, a ladder's Σ rate × duration). */
export const MAX_REQUESTS = 1e8;
/** Longest simulated run, seconds (≈ 116 days). */
export const MAX_DURATION_S = 1e7;
/** Most tokens in one prompt or one answer (no model's context comes near; the catalog's longest is 131,072). */
export const MAX_TOKENS = 1e6;
/** Most KV blocks over the whole fleet (replicas × blocks): the simulator keeps ~50 bytes a block. */
export const MAX_FLEET_BLOCKS = 1e8;

/** The ranges, by what they measure. */
export const RANGES = {
  rate: r(1e-6, 1e6, 'req/s'),
  /** A ladder stage may pause (rate 0). */
  stageRate: r(0, 1e6, 'req/s'),
  requests: r(1, MAX_REQUESTS, 'requests', { int: true }),
  duration: r(0, MAX_DURATION_S, 's', { minExclusive: true }),
  /** A time inside a run or a trace (window bounds, spike start, diurnal peak). */
  time: r(0, 1e9, 's'),
  /** Think times and similar waits. */
  wait: r(0, 1e6, 's'),
  tokens: r(1, MAX_TOKENS, 'tokens', { int: true }),
  tokensOrZero: r(0, MAX_TOKENS, 'tokens', { int: true }),
  /** Mean / std of a length distribution. */
  tokenMean: r(0, MAX_TOKENS, 'tokens', { minExclusive: true }),
  tokenStd: r(0, MAX_TOKENS, 'tokens'),
  replicas: r(1, 1000, 'replicas', { int: true }),
  maxNumSeqs: r(1, 65536, 'sequences', { int: true }),
  batchedTokens: r(1, 1e7, 'tokens', { int: true }),
  numGpuBlocks: r(1, 1e7, 'blocks', { int: true }),
  loras: r(0, 4096, 'adapters', { int: true }),
  seed: r(0, 2 ** 32 - 1, '', { int: true }),
  seeds: r(1, 1000, 'seeds', { int: true }),
  /** Offered-load multiplier of a trace or ServeGen replay, or of --rate-scale. */
  rateScale: r(1e-3, 1e3, ''),
  sample: r(0, 1, '(fraction of rows)', { minExclusive: true }),
  loop: r(0, 1000, 'passes', { int: true }),
  jitter: r(0, 3600, 's'),
  /** Weights of a mix (adapters, priorities, empirical lengths, model rewrites). */
  weight: r(0, 1e9, ''),
  multiplier: r(0, 1e3, ''),
  count: r(1, 1e6, '', { int: true }),
  countOrZero: r(0, 1e6, '', { int: true }),
  turns: r(1, 1000, 'turns', { int: true }),
  priority: r(-1e6, 1e6, '', { int: true }),
  /** Milliseconds of gateway / report periods. */
  periodMs: r(0, 3.6e6, 'ms'),
  reportMs: r(1, 3.6e6, 'ms'),
  sloMs: r(0, 3.6e6, 'ms', { minExclusive: true }),
  charsPerToken: r(0, 100, 'chars', { minExclusive: true }),
  /** Step-time coefficients and CPU overheads (µs-scale fits). */
  coefficient: r(0, 1e9, ''),
  /**
   * LoRA load bandwidths. From 1 MB/s: a rank-16 adapter of an 8B model (~50 MB) then loads in
   * under a minute; below, adapter swaps alone push a run to ~1e11 simulated s (or never end).
   */
  bandwidth: r(1e-3, 1e12, 'GB/s'),
  microseconds: r(0, 1e9, 'µs'),
  /**
   * Arrival CV (gamma / Weibull gaps). From 1e-3: gamma's shape is 1/cv², and below ~1e-154 cv² is
   * 0 in doubles (shape ∞, NaN gaps); a CV under 1e-3 is a constant process to within 0.1 %.
   */
  cv: r(1e-3, 100, ''),
} as const satisfies Record<string, Range>;

/** A number as a person writes it: 1e-6, 0.25, 1000, 1e8. */
export function fmtNum(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  const plain = String(n);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) {
    const exp = n.toExponential().replace('e+', 'e');
    return exp.length < plain.length ? exp : plain;
  }
  return plain;
}

/** "between 1e-6 and 1e6 req/s" / "a whole number between 1 and 1e8 requests" / "> 0 and ≤ 1". */
export function rangeText(range: Range): string {
  const unit = range.unit ? ` ${range.unit}` : '';
  const kind = range.int ? 'a whole number ' : '';
  if (range.minExclusive) return `${kind}> ${fmtNum(range.min)} and ≤ ${fmtNum(range.max)}${unit}`;
  return `${kind}between ${fmtNum(range.min)} and ${fmtNum(range.max)}${unit}`;
}

/** "a value between 0 and 1 s" / "a whole number between 1 and 1e8 requests". */
function valueText(range: Range): string {
  return range.int ? rangeText(range) : `a value ${rangeText(range)}`;
}

/** What is wrong with `v` for `range` ("must be between … , got …"), or null when it fits. */
export function outOfRange(v: number, range: Range): string | null {
  const ok =
    Number.isFinite(v) &&
    (range.minExclusive ? v > range.min : v >= range.min) &&
    v <= range.max &&
    (!range.int || Number.isInteger(v));
  return ok ? null : `must be ${rangeText(range)}, got ${fmtNum(v)}`;
}

/** A value inside `range` to suggest in a fix (clamped, rounded for whole numbers). */
function nearestIn(v: number, range: Range): number {
  if (!Number.isFinite(v)) return range.max;
  let x = Math.min(range.max, Math.max(range.min, v));
  if (range.int) x = Math.round(x);
  if (range.minExclusive && x <= range.min) x = range.min === 0 ? Math.min(range.max, range.int ? 1 : 1e-3) : range.min * 1.001;
  return x;
}

/**
 * A zod number limited to `range`; the issue message carries the range and a fix in the
 * `problem (fix: …)` form the scenario loader splits again.
 */
export function bounded(range: Range) {
  return z.number().refine((v) => outOfRange(v, range) === null, {
    error: (iss) => {
      const v = iss.input as number;
      return `${outOfRange(v, range) ?? ''} (fix: use ${valueText(range)}, e.g. ${fmtNum(nearestIn(v, range))})`;
    },
  });
}

/**
 * A numeric command-line flag: the text must be a number inside `range`. `example` goes in the fix.
 * Errors name the flag: `routesim: --jitter: must be between 0 and 3600 s, got 1e300 (fix: …)`.
 */
export function flagNumber(flag: string, text: string, range: Range, example?: string): number {
  const t = text.trim();
  const n = t === '' ? Number.NaN : Number(t);
  const eg = example ?? fmtNum(nearestIn(Number.isFinite(n) ? n : range.min, range));
  if (Number.isNaN(n)) throw inputError(flag, '', `expected a number ${rangeText(range)}, got ${JSON.stringify(text)}`, `pass e.g. ${flag} ${eg}`);
  const problem = outOfRange(n, range);
  if (problem !== null) throw inputError(flag, '', problem, `pass ${valueText(range)}, e.g. ${flag} ${eg}`);
  return n;
}
