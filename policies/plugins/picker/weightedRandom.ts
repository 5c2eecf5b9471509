/**
 * `weighted-random-picker` (GAIE v1.5.0 `picker/weighted_random_picker.go`, `epp.md` §2.7): if no
 * total score is > 0, behaves as the random picker. Otherwise A-Res (Efraimidis–Spirakis): each
 * endpoint gets the key `u^(1/score)` with u uniform in [0, 1) (u = 0 → 1e-10), score ≤ 0 → key 0;
 * the keys are sorted descending and the first maxNumOfEndpoints returned. For one endpoint,
 * P(pick i) = score_i / Σ scores — except that, as with Go's math.Pow, the key of a very small score
 * (e.g. 0.001: u^1000) underflows to 0 for most u and then ties with the zero-score endpoints.
 */
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Picker, ProfileRunResult, ScoredEndpoint } from '../../framework/types.js';
import { effectiveMaxEndpoints, pickerParams, randomN, result, shuffleInPlace } from './shuffle.js';

function aResKey(score: number, rng: () => number): number {
  if (!(score > 0)) return 0;
  let u = rng();
  if (u === 0) u = 1e-10;
  return Math.pow(u, 1 / score);
}

export class WeightedRandomPicker implements Picker {
  readonly type = 'weighted-random-picker';
  readonly maxNumOfEndpoints: number;
  constructor(readonly name: string, maxNumOfEndpoints: number) {
    this.maxNumOfEndpoints = effectiveMaxEndpoints(maxNumOfEndpoints);
  }

  pick(ctx: CycleContext, scored: readonly ScoredEndpoint[]): ProfileRunResult {
    let anyPositive = false;
    for (const s of scored) if (s.score > 0) anyPositive = true;
    if (!anyPositive) return randomN(scored, this.maxNumOfEndpoints, ctx.rng);
    if (this.maxNumOfEndpoints === 1) {
      // The largest key; endpoints with equal keys (only possible when keys underflow to 0) are
      // chosen uniformly by reservoir sampling, as a shuffle + stable sort would.
      let best = scored[0]!;
      let bestKey = aResKey(best.score, ctx.rng);
      let ties = 1;
      for (let i = 1; i < scored.length; i++) {
        const s = scored[i]!;
        const k = aResKey(s.score, ctx.rng);
        if (k > bestKey) {
          best = s;
          bestKey = k;
          ties = 1;
        } else if (k === bestKey) {
          ties++;
          if (ctx.rng() * ties < 1) best = s;
        }
      }
      return result([best.endpoint]);
    }
    const keyed = shuffleInPlace(scored.slice(), ctx.rng).map((s) => ({ s, key: aResKey(s.score, ctx.rng) }));
    keyed.sort((a, b) => b.key - a.key);
    return result(keyed.slice(0, this.maxNumOfEndpoints).map((k) => k.s.endpoint));
  }
}

export const weightedRandomPicker: PluginDefinition<typeof pickerParams> = {
  type: 'weighted-random-picker',
  kinds: ['Picker'],
  source: 'GAIE v1.5.0',
  description:
    'Random in proportion to the total score (A-Res keys u^(1/score), u = 0 → 1e-10, score ≤ 0 → key 0; largest keys win): for one endpoint P(i) = score_i/Σ scores (the key of a tiny score underflows to 0, as in Go). All scores ≤ 0 → uniform random.',
  params: pickerParams,
  create: (name, p) => new WeightedRandomPicker(name, p.maxNumOfEndpoints),
};
