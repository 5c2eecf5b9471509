/**
 * `fcfs-ordering-policy` (GAIE v1.5.0, `epp.md` §2.10): the default ordering within a flow queue —
 * earliest enqueue time first.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { OrderingPolicy, QueueItem } from '../../framework/types.js';
import { byEnqueueTime, selectFirst } from './order.js';

export class FcfsOrderingPolicy implements OrderingPolicy {
  readonly type = 'fcfs-ordering-policy';
  constructor(readonly name: string) {}

  compare(a: QueueItem, b: QueueItem): number {
    return byEnqueueTime(a, b);
  }

  selectItem(items: readonly QueueItem[]): number {
    return selectFirst(items, byEnqueueTime);
  }
}

const params = z.strictObject({});

export const fcfsOrderingPolicy: PluginDefinition<typeof params> = {
  type: 'fcfs-ordering-policy',
  kinds: ['OrderingPolicy'],
  source: 'GAIE v1.5.0',
  description: 'Flow-control ordering within a flow queue: earliest enqueue time first (the default).',
  params,
  create: (name) => new FcfsOrderingPolicy(name),
};
