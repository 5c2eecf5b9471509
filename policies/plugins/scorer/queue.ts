/**
 * `queue-scorer` (GAIE v1.5.0 `scorer/queuedepth/queue.go`, `epp.md` §2.2): min–max of the scraped
 * waiting-queue size over the current candidates, `(max − q) / (max − min)`; all equal → 1.0.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';
import { minMaxInverted, minMaxInvertedInPlace, waiting } from './metrics.js';

export class QueueScorer implements Scorer {
  readonly type = 'queue-scorer';
  readonly keepsNoCandidates = true;
  readonly category = 'Distribution' as const;
  constructor(readonly name: string) {}

  score(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    return minMaxInverted(endpoints, waiting);
  }

  scoreInto(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[], out: Float64Array): void {
    const n = endpoints.length;
    for (let i = 0; i < n; i++) out[i] = waiting(endpoints[i]!);
    minMaxInvertedInPlace(out, n);
  }
}

export const queueScorer: PluginDefinition = {
  type: 'queue-scorer',
  kinds: ['Scorer'],
  source: 'GAIE v1.5.0',
  description:
    'Scores the scraped waiting-queue size (vllm:num_requests_waiting) min–max over the current candidates: (max − q)/(max − min); 1.0 for all when equal. Never-scraped endpoints count as queue 0.',
  params: z.strictObject({}),
  create: (name) => new QueueScorer(name),
};
