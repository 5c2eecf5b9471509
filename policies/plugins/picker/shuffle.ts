/**
 * Shared picker machinery (GAIE `picker/common.go`, `epp.md` §1.5/§2.7). Production shuffles the
 * candidates with a wall-clock-seeded PCG and stable-sorts; here every draw comes from ctx.rng, so a
 * seed reproduces a run, and ties still break uniformly at random.
 */
import { z } from 'zod';
import type { ProfileRunResult, SchedEndpoint, ScoredEndpoint } from '../../framework/types.js';

/** In-place Fisher–Yates shuffle, the shape of Go's rand.Shuffle (i from n−1 down to 1). */
export function shuffleInPlace<T>(a: T[], rng: () => number): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

/** `maxNumOfEndpoints` (default 1; ≤ 0 → 1 as in production). */
export const pickerParams = z.strictObject({
  maxNumOfEndpoints: z
    .number()
    .int()
    .default(1)
    .describe('How many endpoints to return, best first (the extra ones are fallbacks for the proxy); ≤ 0 → 1.'),
});

export const effectiveMaxEndpoints = (n: number): number => (n > 0 ? n : 1);

export function result(endpoints: readonly SchedEndpoint[]): ProfileRunResult {
  return { targetEndpoints: endpoints };
}

/**
 * N endpoints uniformly at random without replacement (the random picker's "shuffle, first N"):
 * a partial Fisher–Yates, which draws the same distribution with min(N, n) draws.
 */
export function randomN(scored: readonly ScoredEndpoint[], n: number, rng: () => number): ProfileRunResult {
  const len = scored.length;
  if (len === 0) return result([]);
  if (n === 1) return result([scored[Math.floor(rng() * len)]!.endpoint]);
  const a = scored.slice();
  const k = Math.min(n, len);
  const out: SchedEndpoint[] = [];
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (len - i));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
    out.push(a[i]!.endpoint);
  }
  return result(out);
}
