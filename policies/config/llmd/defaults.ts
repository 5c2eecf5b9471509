/**
 * llm-d-router v0.10.0's built-in configuration, used when no config is given (`llm-d-router.md`
 * §2.1, §2.9 last paragraph). Loading it yields queue-scorer 2, kv-cache-utilization-scorer 2,
 * prefix-cache-scorer 3 in profile `default`, the metrics source and extractor, single-profile-handler,
 * max-score-picker, the three flow-control policies, the three default parsers,
 * utilization-detector, and the auto-created approx-prefix-cache-producer and token-producer.
 * Also shipped as policies/configs/llm-d-v0.10/default.yaml.
 */
export const LLMD_DEFAULT_CONFIG_YAML = `apiVersion: llm-d.ai/v1alpha1
kind: EndpointPickerConfig
plugins:
- type: queue-scorer
- type: kv-cache-utilization-scorer
- type: prefix-cache-scorer
- type: metrics-data-source
- type: core-metrics-extractor
schedulingProfiles:
- name: default
  plugins:
  - pluginRef: queue-scorer
    weight: 2
  - pluginRef: kv-cache-utilization-scorer
    weight: 2
  - pluginRef: prefix-cache-scorer
    weight: 3
`;

export const DEFAULT_SATURATION_DETECTOR = 'utilization-detector';
