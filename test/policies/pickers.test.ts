/**
 * Pickers (epp.md §1.5, §2.7): max-score, random, weighted-random with maxNumOfEndpoints. Draws
 * come from a seeded stream, so the statistical checks are deterministic; each tolerance is about
 * five standard deviations of the sample proportion sqrt(p(1−p)/n), so a correct implementation
 * fails with probability < 1e-5 for a fresh seed, while a wrong distribution (e.g. uniform instead of
 * proportional, off by ≥ 0.08) cannot pass.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Picker, ScoredEndpoint } from '../../policies/framework/types.js';
import { maxScorePicker } from '../../policies/plugins/picker/maxScore.js';
import { randomPicker } from '../../policies/plugins/picker/random.js';
import { shuffleInPlace } from '../../policies/plugins/picker/shuffle.js';
import { weightedRandomPicker } from '../../policies/plugins/picker/weightedRandom.js';
import { build, ctx, ep, names, scored, scripted, seeded } from './loadFixtures.js';

const pickers = { 'max-score-picker': maxScorePicker, 'random-picker': randomPicker, 'weighted-random-picker': weightedRandomPicker };

/** Frequency of each first pick over `n` picks with one seeded stream. */
function frequencies(p: Picker, input: ScoredEndpoint[], n: number, seed: string): Record<string, number> {
  const c = ctx({ rng: seeded(seed) });
  const counts: Record<string, number> = {};
  for (const s of input) counts[s.endpoint.name] = 0;
  for (let i = 0; i < n; i++) counts[p.pick(c, input).targetEndpoints[0]!.name]!++;
  for (const k of Object.keys(counts)) counts[k]! /= n;
  return counts;
}

describe('shuffle', () => {
  it('Fisher–Yates from the top: draws j_i = ⌊u·(i+1)⌋ for i = n−1 … 1', () => {
    // [a b c d], u = 0 → j=0 swap(3,0): [d b c a]; u = 0.99 → j=⌊2.97⌋=2 swap(2,2); u = 0.5 → j=1 swap(1,1) → [d b c a]
    expect(shuffleInPlace(['a', 'b', 'c', 'd'], scripted(0, 0.99, 0.5))).toEqual(['d', 'b', 'c', 'a']);
  });
  it('is a permutation', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.string(), (xs, seed) => {
        expect(shuffleInPlace(xs.slice(), seeded(seed)).sort()).toEqual(xs.slice().sort());
      }),
    );
  });
});

describe('max-score-picker', () => {
  const [a, b, c, d] = [ep('a'), ep('b'), ep('c'), ep('d')];
  it('picks the highest total', () => {
    // the §1.4 worked example: 4.45 / 3.40 / 3.20 → A
    const p = build<Picker>(maxScorePicker);
    expect(names(p.pick(ctx({ rng: seeded('x') }), scored([[b, 3.4], [a, 4.45], [c, 3.2]])).targetEndpoints)).toEqual(['a']);
  });
  it('maxNumOfEndpoints 3 returns the best three in descending order', () => {
    const p = build<Picker>(maxScorePicker, { maxNumOfEndpoints: 3 });
    expect(names(p.pick(ctx({ rng: seeded('x') }), scored([[a, 0.1], [b, 0.9], [c, 0.5], [d, 0.7]])).targetEndpoints)).toEqual(['b', 'd', 'c']);
  });
  it('maxNumOfEndpoints ≤ 0 means 1', () => {
    for (const n of [0, -3]) {
      const p = build<Picker>(maxScorePicker, { maxNumOfEndpoints: n });
      expect(p.pick(ctx({ rng: seeded('x') }), scored([[a, 1], [b, 2]])).targetEndpoints).toHaveLength(1);
    }
  });
  it('ties at the top break uniformly (3 tied → 1/3 each, ±0.015 ≈ 5.5σ at n = 30000); a lower score is never picked', () => {
    const f = frequencies(build(maxScorePicker), scored([[a, 2], [b, 2], [c, 1.9], [d, 2]]), 30000, 'ties');
    expect(f.c).toBe(0);
    for (const k of ['a', 'b', 'd']) expect(Math.abs(f[k]! - 1 / 3)).toBeLessThan(0.015);
  });
  it('with maxNumOfEndpoints 2, both orders of two tied leaders occur equally (±0.02 at n = 20000)', () => {
    const p = build<Picker>(maxScorePicker, { maxNumOfEndpoints: 2 });
    const cx = ctx({ rng: seeded('order') });
    let abFirst = 0;
    for (let i = 0; i < 20000; i++) {
      const got = names(p.pick(cx, scored([[c, 0], [a, 5], [b, 5]])).targetEndpoints);
      expect(got.slice().sort()).toEqual(['a', 'b']);
      if (got[0] === 'a') abFirst++;
    }
    expect(Math.abs(abFirst / 20000 - 0.5)).toBeLessThan(0.02);
  });
});

