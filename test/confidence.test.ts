/** Student's t, confidence intervals over seeds and paired comparisons (reports/confidence.ts, significance.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { figureStats, incompleteBeta, studentTCritical, studentTTwoSidedP } from '../reports/confidence.js';
import { alignFigures, flattenFigures, resolveFigureAlias } from '../reports/figures.js';
import { comparePolicies, pairedTest } from '../reports/significance.js';

describe("Student's t distribution", () => {
  it.each([
    // Two-sided 95 % critical values t(0.975, df) from the standard table (e.g. NIST/SEMATECH 1.3.6.7.2).
    [1, 12.7062],
    [2, 4.3027],
    [3, 3.1824],
    [4, 2.7764],
    [9, 2.2622],
    [10, 2.2281],
    [30, 2.0423],
    [1_000_000, 1.96],
  ])('t(0.975, %i) = %f', (df, t) => {
    expect(studentTCritical(df)).toBeCloseTo(t, 4);
  });

  it('99 % critical values too', () => {
    // t(0.995, 4) = 4.6041, t(0.995, 20) = 2.8453.
    expect(studentTCritical(4, 0.99)).toBeCloseTo(4.6041, 4);
    expect(studentTCritical(20, 0.99)).toBeCloseTo(2.8453, 4);
  });

  it('matches the closed forms for 1 and 2 degrees of freedom (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e3, noNaN: true }), (t) => {
        // df = 1 (Cauchy): P(|T| ≥ t) = 1 − (2/π)·atan t.  df = 2: P(|T| ≥ t) = 1 − t/√(2 + t²).
        // To 5e-8: near t = 0 the incomplete beta rounds to exactly 1 while the closed form is
        // 1 − 4.5e-9 (fast-check found t = 7.07e-9, off by 5.0000001e-9 against a 5e-9 tolerance).
        expect(studentTTwoSidedP(t, 1)).toBeCloseTo(1 - (2 / Math.PI) * Math.atan(t), 7);
        expect(studentTTwoSidedP(t, 2)).toBeCloseTo(1 - t / Math.sqrt(2 + t * t), 7);
      }),
    );
  });

  it('the incomplete beta function has its symmetric and known values', () => {
    // I_x(1, 1) = x;  I_x(a, b) = 1 − I_{1−x}(b, a);  I_x(2, 1) = x².
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(incompleteBeta(0.3, 2, 1)).toBeCloseTo(0.09, 12);
    expect(incompleteBeta(0.8, 3.5, 0.5) + incompleteBeta(0.2, 0.5, 3.5)).toBeCloseTo(1, 12);
    expect(incompleteBeta(0, 2, 3)).toBe(0);
    expect(incompleteBeta(1, 2, 3)).toBe(1);
  });
});

describe('figure statistics over seeds', () => {
  it('mean and 95 % CI, derived by hand', () => {
    // [1, 2, 3, 4, 5]: mean 3, sample std √2.5 = 1.5811, half-width t(0.975, 4)·std/√5
    // = 2.776445 · √0.5 = 1.963224 → [1.0368, 4.9632].
    expect(figureStats([1, 2, 3, 4, 5])).toEqual({ n: 5, mean: 3, std: 1.5811, ci95_low: 1.0368, ci95_high: 4.9632 });
  });

  it('leaves out nulls and has no interval below two values', () => {
    expect(figureStats([null, 7, null])).toEqual({ n: 1, mean: 7, std: null, ci95_low: null, ci95_high: null });
    expect(figureStats([null])).toEqual({ n: 0, mean: null, std: null, ci95_low: null, ci95_high: null });
  });

  it('the interval contains the mean, shifts with the data and scales with it (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -10_000, max: 10_000 }), { minLength: 2, maxLength: 12 }),
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 1, max: 20 }),
        (xs, shift, k) => {
          const s = figureStats(xs);
          expect(s.ci95_low!).toBeLessThanOrEqual(s.mean!);
          expect(s.ci95_high!).toBeGreaterThanOrEqual(s.mean!);
          const shifted = figureStats(xs.map((x) => x + shift));
          expect(shifted.ci95_low!).toBeCloseTo(s.ci95_low! + shift, 2);
          const scaled = figureStats(xs.map((x) => x * k));
          expect(scaled.ci95_high! - scaled.ci95_low!).toBeCloseTo((s.ci95_high! - s.ci95_low!) * k, 1);
        },
      ),
    );
  });
});

describe('paired comparison over seeds', () => {
  it('golden: differences [2, 4, 6]', () => {
    // Mean 4, std 2, standard error 2/√3 = 1.1547; t = 3.4641 with 2 df;
    // p = 1 − t/√(2 + t²) = 1 − 3.4641/3.7417 = 0.0742 (not significant at 0.05);
    // half-width t(0.975, 2)·SE = 4.3027 · 1.1547 = 4.9683 → CI [−0.9683, 8.9683].
    const t = pairedTest([2, 4, 6]);
    expect(t.meanDiff).toBe(4);
    expect(t.p).toBeCloseTo(0.0742, 4);
    expect(t.ciLow).toBeCloseTo(-0.9683, 4);
    expect(t.ciHigh).toBeCloseTo(8.9683, 4);
  });

  it('a constant shift is certain, no difference is not', () => {
    expect(pairedTest([3, 3, 3]).p).toBe(0);
    expect(pairedTest([0, 0, 0]).p).toBe(1);
    expect(pairedTest([5]).p).toBeNull();
  });

  it('compares every pair of policies, b − a per seed, and flags p < 0.05', () => {
    const seed = (ttft: number, good: number) => new Map<string, number | null>([['ttft_ms.p99', ttft], ['goodput.requests_per_s', good]]);
    const perSeed = new Map([
      ['a', [seed(100, 10), seed(110, 10), seed(90, 10)]],
      // b: TTFT +10, +11, +9 over a (mean 10, std 1: significant); goodput +1, −1, 0 (mean 0: not).
      ['b', [seed(110, 11), seed(121, 9), seed(99, 10)]],
    ]);
    const out = comparePolicies(['a', 'b'], perSeed, ['ttft_ms.p99', 'goodput.requests_per_s']);
    expect(out.map((c) => [c.figure, c.a, c.b, c.mean_diff, c.significant])).toEqual([
      ['ttft_ms.p99', 'a', 'b', 10, true],
      ['goodput.requests_per_s', 'a', 'b', 0, false],
    ]);
    // t = 10 / (1/√3) = 17.3205 with 2 df: p = 1 − 17.3205/√(2 + 300) = 1 − 17.3205/17.3781 = 0.003317.
    expect(out[0]!.p_value).toBeCloseTo(0.003317, 6);
  });
});

describe('figures', () => {
  it('flattens a summary into dot paths, arrays by index, skipping strings', () => {
    const f = flattenFigures({ completed: 3, ttft_ms: { p99: 1.5, mean: null }, replicas: [{ name: 'r0', share: 0.5 }], note: 'x' });
    expect([...f]).toEqual([
      ['completed', 3],
      ['ttft_ms.p99', 1.5],
      ['ttft_ms.mean', null],
      ['replicas.0.share', 0.5],
    ]);
  });

  it('a key absent from one seed (a rejection reason that did not happen) counts as 0', () => {
    const { paths, values } = alignFigures([flattenFigures({ rejected_by_reason: { x: 2 } }), flattenFigures({ rejected_by_reason: {} })]);
    expect(paths).toEqual(['rejected_by_reason.x']);
    expect(values('rejected_by_reason.x')).toEqual([2, 0]);
  });

  it('resolves short names', () => {
    expect(resolveFigureAlias('ttft.p99')).toBe('ttft_ms.p99');
    expect(resolveFigureAlias('goodput')).toBe('goodput.requests_per_s');
    expect(resolveFigureAlias('e2e_ms.p50')).toBe('e2e_ms.p50');
    expect(resolveFigureAlias('throughput.output_tokens_per_s')).toBe('throughput.output_tokens_per_s');
  });
});
