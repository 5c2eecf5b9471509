/**
 * llm-d-router v0.10.0's built-in configuration, used when no config is given (`llm-d-router.md`
 * §2.1, §2.9 last paragraph). Loading it yields queue-scorer 2, kv-cache-utilization-scorer 2,
 * prefix-cache-scorer 3 in profile `default`, the metrics source and extractor, single-profile-handler,
 * max-score-picker, the three flow-control policies, the three default parsers,
 * utilization-detector, and the auto-created approx-prefix-cache-producer and token-producer.
 * Also shipped as policies/configs/llm-d-v0.10/default.yaml.
 */
import { defaultConfigYaml } from '../defaultConfigYaml.js';
import { LLMD_API_VERSION } from '../schema.js';

/** The v0.10.0 built-in config (../defaultConfigYaml.ts with apiVersion llm-d.ai/v1alpha1). */
export const LLMD_DEFAULT_CONFIG_YAML = defaultConfigYaml(LLMD_API_VERSION);

export const DEFAULT_SATURATION_DETECTOR = 'utilization-detector';

/**
 * §2.4: Alpha types of v0.10.0 (the stability gate applies to them when their definition does not
 * set `stability` itself, e.g. a type registered for both dialects).
 */
export const ALPHA_TYPES: ReadonlySet<string> = new Set([
  'disaggregatedset-rollout-screener', 'session-affinity-filter', 'session-affinity-scorer', 'endpoint-attribute-filter',
  'endpoint-attribute-scorer', 'topology-affinity-filter', 'topology-affinity-scorer', 'topology-extractor', 'utilization-filter',
  'header-label-affinity-scorer', 'header-profile-handler', 'burst-prefix-cache-producer', 'p2p-source-producer', 'dcgm-data-source',
  'dcgm-extractor', 'multicluster-file-discovery', 'sheddable-eviction-filter', 'priority-then-time-eviction-order-policy',
  'priority-holdback-policy', 'soft-reflective-ceiling-policy', 'agent-identity',
]);
export const isAlphaType = (type: string): boolean => ALPHA_TYPES.has(type) || type.startsWith('multicluster-');

/** §2.4: deprecated types (they load with a warning) → the replacement, when the definition does not say. */
export const DEPRECATED_TYPES: Readonly<Record<string, string>> = {
  'by-label': 'label-selector-filter',
  'by-label-selector': 'label-selector-filter',
  'disagg-headers-handler': 'disagg-profile-handler',
  'prefill-header-handler': 'disagg-profile-handler',
  'pd-profile-handler': 'disagg-profile-handler',
  tokenizer: 'token-producer',
};
