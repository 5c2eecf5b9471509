/**
 * `multicluster-metrics-extractor` (llm-d-router v0.10.0, Alpha; `llm-d-router.md` §4.9): maps a
 * remote EPP's pool gauges (`kvCacheUtilizationMetric`, `queueSizeMetric`) to the endpoint
 * attributes `llm-d.ai/multicluster-kv-cache-utilization` and `llm-d.ai/multicluster-queue-size`.
 * No-op in routesim (no remote cluster): the attributes stay missing.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import { DataLayerNoOp } from './v010Common.js';

const params = z.strictObject({
  kvCacheUtilizationMetric: z.string().default('llm_d_epp_average_kv_cache_utilization').describe('Remote pool KV-utilization gauge.'),
  queueSizeMetric: z.string().default('llm_d_epp_average_queue_size').describe('Remote pool queue-size gauge.'),
});

export const multiclusterMetricsExtractor: PluginDefinition<typeof params> = {
  type: 'multicluster-metrics-extractor',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['Extractor'],
  source: 'llm-d-router v0.10.0',
  description:
    'Remote EPP pool gauges → attributes llm-d.ai/multicluster-kv-cache-utilization and llm-d.ai/multicluster-queue-size. No-op in routesim (one cluster).',
  params,
  create: (name) => new DataLayerNoOp('multicluster-metrics-extractor', name),
};