describe('random-picker', () => {
  const es = [ep('a'), ep('b'), ep('c'), ep('d')];
  it('ignores scores: uniform over 4 (1/4 each, ±0.011 ≈ 5σ at n = 40000)', () => {
    const f = frequencies(build(randomPicker), scored(es.map((e, i) => [e, i * 10] as [typeof e, number])), 40000, 'rnd');
    for (const k of ['a', 'b', 'c', 'd']) expect(Math.abs(f[k]! - 0.25)).toBeLessThan(0.011);
  });
  it('maxNumOfEndpoints larger than the set returns every endpoint once', () => {
    const p = build<Picker>(randomPicker, { maxNumOfEndpoints: 10 });
    expect(names(p.pick(ctx({ rng: seeded('all') }), scored(es.map((e) => [e, 0] as [typeof e, number]))).targetEndpoints).sort()).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });
});

describe('weighted-random-picker (A-Res)', () => {
  const [a, b, c, d] = [ep('a'), ep('b'), ep('c'), ep('d')];
  it('P(pick i) = score_i / Σ: scores 1, 2, 3 → 1/6, 1/3, 1/2 (±0.01 ≈ 5σ at n = 60000)', () => {
    const f = frequencies(build(weightedRandomPicker), scored([[a, 1], [b, 2], [c, 3]]), 60000, 'wr');
    expect(Math.abs(f.a! - 1 / 6)).toBeLessThan(0.01);
    expect(Math.abs(f.b! - 1 / 3)).toBeLessThan(0.01);
    expect(Math.abs(f.c! - 1 / 2)).toBeLessThan(0.01);
  });
  it('the first of maxNumOfEndpoints 2 follows the same law, and the second is a different endpoint', () => {
    const p = build<Picker>(weightedRandomPicker, { maxNumOfEndpoints: 2 });
    const cx = ctx({ rng: seeded('wr2') });
    const first: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 60000; i++) {
      const got = names(p.pick(cx, scored([[a, 1], [b, 2], [c, 3]])).targetEndpoints);
      expect(new Set(got).size).toBe(2);
      first[got[0]!]!++;
    }
    expect(Math.abs(first.a! / 60000 - 1 / 6)).toBeLessThan(0.01);
    expect(Math.abs(first.c! / 60000 - 1 / 2)).toBeLessThan(0.01);
  });
  it('score ≤ 0 gets key 0: never picked first while some score is > 0', () => {
    const f = frequencies(build(weightedRandomPicker), scored([[a, 0], [b, 0.5], [c, -1]]), 2000, 'zero');
    expect(f).toEqual({ a: 0, b: 1, c: 0 });
    const p = build<Picker>(weightedRandomPicker, { maxNumOfEndpoints: 2 });
    expect(names(p.pick(ctx({ rng: seeded('z2') }), scored([[a, 0], [b, 4]])).targetEndpoints)).toEqual(['b', 'a']);
  });
  it('quirk kept from Go math.Pow: a tiny score underflows its key to 0 and then ties with the zero scores', () => {
    // b: score 0.001 → key u^1000, which underflows to 0 (below 4.9e-324) when u < e^(−744.44/1000) ≈ 0.4750.
    // So b wins outright with P = 0.525, else all three keys are 0 and the tie is uniform:
    // P(b) = 0.525 + 0.475/3 ≈ 0.6833, P(a) = P(c) ≈ 0.1583 (±0.016 ≈ 5σ at n = 20000).
    const f = frequencies(build(weightedRandomPicker), scored([[a, 0], [b, 0.001], [c, -1]]), 20000, 'underflow');
    expect(Math.abs(f.b! - (0.525 + 0.475 / 3))).toBeLessThan(0.016);
    expect(Math.abs(f.a! - 0.475 / 3)).toBeLessThan(0.016);
  });
  it('no score > 0 → uniform like random-picker (±0.011 at n = 40000)', () => {
    const f = frequencies(build(weightedRandomPicker), scored([[a, 0], [b, 0], [c, -2], [d, 0]]), 40000, 'allzero');
    for (const k of ['a', 'b', 'c', 'd']) expect(Math.abs(f[k]! - 0.25)).toBeLessThan(0.011);
  });
  it('u = 0 is replaced by 1e-10 (key 1e-10 beats u = 1e-12 at equal scores)', () => {
    // a: u = 0 → 1e-10, key (1e-10)^(1/1) = 1e-10; b: u = 1e-12 → key 1e-12 → a wins.
    // Without the replacement a's key would be 0 and b would win.
    const p = build<Picker>(weightedRandomPicker);
    expect(names(p.pick(ctx({ rng: scripted(0, 1e-12) }), scored([[a, 1], [b, 1]])).targetEndpoints)).toEqual(['a']);
  });
  it('key = u^(1/score): u_a = 0.25 at score 0.5 → 0.0625 loses to u_b = 0.09 at score 2 → 0.3', () => {
    const p = build<Picker>(weightedRandomPicker);
    expect(names(p.pick(ctx({ rng: scripted(0.25, 0.09) }), scored([[a, 0.5], [b, 2]])).targetEndpoints)).toEqual(['b']);
    // and u_a = 0.81 at score 0.5 → 0.6561 beats 0.3
    expect(names(p.pick(ctx({ rng: scripted(0.81, 0.09) }), scored([[a, 0.5], [b, 2]])).targetEndpoints)).toEqual(['a']);
  });
});

