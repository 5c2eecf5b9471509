/**
 * `edf-ordering-policy` (GAIE v1.5.0, `epp.md` §2.10): earliest deadline first, deadline =
 * enqueue time + the request's effective TTL. A request without a TTL has deadline +∞ (after every
 * request with one); equal deadlines (including two +∞) go FCFS.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { OrderingPolicy, QueueItem } from '../../framework/types.js';
import { byDeadlineThenEnqueue, selectFirst } from './order.js';

/** enqueue + TTL, or +∞ without a TTL. */
export function edfDeadline(item: QueueItem): number {
  return item.ttlUs > 0 ? item.enqueueUs + item.ttlUs : Infinity;
}

export class EdfOrderingPolicy implements OrderingPolicy {
  readonly type = 'edf-ordering-policy';
  constructor(readonly name: string) {}

  compare(a: QueueItem, b: QueueItem): number {
    return byDeadlineThenEnqueue(edfDeadline(a), edfDeadline(b), a, b);
  }

  selectItem(items: readonly QueueItem[]): number {
    return selectFirst(items, (a, b) => this.compare(a, b));
  }
}

const params = z.strictObject({});

export const edfOrderingPolicy: PluginDefinition<typeof params> = {
  type: 'edf-ordering-policy',
  kinds: ['OrderingPolicy'],
  source: 'GAIE v1.5.0',
  description:
    'Flow-control ordering: earliest deadline first, deadline = enqueue time + the request\'s TTL (its own, else defaultRequestTTL); no TTL = +∞; ties FCFS.',
  params,
  create: (name) => new EdfOrderingPolicy(name),
};
