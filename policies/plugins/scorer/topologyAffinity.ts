/**
 * `topology-affinity-scorer` (llm-d-router v0.10.0, Alpha, Affinity, `llm-d-router.md` §4.3): scores
 * each candidate by its topology affinity level to the request's peer-endpoint (see
 * filter/topologyAffinity.ts): host 1.00, rack 0.20, zone 0.05, region 0.02, none 0; no peer, or no
 * Topology attribute on the peer or the candidate → 0.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, SchedEndpoint, Scorer } from '../../framework/types.js';
import { affinityLevel, peerTopology, topologyKey, topologyOf } from '../filter/topologyAffinity.js';

/** Score per level: host, rack, zone, region, none. */
export const TOPOLOGY_SCORES = [1.0, 0.2, 0.05, 0.02, 0] as const;

export class TopologyAffinityScorer implements Scorer {
  readonly type = 'topology-affinity-scorer';
  readonly category = 'Affinity' as const;
  readonly key: string;
  constructor(readonly name: string, producerName: string) {
    this.key = topologyKey(producerName);
  }

  score(ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): Map<string, number> {
    const peer = peerTopology(ctx, this.key);
    const out = new Map<string, number>();
    for (const e of endpoints) {
      const t = topologyOf(e, this.key);
      out.set(e.name, peer && t ? TOPOLOGY_SCORES[affinityLevel(peer, t)]! : 0);
    }
    return out;
  }
}

const params = z.strictObject({
  topologyProducerName: z.string().default('').describe('producer of the Topology attribute ("" = topology-extractor)'),
});

export const topologyAffinityScorer: PluginDefinition<typeof params> = {
  type: 'topology-affinity-scorer',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['Scorer'],
  source: 'llm-d-router v0.10.0',
  description: 'Topology affinity to the peer-endpoint: same host 1.00, rack 0.20, zone 0.05, region 0.02, none 0 (no peer or topology → 0).',
  params,
  create: (name, p) => new TopologyAffinityScorer(name, p.topologyProducerName),
};
