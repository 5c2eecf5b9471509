/**
 * `multicluster-metrics-data-source` (llm-d-router v0.10.0, Alpha; `llm-d-router.md` §4.9): a metrics
 * source for remote clusters' EPPs (default scheme https, responses capped at 8 MiB). No-op in
 * routesim: one simulated cluster, whose metrics the gateway scrapes.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import { DataLayerNoOp, intervalParam, tlsFileParams } from './v010Common.js';

const params = z.strictObject({
  scheme: z.enum(['http', 'https']).default('https').describe('Scrape URL scheme.'),
  path: z.string().default('/metrics').describe('Scrape URL path.'),
  port: z.number().int().min(0).max(65535).default(0).describe('Port override (0 = the endpoint\'s metrics port).'),
  insecureSkipVerify: z.boolean().default(true).describe('Skip TLS verification.'),
  ...tlsFileParams,
  interval: intervalParam(),
});

export const multiclusterMetricsDataSource: PluginDefinition<typeof params> = {
  type: 'multicluster-metrics-data-source',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['DataSource'],
  source: 'llm-d-router v0.10.0',
  description: 'Scrapes remote clusters\' EPP pool gauges (https, ≤ 8 MiB). No-op in routesim: one simulated cluster.',
  params,
  create: (name) => new DataLayerNoOp('multicluster-metrics-data-source', name),
};
