/** Shared builders for the llm-d v0.10 producer tests. */
import type { PluginDefinition } from '../../policies/framework/registry.js';
import type { CycleContext, SchedEndpoint } from '../../policies/framework/types.js';
import { dataKey, type PrefixCacheMatchInfoV010 } from '../../policies/framework/dataKeys.js';
import { DEFAULT_TOKENIZED_PROMPT_KEY, type EstimatedTokenizedPrompt } from '../../policies/prefix/requestTokens.js';
import { MapPluginState, cycle } from './prefixHelpers.js';

export const noPlugins = { plugin: () => undefined };
/** Builds a plugin from its definition with parsed (defaulted) parameters. */
export function make<T>(def: PluginDefinition, params: Record<string, unknown> = {}, name = def.type, ctx = noPlugins): T {
  return def.create(name, def.params.parse(params) as never, ctx) as T;
}
export const ps = new MapPluginState();
export const hex = (h: bigint): string => `0x${h.toString(16).padStart(16, '0')}`;
export const chat = (content: string) => ({ kind: 'chat' as const, messages: [{ role: 'user', content }] });
export const prefixKey = dataKey('PrefixCacheMatchInfoDataKey', 'approx-prefix-cache-producer');
export const info = (e: SchedEndpoint, key = prefixKey) => e.attributes.get(key) as PrefixCacheMatchInfoV010;

/** A context whose TokenizedPrompt holds these token lists (one per prompt). */
export function withTokens(lists: number[][], nowUs = 0): CycleContext {
  const ctx = cycle(ps, nowUs);
  const tp: EstimatedTokenizedPrompt = {
    tokenCounts: lists.map((l) => l.length),
    multimodal: [],
    cacheSalt: '',
    estimate: { prompts: lists.map((l) => ({ kind: 'tokens' as const, tokens: Uint32Array.from(l) })), multimodal: [] },
  };
  ctx.cycleState.set(DEFAULT_TOKENIZED_PROMPT_KEY, tp);
  return ctx;
}
