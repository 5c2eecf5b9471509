/**
 * `sheddable-eviction-filter` and `priority-then-time-eviction-order-policy` (llm-d-router v0.10.0,
 * Alpha; `llm-d-router.md` §4.8; renamed from GAIE's eviction-sheddable-filter /
 * eviction-priority-then-time-ordering). Production builds them in when
 * `flowControl.enableEviction: true`; they are registered so configs naming them load. The logic
 * is in flowcontrol/eviction.ts; routesim's director does not revoke in-flight requests yet.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { Plugin } from '../../framework/types.js';
import { evictionOrder, sheddableVictims, type InFlightRequest } from '../../flowcontrol/eviction.js';

export class SheddableEvictionFilter implements Plugin {
  readonly type = 'sheddable-eviction-filter';
  constructor(readonly name: string) {}
  victims(inFlight: readonly InFlightRequest[], blockedPriority: number): InFlightRequest[] {
    return sheddableVictims(inFlight, blockedPriority);
  }
}

export class PriorityThenTimeEvictionOrder implements Plugin {
  readonly type = 'priority-then-time-eviction-order-policy';
  constructor(readonly name: string) {}
  compareVictims(a: InFlightRequest, b: InFlightRequest): number {
    return evictionOrder(a, b);
  }
}

const params = z.strictObject({});

export const sheddableEvictionFilter: PluginDefinition<typeof params> = {
  type: 'sheddable-eviction-filter',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['EvictionFilter'],
  source: 'llm-d-router v0.10.0',
  description:
    'Flow-control eviction victims: in-flight requests with priority < 0, strictly below the blocked band (built in with flowControl.enableEviction). Registered only: routesim does not revoke in-flight requests.',
  params,
  create: (name) => new SheddableEvictionFilter(name),
};

export const priorityThenTimeEvictionOrderPolicy: PluginDefinition<typeof params> = {
  type: 'priority-then-time-eviction-order-policy',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['EvictionOrderPolicy'],
  source: 'llm-d-router v0.10.0',
  description:
    'Flow-control eviction order: lowest priority first, then most recently dispatched (built in with flowControl.enableEviction). Registered only: routesim does not revoke in-flight requests.',
  params,
  create: (name) => new PriorityThenTimeEvictionOrder(name),
};
