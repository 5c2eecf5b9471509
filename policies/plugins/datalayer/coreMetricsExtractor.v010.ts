/**
 * `core-metrics-extractor`, llm-d-router v0.10.0 twin (`llm-d-router.md` §4.9): maps engine metrics
 * to the endpoint metrics, the engine chosen per endpoint by the label `engineLabelKey` (default
 * `llm-d.ai/engine-type`, absent → `defaultEngine` = vllm); `engineConfigs` add engines (the
 * built-ins — vllm, sglang, trtllm, triton — are appended); `customMetrics [{attributeKey,
 * metricSpec}]` store extra scalar metrics as endpoint attributes for endpoint-attribute-filter/-scorer.
 *
 * In routesim the simulated engine's snapshot already carries the mapped fields (waiting, running,
 * KV usage, LoRA adapters, cache block size and count) whatever the engine label says, and there
 * is no Prometheus text to evaluate a `metricSpec` against: the parameters are validated and
 * custom-metric attributes stay missing (triton endpoints also get KV/LoRA fields here, which the
 * real triton mapping lacks).
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../framework/registry.js';
import { DataLayerNoOp } from './v010Common.js';

const params = z.strictObject({
  engineLabelKey: z.string().default('llm-d.ai/engine-type').describe('Endpoint label naming the engine.'),
  defaultEngine: z.string().default('vllm').describe('Engine of endpoints without the label.'),
  engineConfigs: z
    .array(z.looseObject({ name: z.string().describe('Engine name.') }))
    .default([])
    .describe('Extra engines\' metric specs (built-ins appended); inner fields not checked in routesim.'),
  customMetrics: z
    .array(z.strictObject({ attributeKey: z.string(), metricSpec: z.string() }))
    .default([])
    .describe('Extra scalar metrics → endpoint attributes (not evaluated in routesim: no Prometheus text).'),
});

export const coreMetricsExtractorV010: PluginDefinition<typeof params> = {
  type: 'core-metrics-extractor',
  dialects: ['llm-d-v0.10'],
  kinds: ['Extractor'],
  source: 'llm-d-router v0.10.0',
  description:
    'Maps engine metrics (per-endpoint engine label; vllm, sglang, trtllm, triton + engineConfigs) and customMetrics to endpoint data. routesim: the gateway\'s scrape already yields the core fields; custom metrics are not evaluated.',
  params,
  create: (name) => new DataLayerNoOp('core-metrics-extractor', name),
};
