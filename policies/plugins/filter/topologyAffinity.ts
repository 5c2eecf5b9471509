/**
 * `topology-affinity-filter` (llm-d-router v0.10.0, Alpha, `llm-d-router.md` §4.2). The peer is the
 * request attribute `peer-endpoint` (the other P/D stage's pick, set by disagg-profile-handler); the
 * topology is the endpoint attribute `Topology/<topologyProducerName>` (default topology-extractor).
 * Affinity level = the first of host, rack, zone, region whose values are equal and non-empty, else
 * none (host < rack < zone < region < none). Keeps candidates with level ≤ minAffinity; candidates
 * without topology are dropped; no peer (or a peer without topology) or an empty result → all.
 */
import { z } from 'zod';
import { DEFAULT_TOPOLOGY_PRODUCER, PEER_ENDPOINT, TOPOLOGY_TYPE, producerKey, type Topology } from '../../framework/dataKeys.js';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, Filter, LLMRequest, SchedEndpoint } from '../../framework/types.js';

export const TOPOLOGY_LEVELS = ['host', 'rack', 'zone', 'region'] as const;
export type TopologyLevel = (typeof TOPOLOGY_LEVELS)[number];
/** Index into TOPOLOGY_LEVELS; 4 = none. */
export const NO_AFFINITY = 4;

export function affinityLevel(a: Topology, b: Topology): number {
  for (let i = 0; i < TOPOLOGY_LEVELS.length; i++) {
    const k = TOPOLOGY_LEVELS[i]!;
    if (a[k] !== '' && a[k] === b[k]) return i;
  }
  return NO_AFFINITY;
}

export const topologyKey = (producerName: string): string => producerKey(TOPOLOGY_TYPE, producerName, DEFAULT_TOPOLOGY_PRODUCER);

export function topologyOf(e: { readonly attributes: ReadonlyMap<string, unknown> } | undefined, key: string): Topology | undefined {
  return e?.attributes.get(key) as Topology | undefined;
}

/** The peer endpoint's topology (undefined without a peer or its topology). */
export function peerTopology(ctx: CycleContext, key: string): Topology | undefined {
  const peer = ctx.cycleState.get(PEER_ENDPOINT) as SchedEndpoint | undefined;
  return peer && peer.attributes instanceof Map ? topologyOf(peer, key) : undefined;
}

const params = z.strictObject({
  minAffinity: z.enum(TOPOLOGY_LEVELS).default('host').describe('loosest level kept: host | rack | zone | region'),
  topologyProducerName: z.string().default('').describe('producer of the Topology attribute ("" = topology-extractor)'),
});

export class TopologyAffinityFilter implements Filter {
  readonly type = 'topology-affinity-filter';
  readonly key: string;
  readonly maxLevel: number;
  constructor(readonly name: string, minAffinity: TopologyLevel, producerName: string) {
    this.key = topologyKey(producerName);
    this.maxLevel = TOPOLOGY_LEVELS.indexOf(minAffinity);
  }

  filter(ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): readonly SchedEndpoint[] {
    const peer = peerTopology(ctx, this.key);
    if (!peer) return endpoints;
    const kept = endpoints.filter((e) => {
      const t = topologyOf(e, this.key);
      return t !== undefined && affinityLevel(peer, t) <= this.maxLevel;
    });
    return kept.length === 0 || kept.length === endpoints.length ? endpoints : kept;
  }
}

export const topologyAffinityFilter: PluginDefinition<typeof params> = {
  type: 'topology-affinity-filter',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['Filter'],
  source: 'llm-d-router v0.10.0',
  description:
    "Keeps candidates whose topology affinity to the peer-endpoint (first equal non-empty of host, rack, zone, region) is at least minAffinity; candidates without topology dropped; no peer or empty result → all.",
  params,
  create: (name, p) => new TopologyAffinityFilter(name, p.minAffinity, p.topologyProducerName),
};
