/**
 * `core-metrics-extractor` (GAIE v1.5.0, `epp.md` §1.2/§4): registered so real configs load. In
 * routesim it does nothing: the simulated engine's snapshot already carries the mapped fields
 * (waiting, running, KV usage, LoRA adapters, cache block size and count).
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import type { Plugin } from '../../framework/types.js';

class NoOp implements Plugin {
  readonly type = 'core-metrics-extractor';
  readonly keepsNoCandidates = true;
  constructor(readonly name: string) {}
}

const params = z.strictObject({});

export const coreMetricsExtractor: PluginDefinition<typeof params> = {
  type: 'core-metrics-extractor',
  dialects: ['gaie-v1.5'],
  kinds: ['Extractor'],
  source: 'GAIE v1.5.0',
  description: 'Maps vLLM/SGLang/TRT-LLM metric names to the EPP\'s endpoint metrics. No-op in routesim: the gateway\'s scrape already yields those fields.',
  params,
  create: (name) => new NoOp(name),
};
