/**
 * `models-data-extractor` (llm-d-router v0.10.0, renamed from `model-server-protocol-models`;
 * `llm-d-router.md` §4.9): stores the `{id, parent}` model list on the endpoint under
 * `/v1/models/<name>`. No-op in routesim: nothing in-tree reads the list.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import { DataLayerNoOp } from './v010Common.js';

const params = z.strictObject({});

export const modelsDataExtractor: PluginDefinition<typeof params> = {
  type: 'models-data-extractor',
  dialects: ['llm-d-v0.10'],
  kinds: ['Extractor'],
  source: 'llm-d-router v0.10.0',
  description: 'Stores each endpoint\'s /v1/models list under /v1/models/<name>. No-op in routesim (no in-tree consumer).',
  params,
  create: (name) => new DataLayerNoOp('models-data-extractor', name),
};
