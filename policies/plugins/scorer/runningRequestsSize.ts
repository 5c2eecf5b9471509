/**
 * `running-requests-size-scorer` (GAIE v1.5.0 `scorer/runningrequests`, `epp.md` §2.4): the queue
 * scorer's min–max formula on the scraped running-request count.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';
import { minMaxInverted, minMaxInvertedInPlace, running } from './metrics.js';

export class RunningRequestsSizeScorer implements Scorer {
  readonly type = 'running-requests-size-scorer';
  readonly keepsNoCandidates = true;
  readonly category = 'Distribution' as const;
  constructor(readonly name: string) {}

  score(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    return minMaxInverted(endpoints, running);
  }

  scoreInto(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[], out: Float64Array): void {
    const n = endpoints.length;
    for (let i = 0; i < n; i++) out[i] = running(endpoints[i]!);
    minMaxInvertedInPlace(out, n);
  }
}

export const runningRequestsSizeScorer: PluginDefinition = {
  type: 'running-requests-size-scorer',
  kinds: ['Scorer'],
  source: 'GAIE v1.5.0',
  description:
    'Scores the scraped running-request count (vllm:num_requests_running) min–max over the current candidates: (max − r)/(max − min); 1.0 for all when equal. Never-scraped endpoints count as 0.',
  params: z.strictObject({}),
  create: (name) => new RunningRequestsSizeScorer(name),
};
