/**
 * `metrics-data-source`, llm-d-router v0.10.0 twin (`llm-d-router.md` §4.9, §2.5): v1.5.0's
 * parameters plus `port` (override of the endpoint's metrics port), `caCertPath`/`clientCertPath`/
 * `clientKeyPath` and `interval`. No-op in routesim: the simulated gateway scrapes every endpoint
 * every `gateway.refresh_metrics_ms` (default 50 ms, the base tick) and hands the scrape to the picker.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import { DataLayerNoOp, intervalParam, tlsFileParams } from './v010Common.js';

const params = z.strictObject({
  scheme: z.enum(['http', 'https']).default('http').describe('Scrape URL scheme.'),
  path: z.string().default('/metrics').describe('Scrape URL path.'),
  port: z.number().int().min(0).max(65535).default(0).describe('Port override (0 = the endpoint\'s port).'),
  insecureSkipVerify: z.boolean().default(true).describe('Skip TLS verification.'),
  ...tlsFileParams,
  interval: intervalParam(),
});

export const metricsDataSourceV010: PluginDefinition<typeof params> = {
  type: 'metrics-data-source',
  dialects: ['llm-d-v0.10'],
  kinds: ['DataSource'],
  source: 'llm-d-router v0.10.0',
  description: 'Polls each endpoint\'s /metrics. No-op in routesim: metrics come from the gateway\'s scrape (every gateway.refresh_metrics_ms, default 50 ms).',
  params,
  create: (name) => new DataLayerNoOp('metrics-data-source', name),
};
