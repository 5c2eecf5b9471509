/**
 * `file-discovery` (llm-d-router v0.10.0, Beta; `llm-d-router.md` §4.9, §2.5 `dataLayer.discovery`):
 * endpoints from a YAML/JSON file `{endpoints: [{name, namespace, address, port, labels}]}` instead of
 * Kubernetes. In routesim the endpoints are the scenario's replicas, so `path` is required and
 * validated as a parameter but the file is not read.
 */
import { z } from 'zod';
import { ParamError, type PluginDefinition } from '../../framework/registry.js';
import { DataLayerNoOp } from './v010Common.js';

const params = z.strictObject({
  path: z.string().default('').describe('Required. Endpoints file (≤ 1 MiB). Not read in routesim: the scenario\'s replicas are the endpoints.'),
  watchFile: z.boolean().default(false).describe('Reload on change (vanished entries deleted).'),
});

export function requirePath(type: string, path: string): void {
  if (path === '') throw new ParamError('path', `${type}: path is required (the endpoints file)`);
}

export const fileDiscovery: PluginDefinition<typeof params> = {
  type: 'file-discovery',
  dialects: ['llm-d-v0.10'],
  kinds: ['Discovery'],
  source: 'llm-d-router v0.10.0',
  description: 'Endpoint discovery from a file instead of Kubernetes. routesim: the scenario\'s replicas are the endpoints; the file is not read.',
  params,
  create: (name, p) => {
    requirePath('file-discovery', p.path);
    return new DataLayerNoOp('file-discovery', name);
  },
};
