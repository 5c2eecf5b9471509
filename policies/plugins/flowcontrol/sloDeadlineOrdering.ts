/**
 * `slo-deadline-ordering-policy` (GAIE v1.5.0 registers the type; `epp.md` §2.10 gives no formula).
 * routesim's reading: deadline = enqueue time + the request's TTFT SLO from header
 * `x-gateway-slo-ttft-ms` (milliseconds, a positive number); a request without a valid header has
 * deadline +∞, so it comes after every request with an SLO and those go FCFS among themselves;
 * equal deadlines FCFS.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { OrderingPolicy, QueueItem } from '../../framework/types.js';
import { byDeadlineThenEnqueue, selectFirst } from './order.js';

export const SLO_TTFT_HEADER = 'x-gateway-slo-ttft-ms';

/** enqueue + SLO (µs), or +∞ when the header is missing or not a positive number. */
export function sloDeadline(item: QueueItem): number {
  const v = item.request.headers[SLO_TTFT_HEADER];
  if (v === undefined) return Infinity;
  const ms = Number(v);
  return Number.isFinite(ms) && ms > 0 && v.trim() !== '' ? item.enqueueUs + ms * 1000 : Infinity;
}

export class SloDeadlineOrderingPolicy implements OrderingPolicy {
  readonly type = 'slo-deadline-ordering-policy';
  constructor(readonly name: string) {}

  compare(a: QueueItem, b: QueueItem): number {
    return byDeadlineThenEnqueue(sloDeadline(a), sloDeadline(b), a, b);
  }

  selectItem(items: readonly QueueItem[]): number {
    return selectFirst(items, (a, b) => this.compare(a, b));
  }
}

const params = z.strictObject({});

export const sloDeadlineOrderingPolicy: PluginDefinition<typeof params> = {
  type: 'slo-deadline-ordering-policy',
  kinds: ['OrderingPolicy'],
  source: 'GAIE v1.5.0 (type); routesim (formula: epp.md gives none)',
  description: `Flow-control ordering: earliest SLO deadline first, deadline = enqueue time + header ${SLO_TTFT_HEADER} (ms); requests without the header after all others, FCFS.`,
  params,
  create: (name) => new SloDeadlineOrderingPolicy(name),
};
