/**
 * Shared helpers of the flow-control policy plugins (not a plugin): the fallback `selectItem` over
 * a comparator, and a flow view's length and head without materialising its items.
 */
import type { FlowQueueView, OrderingPolicy, QueueItem } from '../../framework/types.js';

/** Index of the first item that `compare` puts first (ties keep enqueue order: items are in it). */
export function selectFirst(items: readonly QueueItem[], compare: (a: QueueItem, b: QueueItem) => number): number {
  let best = -1;
  for (let i = 0; i < items.length; i++) if (best < 0 || compare(items[i]!, items[best]!) < 0) best = i;
  return best;
}

/** Earliest enqueue first (FCFS). */
export function byEnqueueTime(a: QueueItem, b: QueueItem): number {
  return a.enqueueUs - b.enqueueUs;
}

/** Earlier deadline first (+∞ = no deadline, after every finite one); equal deadlines FCFS. */
export function byDeadlineThenEnqueue(da: number, db: number, a: QueueItem, b: QueueItem): number {
  if (da === db) return a.enqueueUs - b.enqueueUs;
  return da < db ? -1 : 1;
}

export function flowLength(f: FlowQueueView): number {
  return f.length ?? f.items.length;
}

/** The item `ordering` dispatches next from flow `f` (null when empty). */
export function flowHead(f: FlowQueueView, ordering?: OrderingPolicy): QueueItem | null {
  if (f.head !== undefined) return f.head;
  const items = f.items;
  if (items.length === 0) return null;
  return items[ordering ? ordering.selectItem(items) : 0] ?? null;
}
