/**
 * `round-robin-fairness-policy` (GAIE v1.5.0, `epp.md` §2.10): rotates over the band's non-empty
 * flows. Production walks the flows in a stable order from just after the last one served; routesim
 * orders flows by fairness id and remembers the last served id per band, so the next flow is the
 * non-empty one with the smallest id greater than it (wrapping to the smallest id). With a fixed set
 * of flows this is the same rotation; a flow created mid-run joins it at its id's place.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { FairnessPolicy, FlowQueueView } from '../../framework/types.js';
import { flowLength } from './order.js';

export class RoundRobinFairnessPolicy implements FairnessPolicy {
  readonly type = 'round-robin-fairness-policy';
  /** Last served fairness id per band (one instance may serve several bands). */
  private readonly last = new Map<number, string>();
  constructor(readonly name: string) {}

  selectQueue(band: number, flows: readonly FlowQueueView[]): FlowQueueView | null {
    const last = this.last.get(band);
    let next: FlowQueueView | null = null; // smallest id > last
    let first: FlowQueueView | null = null; // smallest id overall
    for (const f of flows) {
      if (flowLength(f) === 0) continue;
      const id = f.fairnessId;
      if (first === null || id < first.fairnessId) first = f;
      if (last !== undefined && id > last && (next === null || id < next.fairnessId)) next = f;
    }
    const chosen = next ?? first;
    if (chosen !== null) this.last.set(band, chosen.fairnessId);
    return chosen;
  }
}

const params = z.strictObject({});

export const roundRobinFairnessPolicy: PluginDefinition<typeof params> = {
  type: 'round-robin-fairness-policy',
  kinds: ['FairnessPolicy'],
  source: 'GAIE v1.5.0',
  description: 'Flow-control fairness: rotates over the band\'s non-empty flows (flow = fairness id), one dispatch each.',
  params,
  create: (name) => new RoundRobinFairnessPolicy(name),
};
