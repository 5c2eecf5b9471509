/**
 * `load-aware-scorer` (llm-d v0.7.0 `pkg/plugins/scorer/load_aware.go`, `epp.md` §2.12): from the
 * scraped waiting queue q and threshold T: q = 0 → 0.5; else 0.5 × (1 − min(q, T)/T), so scores
 * lie in [0, 0.5]. A threshold ≤ 0 falls back to the default 128, as llm-d does.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';
import { waiting } from './metrics.js';

export const DEFAULT_LOAD_AWARE_THRESHOLD = 128;

export class LoadAwareScorer implements Scorer {
  readonly type = 'load-aware-scorer';
  readonly category = 'Distribution' as const;
  readonly threshold: number;
  constructor(readonly name: string, threshold: number) {
    this.threshold = threshold > 0 ? threshold : DEFAULT_LOAD_AWARE_THRESHOLD;
  }

  score(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const t = this.threshold;
    const out = new Map<string, number>();
    for (const e of endpoints) {
      const q = waiting(e);
      out.set(e.name, q === 0 ? 0.5 : 0.5 * (1 - Math.min(q, t) / t));
    }
    return out;
  }
}

const params = z.strictObject({
  threshold: z.number().int().default(DEFAULT_LOAD_AWARE_THRESHOLD).describe('Waiting requests at which the score reaches 0 (≤ 0 → 128).'),
});

export const loadAwareScorer: PluginDefinition<typeof params> = {
  type: 'load-aware-scorer',
  kinds: ['Scorer'],
  source: 'llm-d v0.7.0',
  description: 'From the scraped waiting queue q: 0.5 when q = 0, else 0.5 × (1 − min(q, threshold)/threshold); range [0, 0.5].',
  params,
  create: (name, p) => new LoadAwareScorer(name, p.threshold),
};
