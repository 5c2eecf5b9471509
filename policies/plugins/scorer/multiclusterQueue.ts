/**
 * `multicluster-queue-scorer` (llm-d-router v0.10.0, Alpha, `llm-d-router.md` §4.3): min–max over the
 * candidates of the scalar endpoint attribute `llm-d.ai/multicluster-queue-size` (written by
 * multicluster-metrics-extractor): (max − q)/(max − min), all equal → 1. Candidates lacking it are
 * left out of the result (contribute 0).
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';
import { scalarAttr } from '../filter/endpointAttribute.js';
import { minMaxInverted } from './metrics.js';

export const MULTICLUSTER_QUEUE_SIZE = 'llm-d.ai/multicluster-queue-size';

export class MulticlusterQueueScorer implements Scorer {
  readonly type = 'multicluster-queue-scorer';
  readonly category = 'Distribution' as const;
  constructor(readonly name: string) {}

  score(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const have = endpoints.filter((e) => scalarAttr(e, MULTICLUSTER_QUEUE_SIZE) !== undefined);
    return minMaxInverted(have, (e) => scalarAttr(e, MULTICLUSTER_QUEUE_SIZE)!);
  }
}

export const multiclusterQueueScorer: PluginDefinition = {
  type: 'multicluster-queue-scorer',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['Scorer'],
  source: 'llm-d-router v0.10.0',
  description: `(max − q)/(max − min) over the candidates of the ${MULTICLUSTER_QUEUE_SIZE} attribute (all equal → 1; missing → not scored).`,
  params: z.strictObject({}),
  create: (name) => new MulticlusterQueueScorer(name),
};
