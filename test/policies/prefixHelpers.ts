/** Small builders for the prefix plugin tests (endpoints, contexts, requests, scheduling results). */
import type { CycleContext, LLMRequest, PluginState, Prompt, SchedEndpoint, SchedulingResult } from '../../policies/framework/types.js';
import type { EndpointMetrics } from '../../policies/types.js';
import { metrics } from './loadFixtures.js';

export { metrics };

/** A fresh per-request snapshot of an endpoint (empty attribute map). */
export function ep(name: string, m: Partial<EndpointMetrics> | null = {}, index = 0, labels: Record<string, string> = {}): SchedEndpoint {
  return { name, index, labels, metrics: m === null ? null : metrics(m), attributes: new Map() };
}

export class MapPluginState implements PluginState {
  readonly data = new Map<string, Map<string, unknown>>();
  read(id: string, key: string): unknown {
    return this.data.get(id)?.get(key);
  }
  write(id: string, key: string, value: unknown): void {
    let m = this.data.get(id);
    if (!m) this.data.set(id, (m = new Map()));
    m.set(key, value);
  }
  delete(id: string): void {
    this.data.delete(id);
  }
}

export function cycle(pluginState: PluginState, nowUs = 0, rng: () => number = () => 0.5): CycleContext {
  return { nowUs, rng, cycleState: new Map(), pluginState };
}

let nextId = 0;
export function request(prompt: Prompt | string, over: Partial<LLMRequest> = {}): LLMRequest {
  const p: Prompt = typeof prompt === 'string' ? { kind: 'completion', text: prompt } : prompt;
  return {
    id: `r${nextId++}`,
    model: 'llama',
    targetModel: 'llama',
    headers: {},
    prompt: p,
    priority: 0,
    fairnessId: '',
    requestSizeBytes: null,
    ...over,
  };
}

/** A scheduling result whose primary profile `default` picked `primary` (and `prefill` picked `prefill`). */
export function picked(primary: SchedEndpoint, prefill?: SchedEndpoint, primaryName = 'default'): SchedulingResult {
  const m = new Map([[primaryName, { targetEndpoints: [primary] }]]);
  if (prefill) m.set('prefill', { targetEndpoints: [prefill] });
  return { profileResults: m, primaryProfileName: primaryName };
}

/** `n` distinct 64-byte blocks of text (block i starts with its number). */
export function blocks(n: number, tag = 'b'): string {
  let s = '';
  for (let i = 0; i < n; i++) s += `${tag}${String(i).padStart(3, '0')}:`.padEnd(64, String.fromCharCode(97 + (i % 26)));
  return s;
}
