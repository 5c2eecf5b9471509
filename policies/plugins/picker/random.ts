/**
 * `random-picker` (GAIE v1.5.0 `picker/random_picker.go`, `epp.md` §2.7): shuffle and take the
 * first maxNumOfEndpoints; scores are ignored. (Drawn as a partial Fisher–Yates: same distribution.)
 */
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Picker, ProfileRunResult, ScoredEndpoint } from '../../framework/types.js';
import { effectiveMaxEndpoints, pickerParams, randomN } from './shuffle.js';

export class RandomPicker implements Picker {
  readonly type = 'random-picker';
  readonly maxNumOfEndpoints: number;
  constructor(readonly name: string, maxNumOfEndpoints: number) {
    this.maxNumOfEndpoints = effectiveMaxEndpoints(maxNumOfEndpoints);
  }

  pick(ctx: CycleContext, scored: readonly ScoredEndpoint[]): ProfileRunResult {
    return randomN(scored, this.maxNumOfEndpoints, ctx.rng);
  }
}

export const randomPicker: PluginDefinition<typeof pickerParams> = {
  type: 'random-picker',
  kinds: ['Picker'],
  source: 'GAIE v1.5.0',
  description: 'maxNumOfEndpoints endpoints uniformly at random without replacement; ignores scores.',
  params: pickerParams,
  create: (name, p) => new RandomPicker(name, p.maxNumOfEndpoints),
};
