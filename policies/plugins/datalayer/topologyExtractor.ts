/**
 * `topology-extractor` (llm-d-router v0.10.0, Alpha; `llm-d-router.md` §4.9, §2.5): reads the
 * endpoint's topology labels — host `kubernetes.io/hostname`, rack `topology.kubernetes.io/rack`,
 * zone `topology.kubernetes.io/zone`, region `topology.kubernetes.io/region` — and sets the endpoint
 * attribute `Topology/<name>` = {host, rack, zone, region} ("" = label absent), read by
 * topology-affinity-filter/-scorer. Production sets it once per endpoint when the endpoint is
 * created (attached to an endpoint-notification-source); routesim sets it from the endpoint's
 * `labels` as a PrepareData producer, on every endpoint that lacks it. Production falls back to the
 * pod's `spec.hostname` for the host; routesim endpoints have no pod spec, so the host is "" then.
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { CycleContext, LLMRequest, PrepareData, SchedEndpoint } from '../../framework/types.js';

/** Same shape as framework/dataKeys.ts `Topology` (v0.10 data keys). */
export interface TopologyAttr {
  readonly host: string;
  readonly rack: string;
  readonly zone: string;
  readonly region: string;
}

export const TOPOLOGY_LABELS = {
  host: 'kubernetes.io/hostname',
  rack: 'topology.kubernetes.io/rack',
  zone: 'topology.kubernetes.io/zone',
  region: 'topology.kubernetes.io/region',
} as const;

export function topologyOf(labels: Readonly<Record<string, string>>): TopologyAttr {
  return {
    host: labels[TOPOLOGY_LABELS.host] ?? '',
    rack: labels[TOPOLOGY_LABELS.rack] ?? '',
    zone: labels[TOPOLOGY_LABELS.zone] ?? '',
    region: labels[TOPOLOGY_LABELS.region] ?? '',
  };
}

export class TopologyExtractor implements PrepareData {
  readonly type = 'topology-extractor';
  readonly key: string;
  readonly produces: readonly string[];
  readonly consumes: readonly string[] = [];
  constructor(readonly name: string) {
    this.key = `Topology/${name}`;
    this.produces = [this.key];
  }

  prepareRequestData(_ctx: CycleContext, _req: LLMRequest, endpoints: readonly SchedEndpoint[]): void {
    for (const e of endpoints) if (!e.attributes.has(this.key)) e.attributes.set(this.key, topologyOf(e.labels));
  }
}

const params = z.strictObject({});

export const topologyExtractor: PluginDefinition<typeof params> = {
  type: 'topology-extractor',
  dialects: ['llm-d-v0.10'],
  stability: 'alpha',
  kinds: ['Extractor', 'PrepareData'],
  source: 'llm-d-router v0.10.0',
  description:
    'Sets endpoint attribute Topology/<name> = {host, rack, zone, region} from the labels kubernetes.io/hostname and topology.kubernetes.io/{rack,zone,region} ("" when absent).',
  params,
  create: (name) => new TopologyExtractor(name),
};
