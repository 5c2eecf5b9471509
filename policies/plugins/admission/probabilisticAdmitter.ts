/**
 * `probabilistic-admitter` (llm-d-router v0.10.0 Admitter; `llm-d-router.md` §4.7, §7.3): sheds
 * sheddable requests with a probability that rises steeply with pool load.
 *
 * Only requests with priority < 0 and at least one candidate are considered:
 *   s = mean over candidates of max(waiting/queueDepthThreshold, kv/kvCacheUtilThreshold)
 *       (an endpoint never scraped counts 1.0; no staleness check);
 *   p = min(s^power · k, 1);  reject iff U[0,1) < p  (one draw of ctx.rng).
 * Vectors: s 0.2 → 0.2⁵·300 = 0.096; s 0.34 → 0.34⁵·300 ≈ 1.36 → 1; two pods {q 10}, {idle} →
 * s = (2 + 0)/2 = 1 → p 1 → reject; priority ≥ 0 → always admitted.
 * The plugin answers ResourceExhausted (429), but v0.10.0's director turns every admitter denial into 500.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { Admission, CycleContext, LLMRequest, SchedEndpoint } from '../../framework/types.js';

export interface ProbabilisticAdmitterParams {
  readonly queueDepthThreshold: number;
  readonly kvCacheUtilThreshold: number;
  readonly power: number;
  readonly k: number;
}

export class ProbabilisticAdmitter implements Admission {
  readonly type = 'probabilistic-admitter';
  constructor(
    readonly name: string,
    readonly p: ProbabilisticAdmitterParams,
  ) {}

  /** Mean per-endpoint saturation s (endpoints without metrics count 1.0). */
  saturation(endpoints: readonly SchedEndpoint[]): number {
    let sum = 0;
    for (const e of endpoints) {
      const m = e.metrics;
      sum += m === null ? 1 : Math.max(m.waitingQueueSize / this.p.queueDepthThreshold, m.kvCacheUsagePercent / this.p.kvCacheUtilThreshold);
    }
    return sum / endpoints.length;
  }

  /** Rejection probability for saturation s. */
  rejectProbability(s: number): number {
    return Math.min(s ** this.p.power * this.p.k, 1);
  }

  admitRequest(ctx: CycleContext, req: LLMRequest, endpoints: readonly SchedEndpoint[]): string | null {
    if (req.priority >= 0 || endpoints.length === 0) return null;
    const s = this.saturation(endpoints);
    const p = this.rejectProbability(s);
    return ctx.rng() < p ? `probabilistic admission rejected a sheddable request (saturation ${s.toFixed(3)}, rejection probability ${p.toFixed(3)})` : null;
  }
}

const positive = (d: number, what: string) => z.number().positive().default(d).describe(what);
const params = z.strictObject({
  queueDepthThreshold: positive(5, 'waiting requests that count as saturation 1.0 (> 0)'),
  kvCacheUtilThreshold: positive(0.8, 'KV-cache utilization that counts as saturation 1.0 (> 0)'),
  power: positive(5.0, 'exponent on the mean saturation (> 0)'),
  k: positive(300.0, 'scale: rejection probability = min(s^power × k, 1) (> 0)'),
});

export const probabilisticAdmitter: PluginDefinition<typeof params> = {
  type: 'probabilistic-admitter',
  dialects: ['llm-d-v0.10'],
  kinds: ['Admission'],
  source: 'llm-d-router v0.10.0',
  description:
    'Sheddable requests (priority < 0) are rejected with probability min(s^power·k, 1), s = mean over candidates of max(waiting/queueDepthThreshold, kv/kvCacheUtilThreshold) (unscraped = 1); v0.10.0 answers the denial with 500.',
  params,
  create: (name, p) => new ProbabilisticAdmitter(name, p),
};
