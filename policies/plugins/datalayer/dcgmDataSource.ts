/**
 * `dcgm-data-source` (llm-d-router v0.10.0, Alpha; `llm-d-router.md` §4.9): polls an NVIDIA DCGM
 * exporter at `scheme://host:port/path` (node IP when `useNodeAddress`, for DaemonSet exporters).
 * routesim has no DCGM exporter: the parameters are validated and the source does nothing; its
 * extractor (dcgm-extractor) gets no samples.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import { DataLayerNoOp, intervalParam } from './v010Common.js';

const params = z.strictObject({
  scheme: z.enum(['http', 'https']).default('http').describe('Scrape URL scheme.'),
  path: z.string().default('/metrics').describe('Scrape URL path.'),
  port: z.number().int().min(1).max(65535).default(9400).describe('DCGM exporter port.'),
  insecureSkipVerify: z.boolean().default(true).describe('Skip TLS verification.'),
  useNodeAddress: z.boolean().default(false).describe('Scrape the node IP (DaemonSet exporter) instead of the pod IP.'),
  interval: intervalParam(),
});

export const dcgmDataSource: PluginDefinition<typeof params> = {
  type: 'dcgm-data-source',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['DataSource'],
  source: 'llm-d-router v0.10.0',
  description: 'Polls a DCGM exporter (default port 9400, /metrics). No-op in routesim: the simulation has no GPU-utilization exporter.',
  params,
  create: (name) => new DataLayerNoOp('dcgm-data-source', name),
};
