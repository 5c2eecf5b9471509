import { describe, expect, it } from 'vitest';
import { createGapSampler } from '../sim/workload/arrivals.js';
import { createRng } from '../sim/core/rng.js';

describe('gamma gap sampler at extreme CVs', () => {
  it('gives finite gaps at the mean when 1/cv² overflows (cv 1e-160: cv² = 1e-320, shape ∞)', () => {
    const gap = createGapSampler('gamma', 2, 1e-160, createRng(1, 'g'));
    for (let i = 0; i < 100; i++) {
      const g = gap();
      // mean ± mean·cv = 2 ± 2e-160: 2 to within a double's rounding.
      expect(g).toBe(2);
    }
  });
  it('keeps the mean at cv 1e-3 (shape 1e6)', () => {
    const gap = createGapSampler('gamma', 1, 1e-3, createRng(1, 'g'));
    let sum = 0;
    for (let i = 0; i < 1000; i++) sum += gap();
    // Gaps are 1 ± 0.001 each: the mean of 1000 is within 1e-3 of 1 (≈ 3e-5 s.d.).
    expect(Math.abs(sum / 1000 - 1)).toBeLessThan(1e-3);
  });
});
