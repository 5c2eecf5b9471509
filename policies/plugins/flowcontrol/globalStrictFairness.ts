/**
 * `global-strict-fairness-policy` (GAIE v1.5.0, `epp.md` §2.10, the default fairness policy): one
 * global queue across the band's flows, ignoring flow boundaries — serve the flow whose head item
 * comes first by the band's ordering policy (with the default FCFS ordering: the flow whose head was
 * enqueued earliest, i.e. a global FIFO). Heads the ordering ranks equal go by enqueue sequence
 * (true FIFO), and without sequence numbers to the first flow in the list.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { FairnessPolicy, FlowQueueView, OrderingPolicy, QueueItem } from '../../framework/types.js';
import { byEnqueueTime, flowHead } from './order.js';

export class GlobalStrictFairnessPolicy implements FairnessPolicy {
  readonly type = 'global-strict-fairness-policy';
  constructor(readonly name: string) {}

  selectQueue(_band: number, flows: readonly FlowQueueView[], ordering?: OrderingPolicy): FlowQueueView | null {
    const cmp = ordering?.compare ? ordering.compare.bind(ordering) : byEnqueueTime;
    let best: FlowQueueView | null = null;
    let bestHead: QueueItem | null = null;
    for (const f of flows) {
      const h = flowHead(f, ordering);
      if (h === null) continue;
      const c = bestHead === null ? -1 : cmp(h, bestHead);
      if (c < 0 || (c === 0 && h.seq !== undefined && bestHead!.seq !== undefined && h.seq < bestHead!.seq)) {
        best = f;
        bestHead = h;
      }
    }
    return best;
  }
}

const params = z.strictObject({});

export const globalStrictFairnessPolicy: PluginDefinition<typeof params> = {
  type: 'global-strict-fairness-policy',
  kinds: ['FairnessPolicy'],
  source: 'GAIE v1.5.0',
  description:
    'Flow-control fairness (default): one global queue across the band\'s flows — the flow whose head comes first by the band\'s ordering (FCFS: earliest enqueue) is served.',
  params,
  create: (name) => new GlobalStrictFairnessPolicy(name),
};
