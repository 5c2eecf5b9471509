/**
 * llm-d-router v0.10.0 `dataLayer` (`llm-d-router.md` §2.5): sources and their extractors, the
 * `injectDefaults` quirk (a default `metrics-data-source` + `core-metrics-extractor` entry is added
 * unless an entry's pluginRef is literally `metrics-data-source`, §7 item 4), `discovery`, the inert
 * cross-replica sync fields, polling intervals in 50 ms base ticks, and the
 * `endpoint-notification-source` the in-flight/topology/mm/precise producers attach to. routesim's
 * metrics come from the gateway's scrape, so all of this is recorded, not run.
 */
import { ConfigError } from '../errors.js';
import { refError } from '../loader.js';
import type { PluginSet } from './pluginSet.js';
import type { LlmdConfigDoc } from './schema.js';

/** `--refresh-metrics-interval` (the base tick of polling sources). */
export const BASE_TICK_US = 50_000;
export const METRICS_SOURCE = 'metrics-data-source';
export const METRICS_EXTRACTOR = 'core-metrics-extractor';
export const NOTIFICATION_SOURCE = 'endpoint-notification-source';
/** Types that attach themselves to an endpoint-notification-source (created if absent). */
export const NOTIFICATION_CONSUMERS = ['inflight-load-producer', 'topology-extractor', 'mm-embeddings-cache-producer', 'precise-prefix-cache-producer'];

export interface DataLayerEntry {
  readonly source: string;
  readonly extractors: readonly string[];
  /** Poll every this many base ticks (interval rounded to the nearest multiple of 50 ms, minimum 1). */
  readonly intervalTicks?: number;
}

export interface DataLayerResolved {
  readonly sources: DataLayerEntry[];
  readonly discovery: string | null;
  readonly crossReplicaSyncer: string | null;
  readonly crossReplicaSyncIntervalUs: number | null;
}

/** Interval (µs) → base ticks: nearest multiple of 50 ms, minimum 1; omitted → every tick. */
export function intervalTicks(us: number | undefined): number {
  if (us === undefined) return 1;
  return Math.max(1, Math.round(us / BASE_TICK_US));
}

function ticksOf(set: PluginSet, name: string): number {
  const v = set.parsedParams.get(name)?.interval;
  return intervalTicks(typeof v === 'number' ? v : undefined);
}

/** §2.9 step 3 (data layer). */
export function resolveDataLayer(doc: LlmdConfigDoc['dataLayer'], set: PluginSet, warnings: string[]): DataLayerResolved {
  const dl = doc ?? { injectDefaults: true };
  const sources: DataLayerEntry[] = [];
  (dl.sources ?? []).forEach((s, i) => {
    if (!set.has(s.pluginRef)) throw refError(`dataLayer.sources[${i}].pluginRef`, s.pluginRef, set.byName.keys());
    s.extractors.forEach((e, j) => {
      if (!set.has(e.pluginRef)) throw refError(`dataLayer.sources[${i}].extractors[${j}].pluginRef`, e.pluginRef, set.byName.keys());
    });
    set.get(s.pluginRef);
    sources.push({ source: s.pluginRef, extractors: s.extractors.map((e) => e.pluginRef), intervalTicks: ticksOf(set, s.pluginRef) });
  });
  if (dl.injectDefaults !== false && !sources.some((s) => s.source === METRICS_SOURCE)) {
    for (const t of [METRICS_SOURCE, METRICS_EXTRACTOR]) if (!set.has(t)) set.auto(t, 'dataLayer.injectDefaults');
    sources.push({ source: METRICS_SOURCE, extractors: [METRICS_EXTRACTOR], intervalTicks: ticksOf(set, METRICS_SOURCE) });
  }
  let discovery: string | null = null;
  if (dl.discovery) {
    const p = set.get(dl.discovery.pluginRef);
    if (!p) throw refError('dataLayer.discovery.pluginRef', dl.discovery.pluginRef, set.byName.keys());
    if (!/file-discovery$/.test(p.type)) throw new ConfigError('dataLayer.discovery.pluginRef', `plugin "${p.name}" (${p.type}) is not a discovery plugin`, 'name a file-discovery or multicluster-file-discovery plugin');
    discovery = p.name;
  }
  let syncer: string | null = null;
  if (dl.crossReplicaSyncerPluginRef !== undefined) {
    if (!set.has(dl.crossReplicaSyncerPluginRef)) throw refError('dataLayer.crossReplicaSyncerPluginRef', dl.crossReplicaSyncerPluginRef, set.byName.keys());
    syncer = dl.crossReplicaSyncerPluginRef;
  }
  if (syncer !== null || dl.crossReplicaSyncInterval !== undefined) {
    warnings.push('dataLayer.crossReplicaSync*: accepted but inert: routesim models one EPP replica (v0.10.0 registers no syncer type either) (fix: remove the field)');
  }
  return { sources, discovery, crossReplicaSyncer: syncer, crossReplicaSyncIntervalUs: dl.crossReplicaSyncInterval ?? null };
}

/** After producers are auto-created: attach notification consumers to an endpoint-notification-source. */
export function attachNotificationSource(set: PluginSet, dl: DataLayerResolved): void {
  const consumers = set.specs.filter((s) => NOTIFICATION_CONSUMERS.includes(s.type)).map((s) => s.name);
  if (consumers.length === 0) return;
  let src = set.specs.find((s) => s.type === NOTIFICATION_SOURCE)?.name;
  if (src === undefined) {
    if (set.has(NOTIFICATION_SOURCE)) throw new ConfigError('plugins', `the name "${NOTIFICATION_SOURCE}" is taken by another plugin type`, 'rename that plugin');
    src = set.auto(NOTIFICATION_SOURCE, `needed by ${consumers.join(', ')}`).name;
  }
  const existing = dl.sources.findIndex((s) => s.source === src);
  if (existing >= 0) {
    const e = dl.sources[existing]!;
    dl.sources[existing] = { ...e, extractors: [...e.extractors, ...consumers.filter((c) => !e.extractors.includes(c))] };
  } else dl.sources.push({ source: src, extractors: consumers });
}