describe('picker properties', () => {
  it('return min(N, n) distinct members of the input; max-score returns them in descending score with the maximum first', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 10, noNaN: true }), { maxLength: 12 }),
        fc.integer({ min: -2, max: 6 }),
        fc.constantFrom(...(Object.keys(pickers) as (keyof typeof pickers)[])),
        fc.string(),
        (scores, n, type, seed) => {
          const input = scored(scores.map((s, i) => [ep(`e${i}`), s]));
          const p = build<Picker>(pickers[type], { maxNumOfEndpoints: n });
          const got = p.pick(ctx({ rng: seeded(seed) }), input).targetEndpoints;
          const want = Math.min(n > 0 ? n : 1, input.length);
          expect(got).toHaveLength(want);
          expect(new Set(got).size).toBe(got.length);
          for (const e of got) expect(input.some((s) => s.endpoint === e)).toBe(true);
          if (type === 'max-score-picker' && got.length > 0) {
            const scoreOf = (name: string) => input.find((s) => s.endpoint.name === name)!.score;
            const s = got.map((e) => scoreOf(e.name));
            expect(s[0]).toBe(Math.max(...scores));
            for (let i = 1; i < s.length; i++) expect(s[i]!).toBeLessThanOrEqual(s[i - 1]!);
          }
        },
      ),
    );
  });
});
