/**
 * `lora-affinity-scorer` (GAIE v1.5.0 `scorer/loraaffinity`, `epp.md` §2.5), for the request's
 * target model (after InferenceModelRewrite): 1.0 if it is a running adapter; else 0.8 if the
 * server has a free adapter slot (|running| + |waiting| < max_lora); else 0.6 if it is a waiting
 * adapter; else 0. Capacity is checked before "waiting", as in production.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';
import { activeModels, maxActiveModels, waitingModels } from './metrics.js';

export function loraAffinityScore(e: SchedEndpoint, targetModel: string): number {
  const active = activeModels(e);
  if (active.includes(targetModel)) return 1.0;
  const waitingList = waitingModels(e);
  if (active.length + waitingList.length < maxActiveModels(e)) return 0.8;
  if (waitingList.includes(targetModel)) return 0.6;
  return 0.0;
}

export class LoraAffinityScorer implements Scorer {
  readonly type = 'lora-affinity-scorer';
  readonly category = 'Affinity' as const;
  constructor(readonly name: string) {}

  score(_ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const e of endpoints) out.set(e.name, loraAffinityScore(e, req.targetModel));
    return out;
  }
}

export const loraAffinityScorer: PluginDefinition = {
  type: 'lora-affinity-scorer',
  kinds: ['Scorer'],
  source: 'GAIE v1.5.0',
  description:
    "For the request's target model: 1.0 if among the running LoRA adapters; else 0.8 if |running| + |waiting| < max_lora; else 0.6 if among the waiting adapters; else 0 (capacity is checked before waiting, as in production).",
  params: z.strictObject({}),
  create: (name) => new LoraAffinityScorer(name),
};
