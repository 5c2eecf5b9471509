/**
 * Builders for the load-plugin tests (scorers, pickers, detectors, legacy chains, llm-d plugins):
 * endpoints with partial metrics, a cycle context with a scripted or seeded rng, requests and
 * scheduling results.
 */
import seedrandom from 'seedrandom';
import type { FactoryContext, PluginDefinition } from '../../policies/framework/registry.js';
import type {
  CycleContext,
  LLMRequest,
  Plugin,
  PluginState,
  Prompt,
  ProfileRunResult,
  SchedEndpoint,
  SchedulingResult,
  ScoredEndpoint,
} from '../../policies/framework/types.js';
import type { EndpointMetrics } from '../../policies/types.js';

export function metrics(m: Partial<EndpointMetrics> = {}): EndpointMetrics {
  return {
    waitingQueueSize: 0,
    runningRequestsSize: 0,
    kvCacheUsagePercent: 0,
    activeModels: [],
    waitingModels: [],
    maxActiveModels: 0,
    cacheBlockSize: 16,
    cacheNumGpuBlocks: 0,
    prefixCacheQueriesTotal: 0,
    prefixCacheHitsTotal: 0,
    updateTimeUs: 0,
    ...m,
  };
}

let nextIndex = 0;
/** An endpoint; `m === null` means never scraped. */
export function ep(name: string, m: Partial<EndpointMetrics> | null = {}, labels: Record<string, string> = {}): SchedEndpoint {
  return { name, index: nextIndex++, labels, metrics: m === null ? null : metrics(m), attributes: new Map() };
}

/** Endpoints from waiting-queue sizes, named e0, e1, … */
export const byQueue = (qs: readonly number[]): SchedEndpoint[] => qs.map((q, i) => ep(`e${i}`, { waitingQueueSize: q }));

export function pluginState(): PluginState & { size(): number } {
  const m = new Map<string, Map<string, unknown>>();
  return {
    read: (id, key) => m.get(id)?.get(key),
    write: (id, key, v) => {
      let r = m.get(id);
      if (!r) m.set(id, (r = new Map()));
      r.set(key, v);
    },
    delete: (id) => void m.delete(id),
    size: () => m.size,
  };
}

/** A seeded uniform [0, 1) stream. */
export const seeded = (seed: string): (() => number) => seedrandom.alea(seed);

/** An rng that returns the given values in turn (then throws: the test drew more than it meant to). */
export function scripted(...values: number[]): () => number {
  let i = 0;
  return () => {
    if (i >= values.length) throw new Error(`scripted rng exhausted after ${values.length} draws`);
    return values[i++]!;
  };
}

export function ctx(opts: { rng?: () => number; nowUs?: number; state?: PluginState } = {}): CycleContext {
  return {
    nowUs: opts.nowUs ?? 0,
    rng: opts.rng ?? scripted(),
    cycleState: new Map(),
    pluginState: opts.state ?? pluginState(),
  };
}

let nextId = 0;
export function req(r: Partial<Omit<LLMRequest, 'prompt'>> & { prompt?: Prompt | string } = {}): LLMRequest {
  const prompt: Prompt = typeof r.prompt === 'string' ? { kind: 'completion', text: r.prompt } : r.prompt ?? { kind: 'completion', text: 'hello' };
  return {
    id: r.id ?? `r${nextId++}`,
    model: r.model ?? 'base',
    targetModel: r.targetModel ?? r.model ?? 'base',
    headers: r.headers ?? {},
    prompt,
    priority: r.priority ?? 0,
    fairnessId: r.fairnessId ?? '',
    requestSizeBytes: r.requestSizeBytes ?? null,
  };
}

/** A scheduling result: profile name → targets (null = the profile failed); the first profile is primary unless given. */
export function schedResult(profiles: Record<string, SchedEndpoint[] | null>, primary?: string): SchedulingResult {
  const m = new Map<string, ProfileRunResult | null>();
  for (const [k, v] of Object.entries(profiles)) m.set(k, v === null ? null : { targetEndpoints: v });
  return { profileResults: m, primaryProfileName: primary ?? Object.keys(profiles)[0]! };
}

export const scored = (pairs: readonly [SchedEndpoint, number][]): ScoredEndpoint[] => pairs.map(([endpoint, score]) => ({ endpoint, score }));

/** Builds a plugin through its definition's schema (defaults, strictness) like the loader does. */
export function build<T extends Plugin>(def: PluginDefinition, params: unknown = {}, plugins: Record<string, Plugin> = {}, name = def.type): T {
  const fctx: FactoryContext = { plugin: (n) => plugins[n] };
  return def.create(name, def.params.strict().parse(params), fctx) as T;
}

/** The names of a list of endpoints. */
export const names = (es: readonly SchedEndpoint[]): string[] => es.map((e) => e.name);

/** Scores as a plain object (for toEqual). */
export const obj = (m: Map<string, number>): Record<string, number> => Object.fromEntries(m);
