/**
 * `multicluster-file-discovery` (llm-d-router v0.10.0, Alpha; `llm-d-router.md` §4.9): file-discovery
 * whose addresses may be hostnames and whose labels `metricsAddress`/`metricsPort` redirect scraping.
 * routesim: the scenario's replicas are the endpoints; the file is not read.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import { requirePath } from './fileDiscovery.js';
import { DataLayerNoOp } from './v010Common.js';

const params = z.strictObject({
  path: z.string().default('').describe('Required. Endpoints file. Not read in routesim.'),
  watchFile: z.boolean().default(false).describe('Reload on change.'),
});

export const multiclusterFileDiscovery: PluginDefinition<typeof params> = {
  type: 'multicluster-file-discovery',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['Discovery'],
  source: 'llm-d-router v0.10.0',
  description: 'Multi-cluster endpoint discovery from a file (hostnames allowed, metricsAddress/metricsPort labels). routesim: the file is not read.',
  params,
  create: (name, p) => {
    requirePath('multicluster-file-discovery', p.path);
    return new DataLayerNoOp('multicluster-file-discovery', name);
  },
};
