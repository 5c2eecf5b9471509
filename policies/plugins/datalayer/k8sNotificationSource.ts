/**
 * `k8s-notification-source` (GAIE v1.5.0, `epp.md` §1.2/§4): registered so real configs load. In
 * routesim it does nothing: the endpoint pool is fixed for a run.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { Plugin } from '../../framework/types.js';

class NoOp implements Plugin {
  readonly type = 'k8s-notification-source';
  constructor(readonly name: string) {}
}

const params = z.strictObject({});

export const k8sNotificationSource: PluginDefinition<typeof params> = {
  type: 'k8s-notification-source',
  kinds: ['DataSource'],
  source: 'GAIE v1.5.0',
  description: 'Watches Kubernetes objects for pool changes. No-op in routesim: the pool is fixed for a run.',
  params,
  create: (name) => new NoOp(name),
};
