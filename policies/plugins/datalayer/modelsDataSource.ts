/**
 * `models-data-source` (llm-d-router v0.10.0; `llm-d-router.md` §4.9): GETs each endpoint's
 * `/v1/models`. No-op in routesim: the simulated endpoints serve the scenario's models and nothing
 * in-tree consumes the list.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import { DataLayerNoOp, intervalParam, tlsFileParams } from './v010Common.js';

const params = z.strictObject({
  scheme: z.enum(['http', 'https']).default('http').describe('URL scheme.'),
  path: z.string().default('/v1/models').describe('URL path.'),
  insecureSkipVerify: z.boolean().default(true).describe('Skip TLS verification.'),
  ...tlsFileParams,
  interval: intervalParam(),
});

export const modelsDataSource: PluginDefinition<typeof params> = {
  type: 'models-data-source',
  dialects: ['llm-d-v0.10'],
  kinds: ['DataSource'],
  source: 'llm-d-router v0.10.0',
  description: 'Polls each endpoint\'s /v1/models. No-op in routesim (no in-tree consumer).',
  params,
  create: (name) => new DataLayerNoOp('models-data-source', name),
};
