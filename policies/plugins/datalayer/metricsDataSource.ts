/**
 * `metrics-data-source` (GAIE v1.5.0, `epp.md` §1.2/§4): registered so real configs load. In
 * routesim it does nothing: the simulated gateway scrapes every endpoint every refresh interval
 * (gateway.refresh_metrics_ms, default 50 ms, the EPP's --refresh-metrics-interval) and hands the
 * scraped metrics to the picker.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { Plugin } from '../../framework/types.js';

class NoOp implements Plugin {
  readonly type = 'metrics-data-source';
  readonly keepsNoCandidates = true;
  constructor(readonly name: string) {}
}

const params = z.strictObject({
  scheme: z.enum(['http', 'https']).default('http').describe('scrape URL scheme'),
  path: z.string().default('/metrics').describe('scrape URL path'),
  insecureSkipVerify: z.boolean().default(true).describe('skip TLS verification'),
});

export const metricsDataSource: PluginDefinition<typeof params> = {
  type: 'metrics-data-source',
  dialects: ['gaie-v1.5'],
  kinds: ['DataSource'],
  source: 'GAIE v1.5.0',
  description: 'Polls each endpoint\'s /metrics (Prometheus text). No-op in routesim: metrics come from the gateway\'s scrape (every gateway.refresh_metrics_ms, default 50 ms).',
  params,
  create: (name) => new NoOp(name),
};
