/**
 * `utilization-detector` (GAIE v1.5.0 `flowcontrol/saturationdetector/utilization`, `epp.md` §2.9):
 * the default saturation detector, also usable as a scheduling filter.
 *
 * - Saturation(E) = 1.0 if E is empty; else the mean over E of 1.0 for an endpoint with no metrics
 *   or metrics older than metricsStalenessThreshold (now − updateTime > threshold), otherwise
 *   max(waiting/Q, kv/KV). Not capped: it can exceed 1.
 * - Filter keeps endpoints that are fresh AND waiting < Q·(1+headroom) AND kv < KV·(1+headroom)
 *   (strict); if none is kept it returns the input unchanged (fail-open).
 */
import { z } from 'zod';
import { duration } from '../../framework/params.js';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Filter, LLMRequest, SaturationDetector, SchedEndpoint } from '../../framework/types.js';

export interface UtilizationParams {
  readonly queueDepthThreshold: number;
  readonly kvCacheUtilThreshold: number;
  /** µs */
  readonly metricsStalenessThreshold: number;
  readonly headroom: number;
}

export class UtilizationDetector implements SaturationDetector, Filter {
  readonly type = 'utilization-detector';
  readonly keepsNoCandidates = true;
  private readonly queueLimit: number;
  private readonly kvLimit: number;
  constructor(readonly name: string, readonly params: UtilizationParams) {
    this.queueLimit = params.queueDepthThreshold * (1 + params.headroom);
    this.kvLimit = params.kvCacheUtilThreshold * (1 + params.headroom);
  }

  private fresh(e: SchedEndpoint, nowUs: number): boolean {
    return e.metrics !== null && nowUs - e.metrics.updateTimeUs <= this.params.metricsStalenessThreshold;
  }

  saturation(ctx: CycleContext, endpoints: readonly SchedEndpoint[]): number {
    if (endpoints.length === 0) return 1.0;
    const { queueDepthThreshold: q, kvCacheUtilThreshold: kv } = this.params;
    let sum = 0;
    for (const e of endpoints) {
      if (!this.fresh(e, ctx.nowUs)) sum += 1.0;
      else sum += Math.max(e.metrics!.waitingQueueSize / q, e.metrics!.kvCacheUsagePercent / kv);
    }
    return sum / endpoints.length;
  }

  filter(ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    const kept = endpoints.filter(
      (e) => this.fresh(e, ctx.nowUs) && e.metrics!.waitingQueueSize < this.queueLimit && e.metrics!.kvCacheUsagePercent < this.kvLimit,
    );
    return kept.length === 0 ? endpoints : kept.length === endpoints.length ? endpoints : kept;
  }
}

const params = z.strictObject({
  queueDepthThreshold: z.number().int().default(5).describe('Waiting requests at which an endpoint counts as saturated (> 0).'),
  kvCacheUtilThreshold: z.number().default(0.8).describe('KV-cache usage fraction at which an endpoint counts as saturated, in (0, 1].'),
  metricsStalenessThreshold: duration('200ms', 'Metrics older than this make an endpoint count as fully saturated (> 0).'),
  headroom: z.number().default(0).describe('Filter only: admits up to threshold × (1 + headroom) (≥ 0).'),
});

export const utilizationDetector: PluginDefinition<typeof params> = {
  type: 'utilization-detector',
  kinds: ['SaturationDetector', 'Filter'],
  source: 'GAIE v1.5.0',
  description:
    'Saturation = mean over endpoints of max(waiting/queueDepthThreshold, kv/kvCacheUtilThreshold), an endpoint with metrics missing or older than metricsStalenessThreshold counting 1.0 (empty pool → 1.0; not capped). The default detector: the legacy admission controller sheds priority < 0 requests at saturation ≥ 1 (429). As a filter it keeps fresh endpoints with waiting < Q·(1+headroom) and kv < KV·(1+headroom), and returns the input unchanged if that would leave none.',
  params,
  create: (name, p) => {
    if (!(p.queueDepthThreshold > 0)) throw new ParamError('queueDepthThreshold', `queueDepthThreshold must be > 0 (got ${p.queueDepthThreshold})`);
    if (!(p.kvCacheUtilThreshold > 0 && p.kvCacheUtilThreshold <= 1))
      throw new ParamError('kvCacheUtilThreshold', `kvCacheUtilThreshold must be in (0, 1] (got ${p.kvCacheUtilThreshold})`);
    if (!(p.metricsStalenessThreshold > 0))
      throw new ParamError('metricsStalenessThreshold', 'metricsStalenessThreshold must be > 0');
    if (!(p.headroom >= 0)) throw new ParamError('headroom', `headroom must be ≥ 0 (got ${p.headroom})`);
    return new UtilizationDetector(name, p);
  },
};
