/**
 * `legacy-v0.3-filter`: GAIE v0.3.0's hard-coded scheduler (`pkg/epp/scheduling/scheduler.go` and
 * `filter.go`, `epp.md` §2.11) as ONE routesim filter; pair it with `random-picker` for v0.3's
 * uniform final pick.
 *
 * ```
 * critical?  ──yes→ lowQueue(q < 128) ──ok→ loraAffinity → leastQueue → leastKV
 *                                     └fail→ leastQueue → loraAffinity → leastKV
 *            └─no→ hasCapacity(q ≤ 5 && kv ≤ 0.8) ──ok→ leastQueue → loraAffinity → leastKV
 *                                                 └fail→ DROP (empty → 429)
 * ```
 * Every arrow after the first node is "on success or failure" (a failing node passes its input on
 * unchanged). v0.3's LoRA affinity looks at running adapters only and "available" is
 * |running| < max_lora.
 *
 * Criticality: v0.3's InferenceModel had Critical / Standard (default) / Sheddable and only
 * Critical took the low-latency branch. routesim maps the InferenceObjective priority: > 0 ↔
 * Critical, 0 ↔ Standard, < 0 ↔ Sheddable — so requests with no objective (priority 0) are
 * non-critical, as v0.3's default Standard was.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Filter, LLMRequest, SchedEndpoint } from '../../framework/types.js';
import { kvUsage, waiting } from '../scorer/metrics.js';
import { leastKvCache, leastQueue, loraSoftAffinity, runTree, type TreeNode } from './common.js';

export interface V03Params {
  readonly kvCacheThreshold: number;
  readonly queueThresholdCritical: number;
  readonly queueingThresholdLora: number;
  readonly loraAffinityThreshold: number;
}

interface Ctx {
  readonly rng: () => number;
  readonly targetModel: string;
}
type Node = TreeNode<Ctx>;

export class LegacyV03Filter implements Filter {
  readonly type = 'legacy-v0.3-filter';
  private readonly lowLatency: Node;
  private readonly sheddable: Node;
  constructor(readonly name: string, readonly params: V03Params) {
    const p = params;
    const leastKv: Node = { run: (_c, e) => leastKvCache(e) };
    const lora = (next: Node): Node => ({
      run: (c, e) => loraSoftAffinity(e, c.targetModel, p.loraAffinityThreshold, c.rng, 'v0.3'),
      nextOnSuccessOrFailure: next,
    });
    const lq = (next: Node): Node => ({ run: (_c, e) => leastQueue(e), nextOnSuccessOrFailure: next });
    // least queue → low-cost LoRA → least KV
    const queueLoraKv = lq(lora(leastKv));
    // least queue → least KV
    const queueKv = lq(leastKv);
    this.lowLatency = {
      run: (_c, e) => e.filter((x) => waiting(x) < p.queueingThresholdLora),
      nextOnSuccess: lora(queueKv),
      nextOnFailure: queueLoraKv,
    };
    this.sheddable = {
      run: (_c, e) => e.filter((x) => waiting(x) <= p.queueThresholdCritical && kvUsage(x) <= p.kvCacheThreshold),
      nextOnSuccess: queueLoraKv,
      nextOnFailure: { run: () => [] }, // drop: InferencePoolResourceExhausted
    };
  }

  filter(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    const root = req.priority > 0 ? this.lowLatency : this.sheddable;
    return runTree(root, { rng: ctx.rng, targetModel: req.targetModel }, endpoints);
  }
}

const params = z.strictObject({
  kvCacheThreshold: z.number().default(0.8).describe('KV_CACHE_THRESHOLD: non-critical requests need an endpoint with kv ≤ this.'),
  queueThresholdCritical: z.number().int().default(5).describe('QUEUE_THRESHOLD_CRITICAL: non-critical requests need an endpoint with waiting ≤ this.'),
  queueingThresholdLora: z.number().int().default(128).describe('QUEUING_THRESHOLD_LORA: critical requests prefer endpoints with waiting < this.'),
  loraAffinityThreshold: z.number().default(0.999).describe('LORA_AFFINITY_THRESHOLD: probability of preferring endpoints already running the adapter.'),
});

export const legacyV03Filter: PluginDefinition<typeof params> = {
  type: 'legacy-v0.3-filter',
  kinds: ['Filter'],
  source: 'GAIE v0.3.0',
  description:
    "GAIE v0.3.0's hard-coded filter tree as one filter (use with random-picker). Critical (priority > 0): waiting < 128 ? LoRA affinity → least queue → least KV : least queue → LoRA affinity → least KV. Non-critical (priority ≤ 0; v0.3 Standard and Sheddable): if some endpoint has waiting ≤ 5 and kv ≤ 0.8, least queue → LoRA affinity → least KV on those, else none (the request is dropped, 429).",
  params,
  create: (name, p) => new LegacyV03Filter(name, p),
};
