/**
 * Shared fixtures of the llm-d-router v0.10.0 handler tests (llmdHandlers.test.ts,
 * llmdRequest.test.ts): a v0.10 catalog with the test stubs and a stage decider that records the
 * endpoint it is asked with, contexts, requests, endpoints, and `build` (a plugin from its
 * definition and raw parameters, bypassing the loader's Alpha gate).
 */
import seedrandom from 'seedrandom';
import { z } from 'zod';
import { defaultCatalog } from '../../policies/config/loader.js';
import { TtlPluginState } from '../../policies/framework/director.js';
import { dataKey, type TokenizedPrompt } from '../../policies/framework/dataKeys.js';
import { pluginDefinition, type FactoryContext, type PluginDefinition } from '../../policies/framework/registry.js';
import type { CycleContext, LLMRequest, Plugin, ProfileRunResult, SchedEndpoint } from '../../policies/framework/types.js';
import type { EndpointMetrics } from '../../policies/types.js';
import { testCatalog } from './frameworkStubs.js';

export const V010 = 'apiVersion: llm-d.ai/v1alpha1\nkind: EndpointPickerConfig\n';
export const catalog = new Map(defaultCatalog('llm-d-v0.10'));
for (const [type, def] of testCatalog()) if (type.startsWith('test-')) catalog.set(type, def);

/** A stage decider with a fixed answer that records the endpoint it was asked with (null allowed). */
export class StageStub implements Plugin {
  readonly type = 'test-stage-decider';
  readonly asked: (string | null)[] = [];
  constructor(readonly name: string, readonly answer: boolean) {}
  disaggregate(_c: CycleContext, _r: LLMRequest, e: SchedEndpoint | null): boolean {
    this.asked.push(e?.name ?? null);
    return this.answer;
  }
}
const stageStubParams = z.strictObject({ answer: z.boolean().default(false) });
catalog.set('test-stage-decider', {
  type: 'test-stage-decider',
  kinds: ['PdDecider'],
  source: 'test',
  description: 'fixed answer, records the endpoint',
  params: stageStubParams,
  create: (name, p) => new StageStub(name, (p as z.output<typeof stageStubParams>).answer),
} as PluginDefinition);

export function ctx(rng: () => number = seedrandom.alea('1')): CycleContext {
  return { nowUs: 0, rng, cycleState: new Map(), pluginState: new TtlPluginState() };
}
export const never = (): number => {
  throw new Error('no random draw expected');
};
export function request(headers: Record<string, string> = {}, priority = 0): LLMRequest {
  return { id: 'r1', model: 'm', targetModel: 'm', headers, prompt: { kind: 'completion', text: 'x' }, priority, fairnessId: '', requestSizeBytes: null };
}
export function metrics(waiting: number, kv: number): EndpointMetrics {
  return { waitingQueueSize: waiting, runningRequestsSize: 0, kvCacheUsagePercent: kv, activeModels: [], waitingModels: [], maxActiveModels: 0, cacheBlockSize: 16, cacheNumGpuBlocks: 0, prefixCacheQueriesTotal: 0, prefixCacheHitsTotal: 0, updateTimeUs: 0 };
}
export function ep(name: string, labels: Record<string, string> = {}, m: EndpointMetrics | null = null, index = 0): SchedEndpoint {
  return { name, index, labels, metrics: m, attributes: new Map() };
}
/** Builds a plugin of the v0.10 catalog from raw parameters (through its schema). */
export function build<T extends Plugin>(type: string, params: Record<string, unknown> = {}, others: Record<string, Plugin> = {}): T {
  const def = pluginDefinition(type, 'llm-d-v0.10') as PluginDefinition;
  const fctx: FactoryContext = { plugin: (n) => others[n] };
  return def.create(type, def.params.strict().parse(params), fctx) as T;
}
export const names = (r: ProfileRunResult | null | undefined): string[] => (r?.targetEndpoints ?? []).map((e) => e.name);
export const tokens = (counts: number[], multimodal: TokenizedPrompt['multimodal'] = []): TokenizedPrompt => ({ tokenCounts: counts, multimodal, cacheSalt: '' });
export const TOKENS_KEY = dataKey('TokenizedPrompt', 'token-producer');
export const MATCH_KEY = dataKey('PrefixCacheMatchInfoDataKey', 'approx-prefix-cache-producer');
