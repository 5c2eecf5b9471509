/**
 * `max-score-picker` (GAIE v1.5.0 `picker/max_score_picker.go`, `epp.md` §2.7): shuffle the
 * candidates, stable-sort by descending total score, return the first maxNumOfEndpoints — so ties at
 * the top break uniformly at random. The default picker (the config loader appends it to every
 * profile that lacks one).
 *
 * For maxNumOfEndpoints = 1 (the common case) the shuffle + stable sort is computed as one pass with
 * reservoir sampling over the endpoints tied at the top score: the same distribution (uniform among
 * the top ties) with one rng draw per tie instead of one per candidate.
 */
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Picker, ProfileRunResult, SchedEndpoint, ScoredEndpoint } from '../../framework/types.js';
import { effectiveMaxEndpoints, pickerParams, result, shuffleInPlace } from './shuffle.js';

export class MaxScorePicker implements Picker {
  readonly type = 'max-score-picker';
  readonly keepsNoCandidates = true;
  readonly maxNumOfEndpoints: number;
  constructor(readonly name: string, maxNumOfEndpoints: number) {
    this.maxNumOfEndpoints = effectiveMaxEndpoints(maxNumOfEndpoints);
  }

  pick(ctx: CycleContext, scored: readonly ScoredEndpoint[]): ProfileRunResult {
    if (scored.length === 0) return result([]);
    if (this.maxNumOfEndpoints === 1) return result([scored[topTied(scored.map((s) => s.score), scored.length, ctx.rng)]!.endpoint]);
    const a = shuffleInPlace(scored.slice(), ctx.rng);
    a.sort((x, y) => y.score - x.score); // Array.prototype.sort is stable
    return result(a.slice(0, this.maxNumOfEndpoints).map((s) => s.endpoint));
  }

  pickTotals(ctx: CycleContext, endpoints: readonly SchedEndpoint[], totals: Float64Array): ProfileRunResult {
    const n = endpoints.length;
    if (n === 0 || this.maxNumOfEndpoints !== 1) {
      const scored: ScoredEndpoint[] = [];
      for (let i = 0; i < n; i++) scored.push({ endpoint: endpoints[i]!, score: totals[i]! });
      return this.pick(ctx, scored);
    }
    // pick's one-pass reservoir over the top ties, on the totals directly (same draws).
    return result([endpoints[topTied(totals, n, ctx.rng)]!]);
  }
}

/**
 * Index of the highest of scores[0 … n − 1] (n ≥ 1), ties at the top chosen uniformly by reservoir
 * sampling: one rng draw per tie met, the k-th tie taking over with probability 1/k.
 */
function topTied(scores: ArrayLike<number>, n: number, rng: () => number): number {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < n; i++) {
    const s = scores[i]!;
    if (s > scores[best]!) {
      best = i;
      ties = 1;
    } else if (s === scores[best]) {
      ties++;
      if (rng() * ties < 1) best = i;
    }
  }
  return best;
}

export const maxScorePicker: PluginDefinition<typeof pickerParams> = {
  type: 'max-score-picker',
  kinds: ['Picker'],
  source: 'GAIE v1.5.0',
  description:
    'Highest total score first: shuffle, stable sort by descending score, first maxNumOfEndpoints (ties break uniformly at random with the seeded picker stream).',
  params: pickerParams,
  create: (name, p) => new MaxScorePicker(name, p.maxNumOfEndpoints),
};
