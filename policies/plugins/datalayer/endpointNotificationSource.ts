/**
 * `endpoint-notification-source` (GAIE v1.5.0, `epp.md` §1.2/§4): registered so real configs load.
 * In routesim it does nothing: the endpoint pool is fixed for a run.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { Plugin } from '../../framework/types.js';

class NoOp implements Plugin {
  readonly type = 'endpoint-notification-source';
  constructor(readonly name: string) {}
}

const params = z.strictObject({});

export const endpointNotificationSource: PluginDefinition<typeof params> = {
  type: 'endpoint-notification-source',
  kinds: ['DataSource'],
  source: 'GAIE v1.5.0',
  description: 'Notifies plugins of endpoint add/delete events. No-op in routesim: the pool is fixed for a run.',
  params,
  create: (name) => new NoOp(name),
};
